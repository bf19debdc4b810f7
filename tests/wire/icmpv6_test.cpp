#include "wire/icmpv6.hpp"

#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"
#include "testing/printers.hpp"

namespace {

using testing_support::from_hex;
using wire::Error;
using wire::Icmpv6Repr;
using wire::Icmpv6Type;
using wire::Icmpv6View;

const wire::Ipv6Address src = wire::Ipv6Address::parse("2001:db8:99:1::1").value();
const wire::Ipv6Address dst = wire::Ipv6Address::parse("2001:db8:99:1::2").value();

std::vector<std::byte> emit(const Icmpv6Repr& r) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    return b;
}

// The checksum field aside, the bytes RFC 4443's layouts give.
void expect_bytes_but_checksum(const std::vector<std::byte>& got, std::string_view hex) {
    auto want = from_hex(hex);
    ASSERT_EQ(got.size(), want.size());
    want[2] = got[2];
    want[3] = got[3];
    EXPECT_EQ(testing_support::to_hex(got), testing_support::to_hex(want));
}

TEST(Icmpv6, EchoRequestFields) {
    const auto data = from_hex("61626364");
    const auto b =
        emit({.type = Icmpv6Type::echo_request, .identifier = 0x1234, .sequence = 7, .data = data});
    // RFC 4443 §4.1: type 128, code 0, checksum, identifier, sequence, data.
    expect_bytes_but_checksum(b, "80 00 0000 1234 0007 61626364");
    const auto v = Icmpv6View::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(src, dst));
    EXPECT_FALSE(v->checksum_valid(src, wire::Ipv6Address::parse("2001:db8:99:1::3").value()))
        << "the pseudo-header must cover the addresses";
    const auto r = Icmpv6Repr::parse(*v, src, dst).value();
    EXPECT_EQ(r.type, Icmpv6Type::echo_request);
    EXPECT_EQ(r.identifier, 0x1234);
    EXPECT_EQ(r.sequence, 7);
    EXPECT_EQ(testing_support::to_hex(r.data), "61626364");
}

TEST(Icmpv6, PacketTooBigCarriesTheMtuAndTheInvokingPacket) {
    const auto quoted = from_hex("60000000 05a0 3a 40");  // the start of an IPv6 header
    const auto b = emit({.type = Icmpv6Type::packet_too_big, .mtu = 1280, .data = quoted});
    expect_bytes_but_checksum(b, "02 00 0000 00000500 60000000 05a0 3a 40");
    const auto r = Icmpv6Repr::parse(Icmpv6View::parse(b).value(), src, dst).value();
    EXPECT_EQ(r.mtu, 1280u);
    EXPECT_EQ(r.identifier, 0);
    EXPECT_EQ(testing_support::to_hex(r.data), testing_support::to_hex(quoted));
}

TEST(Icmpv6, ParameterProblemCarriesThePointer) {
    const auto b = emit({.type = Icmpv6Type::parameter_problem,
                         .code = static_cast<uint8_t>(wire::Icmpv6ParameterCode::next_header),
                         .pointer = 40});
    expect_bytes_but_checksum(b, "04 01 0000 00000028");
    const auto r = Icmpv6Repr::parse(Icmpv6View::parse(b).value(), src, dst).value();
    EXPECT_EQ(r.pointer, 40u);
    EXPECT_EQ(r.code, 1);
}

TEST(Icmpv6, UnreachableAndTimeExceededHaveFourUnusedBytes) {
    const auto b = emit({.type = Icmpv6Type::dest_unreachable,
                         .code = static_cast<uint8_t>(wire::Icmpv6UnreachableCode::port),
                         .identifier = 9,  // not part of this type: not written
                         .data = from_hex("6000")});
    expect_bytes_but_checksum(b, "01 04 0000 00000000 6000");
    const auto t = emit({.type = Icmpv6Type::time_exceeded});
    expect_bytes_but_checksum(t, "03 00 0000 00000000");
    EXPECT_TRUE(Icmpv6Repr::parse(Icmpv6View::parse(t).value(), src, dst));
}

TEST(Icmpv6, RejectsWithSpecificErrors) {
    EXPECT_EQ(Icmpv6View::parse(from_hex("80 00 0000 1234 00")).error(), Error::truncated);
    auto b = emit({.type = Icmpv6Type::echo_reply, .identifier = 1, .sequence = 2});
    b[7] ^= std::byte{0x10};
    const auto v = Icmpv6View::parse(b).value();
    EXPECT_EQ(Icmpv6Repr::parse(v, src, dst).error(), Error::bad_checksum);
    EXPECT_TRUE(Icmpv6Repr::parse(v, src, dst, wire::ChecksumCheck::ignore));
    // Multicast listener discovery (130) is not handled; neighbour discovery
    // belongs to NdpRepr.
    const auto mld = from_hex("82 00 0000 00000000");
    EXPECT_EQ(
        Icmpv6Repr::parse(Icmpv6View::parse(mld).value(), src, dst, wire::ChecksumCheck::ignore)
            .error(),
        Error::unsupported);
    const auto ns = from_hex("87 00 0000 00000000 20010db8009900010000000000000002");
    EXPECT_EQ(
        Icmpv6Repr::parse(Icmpv6View::parse(ns).value(), src, dst, wire::ChecksumCheck::ignore)
            .error(),
        Error::unsupported);
}

TEST(Icmpv6, ClassifiesErrorsAndNeighbourDiscovery) {
    EXPECT_TRUE(wire::icmpv6::is_error(1));
    EXPECT_TRUE(wire::icmpv6::is_error(127));
    EXPECT_FALSE(wire::icmpv6::is_error(128));
    EXPECT_FALSE(wire::icmpv6::is_neighbor_discovery(132));
    EXPECT_TRUE(wire::icmpv6::is_neighbor_discovery(133));
    EXPECT_TRUE(wire::icmpv6::is_neighbor_discovery(137));
    EXPECT_FALSE(wire::icmpv6::is_neighbor_discovery(138));
    EXPECT_EQ(wire::icmpv6::max_quoted_len, 1232u);
}

RC_GTEST_PROP(Icmpv6, EmitParseRoundTrip, ()) {
    const auto type = *rc::gen::element(Icmpv6Type::dest_unreachable, Icmpv6Type::packet_too_big,
                                        Icmpv6Type::time_exceeded, Icmpv6Type::parameter_problem,
                                        Icmpv6Type::echo_request, Icmpv6Type::echo_reply);
    const auto data = *testing_support::gen::bytes(300);
    Icmpv6Repr r{.type = type, .code = *rc::gen::inRange<uint8_t>(0, 7), .data = data};
    if (type == Icmpv6Type::echo_request || type == Icmpv6Type::echo_reply) {
        r.identifier = *rc::gen::arbitrary<uint16_t>();
        r.sequence = *rc::gen::arbitrary<uint16_t>();
    } else if (type == Icmpv6Type::packet_too_big) {
        r.mtu = *rc::gen::arbitrary<uint32_t>();
    } else if (type == Icmpv6Type::parameter_problem) {
        r.pointer = *rc::gen::arbitrary<uint32_t>();
    }
    const auto a = *testing_support::gen::ipv6_address();
    const auto z = *testing_support::gen::ipv6_address();
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, a, z);
    RC_ASSERT(Icmpv6Repr::parse(Icmpv6View::parse(b).value(), a, z).value() == r);
}

}  // namespace
