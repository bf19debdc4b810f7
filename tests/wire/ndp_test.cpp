#include "wire/ndp.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"
#include "testing/printers.hpp"

namespace {

using testing_support::from_hex;
using wire::Error;
using wire::Ipv6Address;
using wire::Ipv6Repr;
using wire::MacAddress;
using wire::NdpRepr;

Ipv6Address addr(std::string_view text) {
    return Ipv6Address::parse(text).value();
}

const Ipv6Address host_a = addr("2001:db8:99:1::1");
const Ipv6Address host_b = addr("2001:db8:99:1::2");
const Ipv6Address router_ll = addr("fe80::ff:fe00:1fe");
const MacAddress mac_a{{0x02, 0, 0, 0, 0x01, 0x01}};
const MacAddress mac_b{{0x02, 0, 0, 0, 0x01, 0x02}};

Ipv6Repr ip(Ipv6Address src, Ipv6Address dst, uint8_t hop_limit = 255) {
    return Ipv6Repr{.src = src, .dst = dst, .next_header = 58, .hop_limit = hop_limit};
}

// Parses bytes written out by hand (RFC 4861 §4's layouts); their checksum
// is not computed by hand, so it is not checked here (the round trips and the
// kernel's captures check it).
wire::Result<NdpRepr> parse_hex(std::string_view hex, const Ipv6Repr& header) {
    static std::vector<std::byte> keep;
    keep = from_hex(hex);
    auto v = wire::Icmpv6View::parse(keep);
    if (!v) return base::fail(v.error());
    return NdpRepr::parse(*v, header, wire::ChecksumCheck::ignore);
}

template <class T>
T parsed_as(std::string_view hex, const Ipv6Repr& header) {
    auto r = parse_hex(hex, header);
    EXPECT_TRUE(r) << (r ? "" : std::string(wire::to_string(r.error())));
    if (!r) return T{};
    EXPECT_TRUE(std::holds_alternative<T>(r->message));
    return std::holds_alternative<T>(r->message) ? std::get<T>(r->message) : T{};
}

// Neighbour solicitation for 2001:db8:99:1::2 from ::1, to its solicited-node
// group, with a source link-layer address option.
constexpr std::string_view solicitation_hex =
    "87 00 0000 00000000 20010db8009900010000000000000002"
    "01 01 020000000101";

TEST(Ndp, ParsesANeighbourSolicitation) {
    const auto ns = parsed_as<wire::NeighborSolicitation>(solicitation_hex,
                                                          ip(host_a, host_b.solicited_node()));
    EXPECT_EQ(ns.target, host_b);
    EXPECT_EQ(ns.source_mac, mac_a);
}

TEST(Ndp, ParsesANeighbourAdvertisementsFlags) {
    // R=0 S=1 O=1, target ::2, target link-layer address.
    const auto na = parsed_as<wire::NeighborAdvertisement>(
        "88 00 0000 60000000 20010db8009900010000000000000002 02 01 020000000102",
        ip(host_b, host_a));
    EXPECT_FALSE(na.router);
    EXPECT_TRUE(na.solicited);
    EXPECT_TRUE(na.override_flag);
    EXPECT_EQ(na.target, host_b);
    EXPECT_EQ(na.target_mac, mac_b);
}

TEST(Ndp, ParsesARouterAdvertisementWithItsOptions) {
    // Hop limit 64, M=0 O=1, lifetime 1800 s, reachable 30000 ms, retrans
    // 1000 ms; source link-layer, MTU 1480, prefix 2001:db8:99:1::/64 with L
    // and A, valid 86400 s, preferred 14400 s.
    const auto ra = parsed_as<wire::RouterAdvertisement>(
        "86 00 0000 40 40 0708 00007530 000003e8"
        "01 01 0200000001fe"
        "05 01 0000 000005c8"
        "03 04 40 c0 00015180 00003840 00000000 20010db8009900010000000000000000",
        ip(router_ll, Ipv6Address::all_nodes()));
    EXPECT_EQ(ra.cur_hop_limit, 64);
    EXPECT_FALSE(ra.managed);
    EXPECT_TRUE(ra.other);
    EXPECT_EQ(ra.router_lifetime, 1800);
    EXPECT_EQ(ra.reachable_time, 30000u);
    EXPECT_EQ(ra.retrans_timer, 1000u);
    EXPECT_EQ(ra.source_mac, (MacAddress{{0x02, 0, 0, 0, 0x01, 0xfe}}));
    EXPECT_EQ(ra.mtu, 1480u);
    ASSERT_EQ(ra.prefixes.size(), 1u);
    EXPECT_EQ(ra.prefixes[0].prefix, wire::Ipv6Cidr::parse("2001:db8:99:1::/64").value());
    EXPECT_TRUE(ra.prefixes[0].on_link);
    EXPECT_TRUE(ra.prefixes[0].autonomous);
    EXPECT_EQ(ra.prefixes[0].valid_lifetime, 86400u);
    EXPECT_EQ(ra.prefixes[0].preferred_lifetime, 14400u);
}

TEST(Ndp, ParsesARouterSolicitationAndARedirect) {
    const auto rs = parsed_as<wire::RouterSolicitation>(
        "85 00 0000 00000000 01 01 020000000101", ip(addr("fe80::1"), Ipv6Address::all_routers()));
    EXPECT_EQ(rs.source_mac, mac_a);
    // Redirect: target fe80::2 for destination 2001:db8:5::9, with the
    // target's link-layer address and 8 bytes of the redirected packet.
    const auto rd = parsed_as<wire::Redirect>(
        "89 00 0000 00000000 fe800000000000000000000000000002 20010db8000500000000000000000009"
        "02 01 020000000102 04 02 000000000000 6000000000083a40",
        ip(router_ll, host_a));
    EXPECT_EQ(rd.target, addr("fe80::2"));
    EXPECT_EQ(rd.destination, addr("2001:db8:5::9"));
    EXPECT_EQ(rd.target_mac, mac_b);
    EXPECT_EQ(testing_support::to_hex(rd.redirected), "6000000000083a40");
}

TEST(Ndp, SkipsUnknownOptionsAndOnesTheTypeDoesNotUse) {
    // An unknown option (type 200, 8 bytes) and a prefix option in a
    // solicitation: both skipped.
    const auto ns = parsed_as<wire::NeighborSolicitation>(
        "87 00 0000 00000000 20010db8009900010000000000000002"
        "c8 01 000000000000"
        "03 04 40 c0 00015180 00003840 00000000 20010db8009900010000000000000000",
        ip(host_a, host_b));
    EXPECT_EQ(ns.target, host_b);
    EXPECT_FALSE(ns.source_mac);
}

TEST(Ndp, KeepsTheFirstPrefixesWhenThereAreTooMany) {
    std::string hex = "86 00 0000 40 00 0708 00000000 00000000";
    for (int i = 0; i < 10; ++i) {
        hex +=
            fmt::format("03 04 40 c0 00015180 00003840 00000000 20010db8{:04x}0000{:016x}", i, 0);
    }
    const auto ra =
        parsed_as<wire::RouterAdvertisement>(hex, ip(router_ll, Ipv6Address::all_nodes()));
    ASSERT_EQ(ra.prefixes.size(), wire::ndp::max_prefixes);
    EXPECT_EQ(ra.prefixes[7].prefix.address, addr("2001:db8:7::"));
}

// RFC 4861's validity checks, each on an otherwise valid message.
TEST(Ndp, RefusesWhatRfc4861Forbids) {
    const Ipv6Address ns_group = host_b.solicited_node();
    // §7.1.1: hop limit below 255 (a router forwarded it), a non-zero code.
    EXPECT_EQ(parse_hex(solicitation_hex, ip(host_a, ns_group, 254)).error(), Error::not_allowed);
    EXPECT_EQ(
        parse_hex("87 01" + std::string(solicitation_hex.substr(5)), ip(host_a, ns_group)).error(),
        Error::not_allowed);
    // A multicast target.
    EXPECT_EQ(parse_hex("87 00 0000 00000000 ff020000000000000000000000000001", ip(host_a, host_b))
                  .error(),
              Error::not_allowed);
    // Duplicate address detection (from ::) with a link-layer address, or
    // not to the solicited-node group.
    EXPECT_EQ(parse_hex(solicitation_hex, ip(Ipv6Address::any(), ns_group)).error(),
              Error::not_allowed);
    EXPECT_EQ(parse_hex("87 00 0000 00000000 20010db8009900010000000000000002",
                        ip(Ipv6Address::any(), Ipv6Address::all_nodes()))
                  .error(),
              Error::not_allowed);
    EXPECT_TRUE(parse_hex("87 00 0000 00000000 20010db8009900010000000000000002",
                          ip(Ipv6Address::any(), ns_group)));
    // §7.1.2: a solicited advertisement to a multicast address.
    EXPECT_EQ(parse_hex("88 00 0000 40000000 20010db8009900010000000000000002",
                        ip(host_b, Ipv6Address::all_nodes()))
                  .error(),
              Error::not_allowed);
    // §6.1.2: an advertisement from a global address.
    EXPECT_EQ(
        parse_hex("86 00 0000 40 00 0708 00000000 00000000", ip(host_a, Ipv6Address::all_nodes()))
            .error(),
        Error::not_allowed);
    // §6.1.1: a solicitation from :: with a link-layer address.
    EXPECT_EQ(parse_hex("85 00 0000 00000000 01 01 020000000101",
                        ip(Ipv6Address::any(), Ipv6Address::all_routers()))
                  .error(),
              Error::not_allowed);
    // §8.1: a redirect from a global address, to a multicast destination, or
    // to a global target other than the destination.
    const std::string redirect_body =
        "89 00 0000 00000000 fe800000000000000000000000000002 20010db8000500000000000000000009";
    EXPECT_EQ(parse_hex(redirect_body, ip(host_b, host_a)).error(), Error::not_allowed);
    EXPECT_EQ(parse_hex("89 00 0000 00000000 fe800000000000000000000000000002 "
                        "ff020000000000000000000000000001",
                        ip(router_ll, host_a))
                  .error(),
              Error::not_allowed);
    EXPECT_EQ(parse_hex("89 00 0000 00000000 20010db8000500000000000000000008 "
                        "20010db8000500000000000000000009",
                        ip(router_ll, host_a))
                  .error(),
              Error::not_allowed);
    EXPECT_TRUE(parse_hex(redirect_body, ip(router_ll, host_a)));
}

TEST(Ndp, RefusesMalformedOptionsAndShortMessages) {
    const std::string ns = "87 00 0000 00000000 20010db8009900010000000000000002";
    const Ipv6Repr h = ip(host_a, host_b);
    EXPECT_EQ(parse_hex(ns + "01 00 020000000101", h).error(), Error::bad_option_length)
        << "a zero-length option would loop for ever";
    EXPECT_EQ(parse_hex(ns + "01 02 020000000101", h).error(), Error::option_overrun);
    EXPECT_EQ(parse_hex(ns + "01", h).error(), Error::option_overrun);
    EXPECT_EQ(parse_hex(ns + "01 02 020000000101 0000000000000000", h).error(),
              Error::bad_option_length)
        << "an Ethernet link-layer option is eight bytes";
    EXPECT_EQ(parse_hex("86 00 0000 40 00 0708 00000000 00000000"
                        "03 04 81 c0 00015180 00003840 00000000 20010db8009900010000000000000000",
                        ip(router_ll, Ipv6Address::all_nodes()))
                  .error(),
              Error::not_allowed)
        << "a prefix longer than 128 bits";
    EXPECT_EQ(parse_hex("87 00 0000 00000000 20010db8", h).error(), Error::truncated);
    EXPECT_EQ(parse_hex("80 00 0000 00000000", h).error(), Error::unsupported);
}

TEST(Ndp, EmitsTheLayoutByteForByte) {
    const NdpRepr na{wire::NeighborAdvertisement{
        .router = true, .solicited = true, .target = host_b, .target_mac = mac_b}};
    std::vector<std::byte> b(na.buffer_len());
    na.emit(b, host_b, host_a);
    auto want = from_hex("88 00 0000 c0000000 20010db8009900010000000000000002 02 01 020000000102");
    want[2] = b[2];
    want[3] = b[3];
    EXPECT_EQ(testing_support::to_hex(b), testing_support::to_hex(want));
    EXPECT_TRUE(wire::Icmpv6View::parse(b)->checksum_valid(host_b, host_a));
    EXPECT_EQ(na.type(), wire::Icmpv6Type::neighbor_advertisement);
}

TEST(Ndp, ARedirectedPacketIsPaddedToEightBytes) {
    const auto quoted = from_hex("6000000000");
    const NdpRepr r{wire::Redirect{
        .target = addr("fe80::2"), .destination = addr("2001:db8:5::9"), .redirected = quoted}};
    EXPECT_EQ(r.buffer_len(), 40u + 16u);
    std::vector<std::byte> b(r.buffer_len(), std::byte{0xee});
    r.emit(b, router_ll, host_a);
    EXPECT_EQ(testing_support::to_hex(base::ByteSpan(b).subspan(40)),
              "0402000000000000"
              "6000000000000000");
}

wire::NdpMessage random_message() {
    const auto mac_or_none = []() -> std::optional<MacAddress> {
        if (*rc::gen::arbitrary<bool>()) return *testing_support::gen::mac();
        return std::nullopt;
    };
    const auto unicast = [] {
        auto a = *testing_support::gen::ipv6_address();
        auto b = a.bytes();
        b[0] = 0x20;
        return Ipv6Address{b};
    };
    switch (*rc::gen::inRange(0, 5)) {
        case 0:
            return wire::RouterSolicitation{.source_mac = mac_or_none()};
        case 1: {
            wire::RouterAdvertisement ra{
                .cur_hop_limit = *rc::gen::arbitrary<uint8_t>(),
                .managed = *rc::gen::arbitrary<bool>(),
                .other = *rc::gen::arbitrary<bool>(),
                .router_lifetime = *rc::gen::arbitrary<uint16_t>(),
                .reachable_time = *rc::gen::arbitrary<uint32_t>(),
                .retrans_timer = *rc::gen::arbitrary<uint32_t>(),
                .source_mac = mac_or_none(),
                .mtu = *rc::gen::arbitrary<bool>()
                           ? std::optional<uint32_t>{*rc::gen::arbitrary<uint32_t>()}
                           : std::nullopt,
            };
            const int n = *rc::gen::inRange(0, static_cast<int>(wire::ndp::max_prefixes) + 1);
            for (int i = 0; i < n; ++i) {
                ra.prefixes.push_back({
                    .prefix = {*testing_support::gen::ipv6_address(),
                               *rc::gen::inRange<uint8_t>(0, 129)},
                    .on_link = *rc::gen::arbitrary<bool>(),
                    .autonomous = *rc::gen::arbitrary<bool>(),
                    .valid_lifetime = *rc::gen::arbitrary<uint32_t>(),
                    .preferred_lifetime = *rc::gen::arbitrary<uint32_t>(),
                });
            }
            return ra;
        }
        case 2:
            return wire::NeighborSolicitation{.target = unicast(), .source_mac = mac_or_none()};
        case 3:
            return wire::NeighborAdvertisement{.router = *rc::gen::arbitrary<bool>(),
                                               .solicited = *rc::gen::arbitrary<bool>(),
                                               .override_flag = *rc::gen::arbitrary<bool>(),
                                               .target = unicast(),
                                               .target_mac = mac_or_none()};
        default: {
            const auto d = unicast();
            return wire::Redirect{.target = d, .destination = d, .target_mac = mac_or_none()};
        }
    }
}

RC_GTEST_PROP(Ndp, EmitParseRoundTrip, ()) {
    const NdpRepr r{random_message()};
    const Ipv6Address src = router_ll;  // link-local: every type accepts it
    const Ipv6Address dst = host_a;
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    const auto v = wire::Icmpv6View::parse(b).value();
    RC_ASSERT(v.type() == static_cast<uint8_t>(r.type()));
    RC_ASSERT(NdpRepr::parse(v, ip(src, dst)).value() == r);
}

}  // namespace
