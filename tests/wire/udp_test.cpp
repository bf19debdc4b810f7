#include "wire/udp.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"

namespace {

using wire::Error;
using wire::UdpRepr;
using wire::UdpView;

const wire::Ipv4Address src{10, 0, 0, 1};
const wire::Ipv4Address dst{10, 0, 0, 2};

std::vector<std::byte> emit(const UdpRepr& r) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    return b;
}

TEST(Udp, HeaderFields) {
    const auto b = emit({.src_port = 5353, .dst_port = 53, .payload = base::as_bytes("query")});
    EXPECT_EQ(base::load_be16(b, 0), 5353);
    EXPECT_EQ(base::load_be16(b, 2), 53);
    EXPECT_EQ(base::load_be16(b, 4), 13);
    auto v = UdpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(src, dst));
    EXPECT_FALSE(v->checksum_valid(src, wire::Ipv4Address{10, 0, 0, 3}))
        << "the pseudo-header must cover the addresses";
    EXPECT_EQ(base::as_chars(UdpRepr::parse(*v, src, dst)->payload), "query");
}

TEST(Udp, ZeroChecksumMeansNone) {
    auto b = emit({.src_port = 1, .dst_port = 2, .payload = base::as_bytes("x")});
    base::store_be16(b, 6, 0);
    auto v = UdpView::parse(b);
    EXPECT_TRUE(v->checksum_valid(src, dst));
    EXPECT_TRUE(UdpRepr::parse(*v, src, dst));
}

// RFC 768: a computed checksum of zero is transmitted as all ones. Find a
// payload that sums to zero and check what goes on the wire.
TEST(Udp, ComputedZeroIsSentAsAllOnes) {
    std::vector<std::byte> payload(2);
    for (uint32_t w = 0; w <= 0xffff; ++w) {
        base::store_be16(payload, 0, static_cast<uint16_t>(w));
        std::vector<std::byte> b(10);
        const UdpRepr r{.src_port = 1, .dst_port = 2, .payload = payload};
        r.emit(b, src, dst);
        if (base::load_be16(b, 6) == 0xffff) {
            EXPECT_TRUE(UdpView::parse(b)->checksum_valid(src, dst));
            return;
        }
        ASSERT_NE(base::load_be16(b, 6), 0) << "a zero checksum was emitted";
    }
    FAIL() << "no payload produced a zero checksum";
}

TEST(Udp, RejectsWithSpecificErrors) {
    auto b = emit({.src_port = 1, .dst_port = 2, .payload = base::as_bytes("abcd")});
    EXPECT_EQ(UdpView::parse(base::ByteSpan{b}.first(7)).error(), Error::truncated);
    auto short_len = b;
    base::store_be16(short_len, 4, 7);
    EXPECT_EQ(UdpView::parse(short_len).error(), Error::bad_length);
    auto long_len = b;
    base::store_be16(long_len, 4, 13);
    EXPECT_EQ(UdpView::parse(long_len).error(), Error::truncated);
    auto flipped = b;
    flipped[9] ^= std::byte{0x40};
    EXPECT_EQ(UdpRepr::parse(*UdpView::parse(flipped), src, dst).error(), Error::bad_checksum);
}

TEST(Udp, LengthFieldBoundsTheDatagram) {
    auto b = emit({.src_port = 1, .dst_port = 2, .payload = base::as_bytes("ab")});
    b.resize(b.size() + 6);  // trailing bytes beyond the UDP length
    auto v = UdpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->payload().size(), 2u);
    EXPECT_TRUE(v->checksum_valid(src, dst));
}

const wire::Ipv6Address src6 = wire::Ipv6Address::parse("2001:db8::1").value();
const wire::Ipv6Address dst6 = wire::Ipv6Address::parse("2001:db8::2").value();

TEST(Udp, OverIpv6TheChecksumCoversTheIpv6PseudoHeader) {
    const UdpRepr r{.src_port = 40001, .dst_port = 7777, .payload = base::as_bytes("hello")};
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src6, dst6);
    auto v = UdpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(src6, dst6));
    EXPECT_FALSE(v->checksum_valid(src6, wire::Ipv6Address::parse("2001:db8::3").value()));
    EXPECT_FALSE(v->checksum_valid(src, dst)) << "the IPv4 pseudo-header is another sum";
    EXPECT_EQ(UdpRepr::parse(*v, src6, dst6).value(), r);
    b[9] ^= std::byte{1};
    EXPECT_EQ(UdpRepr::parse(*UdpView::parse(b), src6, dst6).error(), Error::bad_checksum);
    EXPECT_TRUE(UdpRepr::parse(*UdpView::parse(b), src6, dst6, wire::ChecksumCheck::ignore));
}

// RFC 8200 §8.1: over IPv6 a zero checksum is not "none" but an error.
TEST(Udp, OverIpv6AZeroChecksumIsRefused) {
    const UdpRepr r{.src_port = 1, .dst_port = 2, .payload = base::as_bytes("x")};
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src6, dst6);
    base::store_be16(b, 6, 0);
    auto v = UdpView::parse(b);
    EXPECT_FALSE(v->checksum_valid(src6, dst6));
    EXPECT_EQ(UdpRepr::parse(*v, src6, dst6).error(), Error::bad_checksum);
}

RC_GTEST_PROP(Udp, Ipv6EmitParseRoundTrip, (uint16_t sport, uint16_t dport)) {
    const auto a = *testing_support::gen::ipv6_address();
    const auto b = *testing_support::gen::ipv6_address();
    const auto payload = *testing_support::gen::bytes(200);
    const UdpRepr r{.src_port = sport, .dst_port = dport, .payload = payload};
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, a, b);
    RC_ASSERT(base::load_be16(out, 6) != 0);
    RC_ASSERT(UdpRepr::parse(UdpView::parse(out).value(), a, b).value() == r);
}

RC_GTEST_PROP(Udp, EmitParseRoundTrip, (uint16_t sport, uint16_t dport)) {
    const auto payload = *testing_support::gen::bytes(1472);
    const auto a = *testing_support::gen::ipv4_address();
    const auto z = *testing_support::gen::ipv4_address();
    const UdpRepr r{.src_port = sport, .dst_port = dport, .payload = payload};
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, a, z);
    auto v = UdpView::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->checksum() != 0);
    RC_ASSERT(UdpRepr::parse(*v, a, z).value() == r);
}

}  // namespace
