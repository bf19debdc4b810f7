#include "wire/arp.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"

namespace {

using testing_support::from_hex;

// An ARP request as Linux sends it: who has 10.0.0.2? tell 10.0.0.1.
const char* const request_hex = "0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002";

TEST(Arp, ParsesRequest) {
    const auto b = from_hex(request_hex);
    auto v = wire::ArpView::parse(b);
    ASSERT_TRUE(v);
    auto r = wire::ArpRepr::parse(*v);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->operation, wire::ArpOperation::request);
    EXPECT_EQ(r->sender_mac.to_string(), "02:00:00:00:00:01");
    EXPECT_EQ(r->sender_ip, (wire::Ipv4Address{10, 0, 0, 1}));
    EXPECT_TRUE(r->target_mac.is_zero());
    EXPECT_EQ(r->target_ip, (wire::Ipv4Address{10, 0, 0, 2}));
}

TEST(Arp, IgnoresEthernetPadding) {
    auto b = from_hex(request_hex);
    b.resize(46);  // padded to the minimum Ethernet payload
    auto v = wire::ArpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->bytes().size(), 28u);
}

TEST(Arp, RejectsWithSpecificErrors) {
    auto b = from_hex(request_hex);
    EXPECT_EQ(wire::ArpView::parse(base::ByteSpan{b}.first(27)).error(), wire::Error::truncated);
    auto other_hw = b;
    other_hw[1] = std::byte{6};  // IEEE 802 hardware type
    EXPECT_EQ(wire::ArpView::parse(other_hw).error(), wire::Error::unsupported);
    auto other_proto = b;
    other_proto[2] = std::byte{0x86};
    other_proto[3] = std::byte{0xdd};
    EXPECT_EQ(wire::ArpView::parse(other_proto).error(), wire::Error::unsupported);
    auto bad_len = b;
    bad_len[4] = std::byte{8};
    EXPECT_EQ(wire::ArpView::parse(bad_len).error(), wire::Error::unsupported);
    auto rarp = b;
    rarp[7] = std::byte{3};  // RARP request
    EXPECT_EQ(wire::ArpRepr::parse(*wire::ArpView::parse(rarp)).error(), wire::Error::unsupported);
}

RC_GTEST_PROP(Arp, EmitParseRoundTrip, ()) {
    const wire::ArpRepr r = *testing_support::gen::arp_repr();
    std::vector<std::byte> b(wire::ArpRepr::buffer_len());
    r.emit(b);
    auto v = wire::ArpView::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(wire::ArpRepr::parse(*v).value() == r);
}

}  // namespace
