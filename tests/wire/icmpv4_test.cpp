#include "wire/icmpv4.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"
#include "wire/ipv4.hpp"

namespace {

using testing_support::from_hex;
using wire::Icmpv4Repr;
using wire::Icmpv4Type;

std::vector<std::byte> emit(const Icmpv4Repr& r) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b);
    return b;
}

TEST(Icmpv4, EchoRequestFields) {
    const auto data = base::as_bytes("abcdefgh");
    const auto b =
        emit({.type = Icmpv4Type::echo_request, .identifier = 0x1234, .sequence = 7, .data = data});
    EXPECT_EQ(b.size(), 16u);
    EXPECT_EQ(base::load_u8(b, 0), 8);
    EXPECT_EQ(base::load_be16(b, 4), 0x1234);
    EXPECT_EQ(base::load_be16(b, 6), 7);
    EXPECT_TRUE(wire::checksum::verify(b));
    auto r = Icmpv4Repr::parse(*wire::Icmpv4View::parse(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(base::as_chars(r->data), "abcdefgh");
}

// RFC 1191: "fragmentation needed" carries the next-hop MTU in the low 16 bits
// of the second word; an error quotes the offending IP header and 8 bytes.
TEST(Icmpv4, FragmentationNeededCarriesMtu) {
    const auto quoted = from_hex(
        "45 00 05 dc 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02 "
        "c0 00 00 35 05 c8 00 00");
    const auto b = emit({.type = Icmpv4Type::dest_unreachable,
                         .code = static_cast<uint8_t>(wire::UnreachableCode::fragmentation_needed),
                         .next_hop_mtu = 1280,
                         .data = quoted});
    EXPECT_EQ(base::load_be16(b, 4), 0);
    EXPECT_EQ(base::load_be16(b, 6), 1280);
    auto r = Icmpv4Repr::parse(*wire::Icmpv4View::parse(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->next_hop_mtu, 1280);
    auto inner = wire::Ipv4View::parse(r->data);
    EXPECT_FALSE(inner);  // total length says 1500 but only 28 bytes are quoted
    EXPECT_EQ(inner.error(), wire::Error::truncated);
}

TEST(Icmpv4, TimeExceededAndPortUnreachable) {
    const auto quoted = from_hex("4500001c000100000111000000000000");
    for (const Icmpv4Repr& r :
         {Icmpv4Repr{.type = Icmpv4Type::time_exceeded, .code = 0, .data = quoted},
          Icmpv4Repr{.type = Icmpv4Type::dest_unreachable,
          .code = static_cast<uint8_t>(wire::UnreachableCode::port),
          .data = quoted}}) {
        const auto b = emit(r);
        EXPECT_EQ(base::load_be32(b, 4), 0u) << "unused word must be zero";
        EXPECT_EQ(Icmpv4Repr::parse(*wire::Icmpv4View::parse(b)).value(), r);
    }
}

TEST(Icmpv4, RejectsWithSpecificErrors) {
    std::vector<std::byte> short_msg(7);
    EXPECT_EQ(wire::Icmpv4View::parse(short_msg).error(), wire::Error::truncated);

    auto b = emit({.type = Icmpv4Type::echo_reply, .identifier = 1, .sequence = 2});
    b[5] ^= std::byte{0x01};
    EXPECT_EQ(Icmpv4Repr::parse(*wire::Icmpv4View::parse(b)).error(), wire::Error::bad_checksum);

    // Timestamp request (type 13): well-formed, not handled.
    auto ts = from_hex("0d 00 00 00 00 01 00 01");
    base::store_be16(ts, 2, wire::checksum::compute(ts));
    EXPECT_EQ(Icmpv4Repr::parse(*wire::Icmpv4View::parse(ts)).error(), wire::Error::unsupported);
}

TEST(Icmpv4, DataAlreadyInPlaceIsNotCopied) {
    std::vector<std::byte> b(8 + 4);
    b[8] = std::byte{'p'};
    b[11] = std::byte{'g'};
    const Icmpv4Repr r{.type = Icmpv4Type::echo_request, .data = base::ByteSpan{b}.subspan(8)};
    r.emit(b);
    EXPECT_EQ(b[8], std::byte{'p'});
    EXPECT_TRUE(wire::checksum::verify(b));
}

RC_GTEST_PROP(Icmpv4, EmitParseRoundTrip, ()) {
    Icmpv4Repr r = *testing_support::gen::icmpv4_repr();
    const auto data = *testing_support::gen::bytes(600);
    r.data = data;
    const auto b = emit(r);
    auto v = wire::Icmpv4View::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->checksum_valid());
    RC_ASSERT(Icmpv4Repr::parse(*v).value() == r);
}

}  // namespace
