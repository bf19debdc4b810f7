// Known-answer tests for IPv6: frames Linux (and radvd, for the router
// advertisement) sent between network namespaces, captured into
// tests/data/*.pcap by `tests/data/capture.sh ipv6` (the README there says how
// each was made). Expected values are what tshark decodes from the same
// files; addresses and MACs are fixed by the script, flow labels, fragment
// identifications, sequence numbers and timestamps are this capture's own.
//
// Every frame is parsed to its top layer with its checksum verified over the
// IPv6 pseudo-header, and emitted again from its reprs: byte for byte where
// the encoding is canonical, to the same repr where the sender ordered or
// chose options differently (a SYN, radvd's advertisement, a nonce option).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "testing/capture.hpp"
#include "testing/data.hpp"
#include "testing/printers.hpp"
#include "wire/address.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv6.hpp"
#include "wire/ndp.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace {

using base::ByteSpan;
using testing_support::Capture;
using testing_support::to_hex;
using wire::Ipv6Address;
using wire::MacAddress;
using wire::SeqNum;
using wire::TcpFlags;

Ipv6Address addr(std::string_view text) {
    return Ipv6Address::parse(text).value();
}

// What capture.sh gives its namespaces.
constexpr MacAddress mac_a{{0x02, 0x00, 0x00, 0x00, 0x01, 0x01}};
constexpr MacAddress mac_b{{0x02, 0x00, 0x00, 0x00, 0x01, 0x02}};
constexpr MacAddress mac_router{{0x02, 0x00, 0x00, 0x00, 0x01, 0xfe}};
const Ipv6Address ip_a = addr("2001:db8:99:1::1");
const Ipv6Address ip_b = addr("2001:db8:99:1::2");
const Ipv6Address ip_router = addr("2001:db8:99:1::fe");
const Ipv6Address ip_far_b = addr("2001:db8:99:2::2");
// Link-local addresses Linux derived from the MACs (EUI-64: the U/L bit
// flipped, ff:fe in the middle).
const Ipv6Address ll_a = addr("fe80::ff:fe00:101");
const Ipv6Address ll_router = addr("fe80::ff:fe00:1fe");

constexpr uint8_t icmpv6_number = 58;

// An Ethernet frame carrying IPv6, its extension headers walked.
struct Ipv6Frame {
    wire::EthernetRepr eth;
    wire::Ipv6View ip;
    wire::Ipv6Repr ip_repr;
    wire::Ipv6Chain chain;

    ByteSpan upper() const { return ip.bytes().subspan(chain.upper_at); }
};

std::optional<Ipv6Frame> parse_ipv6_frame(ByteSpan frame) {
    auto eth = wire::EthernetView::parse(frame);
    if (!eth || eth->ethertype() != wire::EtherType::ipv6) {
        ADD_FAILURE() << "not an Ethernet frame carrying IPv6";
        return std::nullopt;
    }
    auto ip = wire::Ipv6View::parse(eth->payload());
    if (!ip) {
        ADD_FAILURE() << "IPv6: " << wire::to_string(ip.error());
        return std::nullopt;
    }
    auto chain = wire::walk_extensions(*ip);
    if (!chain) {
        ADD_FAILURE() << "IPv6 chain: " << wire::to_string(chain.error());
        return std::nullopt;
    }
    return Ipv6Frame{wire::EthernetRepr::parse(*eth), *ip, wire::Ipv6Repr::parse(*ip), *chain};
}

wire::Icmpv6View icmpv6_view(const Ipv6Frame& f) {
    EXPECT_EQ(f.chain.upper, icmpv6_number);
    auto v = wire::Icmpv6View::parse(f.upper());
    EXPECT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(f.ip_repr.src, f.ip_repr.dst));
    return *v;
}

std::optional<wire::Icmpv6Repr> parse_icmpv6(const Ipv6Frame& f) {
    auto r = wire::Icmpv6Repr::parse(icmpv6_view(f), f.ip_repr.src, f.ip_repr.dst);
    if (!r) {
        ADD_FAILURE() << "ICMPv6: " << wire::to_string(r.error());
        return std::nullopt;
    }
    return *r;
}

template <class T>
std::optional<T> parse_ndp(const Ipv6Frame& f) {
    auto r = wire::NdpRepr::parse(icmpv6_view(f), f.ip_repr);
    if (!r) {
        ADD_FAILURE() << "NDP: " << wire::to_string(r.error());
        return std::nullopt;
    }
    if (!std::holds_alternative<T>(r->message)) {
        ADD_FAILURE() << "another neighbour discovery message";
        return std::nullopt;
    }
    return std::get<T>(r->message);
}

// The frame rebuilt from its reprs: Ethernet, the 40-byte header, `upper`.
std::string rebuilt_hex(const Ipv6Frame& f, ByteSpan upper) {
    std::vector<std::byte> out(wire::ethernet::header_len + wire::ipv6::header_len + upper.size());
    f.eth.emit(out);
    f.ip_repr.emit(base::MutableByteSpan(out).subspan(wire::ethernet::header_len));
    base::copy_bytes(
        base::MutableByteSpan(out).subspan(wire::ethernet::header_len + wire::ipv6::header_len),
        upper);
    return to_hex(out);
}

std::vector<std::byte> emit(const wire::Icmpv6Repr& r, const Ipv6Frame& f) {
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, f.ip_repr.src, f.ip_repr.dst);
    return out;
}

std::vector<std::byte> emit(const wire::NdpRepr& r, const Ipv6Frame& f) {
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, f.ip_repr.src, f.ip_repr.dst);
    return out;
}

// Echo data as iputils ping writes it: a 16-byte timeval, then byte i holds i.
void expect_ping_pattern(ByteSpan data) {
    for (size_t i = 16; i < data.size(); ++i) {
        ASSERT_EQ(static_cast<uint8_t>(data[i]), static_cast<uint8_t>(i)) << "data byte " << i;
    }
}

uint16_t checksum_field(ByteSpan upper, base::Range field) {
    return base::load_be16(upper, field);
}

// ---------------------------------------------------------------------------

TEST(KnownAnswerIpv6, PcapFilesAsTcpdumpWritesThem) {
    const std::pair<std::string_view, size_t> files[] = {
        {"ndp_icmpv6_echo.pcap", 4},
        {"ipv6_link_up.pcap", 5},
        {"udp6.pcap", 2},
        {"icmpv6_port_unreachable.pcap", 2},
        {"icmpv6_time_exceeded.pcap", 2},
        {"icmpv6_packet_too_big.pcap", 2},
        {"ipv6_fragments.pcap", 6},
        {"tcp6_handshake.pcap", 10},
    };
    for (const auto& [name, records] : files) {
        SCOPED_TRACE(name);
        const Capture c(name);
        EXPECT_EQ(c.header().linktype, wire::pcap::linktype_ethernet);
        ASSERT_EQ(c.size(), records);
        for (size_t i = 0; i < c.size(); ++i) {
            EXPECT_EQ(c.record(i).original_len, c.frame(i).size()) << "record " << i;
        }
    }
}

TEST(KnownAnswerIpv6, NeighbourSolicitationAdvertisementAndEcho) {
    const Capture c("ndp_icmpv6_echo.pcap");
    ASSERT_EQ(c.size(), 4u);

    // a asks the solicited-node group of b's address, from its own address.
    auto ns_frame = parse_ipv6_frame(c.frame(0));
    ASSERT_TRUE(ns_frame);
    EXPECT_EQ(ns_frame->eth, (wire::EthernetRepr{ip_b.solicited_node().multicast_mac(), mac_a,
                                                 wire::EtherType::ipv6}));
    EXPECT_EQ(ns_frame->eth.dst, (MacAddress{{0x33, 0x33, 0xff, 0x00, 0x00, 0x02}}));
    EXPECT_EQ(ns_frame->ip_repr, (wire::Ipv6Repr{.src = ip_a,
                                                 .dst = addr("ff02::1:ff00:2"),
                                                 .next_header = icmpv6_number,
                                                 .hop_limit = 255,
                                                 .payload_len = 32}));
    EXPECT_EQ(checksum_field(ns_frame->upper(), wire::icmpv6::field::checksum), 0x19f3);
    auto ns = parse_ndp<wire::NeighborSolicitation>(*ns_frame);
    ASSERT_TRUE(ns);
    EXPECT_EQ(ns->target, ip_b);
    EXPECT_EQ(ns->source_mac, mac_a);
    EXPECT_EQ(rebuilt_hex(*ns_frame, emit(wire::NdpRepr{*ns}, *ns_frame)), to_hex(c.frame(0)));

    // b answers a directly: solicited, override, not a router.
    auto na_frame = parse_ipv6_frame(c.frame(1));
    ASSERT_TRUE(na_frame);
    EXPECT_EQ(na_frame->eth, (wire::EthernetRepr{mac_a, mac_b, wire::EtherType::ipv6}));
    EXPECT_EQ(na_frame->ip_repr.src, ip_b);
    EXPECT_EQ(na_frame->ip_repr.dst, ip_a);
    EXPECT_EQ(na_frame->ip_repr.hop_limit, 255);
    EXPECT_EQ(checksum_field(na_frame->upper(), wire::icmpv6::field::checksum), 0x87a3);
    auto na = parse_ndp<wire::NeighborAdvertisement>(*na_frame);
    ASSERT_TRUE(na);
    EXPECT_EQ(*na, (wire::NeighborAdvertisement{.router = false,
                                                .solicited = true,
                                                .override_flag = true,
                                                .target = ip_b,
                                                .target_mac = mac_b}));
    EXPECT_EQ(rebuilt_hex(*na_frame, emit(wire::NdpRepr{*na}, *na_frame)), to_hex(c.frame(1)));

    const uint32_t flow_labels[] = {0x41dd1, 0xf0ee5};
    const uint16_t checksums[] = {0x7c7b, 0x7b7b};
    std::optional<wire::Icmpv6Repr> request;
    for (size_t i = 2; i < 4; ++i) {
        SCOPED_TRACE(i);
        const bool is_request = i == 2;
        auto f = parse_ipv6_frame(c.frame(i));
        ASSERT_TRUE(f);
        EXPECT_EQ(f->eth, (wire::EthernetRepr{is_request ? mac_b : mac_a,
                                              is_request ? mac_a : mac_b, wire::EtherType::ipv6}));
        EXPECT_EQ(f->ip_repr, (wire::Ipv6Repr{.src = is_request ? ip_a : ip_b,
                                              .dst = is_request ? ip_b : ip_a,
                                              .next_header = icmpv6_number,
                                              .hop_limit = 64,
                                              .flow_label = flow_labels[i - 2],
                                              .payload_len = 64}));
        EXPECT_EQ(checksum_field(f->upper(), wire::icmpv6::field::checksum), checksums[i - 2]);
        auto echo = parse_icmpv6(*f);
        ASSERT_TRUE(echo);
        EXPECT_EQ(echo->type,
                  is_request ? wire::Icmpv6Type::echo_request : wire::Icmpv6Type::echo_reply);
        EXPECT_EQ(echo->identifier, 4660);  // ping -e 4660
        EXPECT_EQ(echo->sequence, 1);
        ASSERT_EQ(echo->data.size(), 56u);
        expect_ping_pattern(echo->data);
        if (!is_request) {
            EXPECT_TRUE(base::equal_bytes(echo->data, request->data));
        }
        EXPECT_EQ(rebuilt_hex(*f, emit(*echo, *f)), to_hex(c.frame(i)));
        request = echo;
    }
}

// An interface coming up beside a router, seen from the router's side.
TEST(KnownAnswerIpv6, LinkUpDetectionSolicitationAndAdvertisement) {
    const Capture c("ipv6_link_up.pcap");
    ASSERT_EQ(c.size(), 5u);

    // The router's MLDv2 report: a hop-by-hop header (router alert) between
    // the fixed header and ICMPv6, whose checksum still names ICMPv6 (58) in
    // its pseudo-header, not the hop-by-hop header (0).
    auto mld = parse_ipv6_frame(c.frame(0));
    ASSERT_TRUE(mld);
    EXPECT_EQ(mld->eth.dst, addr("ff02::16").multicast_mac());
    EXPECT_EQ(mld->ip_repr.next_header, wire::ipv6::hop_by_hop);
    EXPECT_EQ(mld->ip_repr.hop_limit, 1);
    EXPECT_EQ(mld->ip_repr.src, ll_router);
    EXPECT_EQ(mld->chain.extension_headers, 1u);
    EXPECT_EQ(mld->chain.upper_at, 48u);
    ASSERT_TRUE(mld->chain.hop_by_hop_options);
    EXPECT_EQ(to_hex(*mld->chain.hop_by_hop_options), "050200000100");  // router alert, PadN
    const auto report = icmpv6_view(*mld);
    EXPECT_EQ(report.type(), 143);
    EXPECT_EQ(report.checksum(), 0x62a4);
    EXPECT_EQ(wire::Icmpv6Repr::parse(report, mld->ip_repr.src, mld->ip_repr.dst).error(),
              wire::Error::unsupported);

    // Duplicate address detection: from ::, to the solicited-node group, no
    // link-layer address, and a nonce option (RFC 7527) that is skipped.
    const Ipv6Address tentative[] = {ll_a, addr("2001:db8:99:1:0:ff:fe00:101")};
    const uint16_t dad_checksums[] = {0x4d2e, 0xb05b};
    for (size_t i = 1; i <= 2; ++i) {
        SCOPED_TRACE(i);
        auto f = parse_ipv6_frame(c.frame(i));
        ASSERT_TRUE(f);
        EXPECT_TRUE(f->ip_repr.src.is_unspecified());
        EXPECT_EQ(f->ip_repr.dst, tentative[i - 1].solicited_node());
        EXPECT_EQ(checksum_field(f->upper(), wire::icmpv6::field::checksum), dad_checksums[i - 1]);
        auto ns = parse_ndp<wire::NeighborSolicitation>(*f);
        ASSERT_TRUE(ns);
        EXPECT_EQ(ns->target, tentative[i - 1]);
        EXPECT_FALSE(ns->source_mac);
        // Without the nonce: eight bytes shorter, the same repr.
        const wire::NdpRepr again{*ns};
        EXPECT_EQ(again.buffer_len() + 8, f->upper().size());
        const auto bytes = emit(again, *f);
        EXPECT_EQ(wire::NdpRepr::parse(wire::Icmpv6View::parse(bytes).value(), f->ip_repr).value(),
                  again);
    }

    auto rs_frame = parse_ipv6_frame(c.frame(3));
    ASSERT_TRUE(rs_frame);
    EXPECT_EQ(rs_frame->ip_repr.src, ll_a);
    EXPECT_EQ(rs_frame->ip_repr.dst, Ipv6Address::all_routers());
    EXPECT_EQ(rs_frame->eth.dst, (MacAddress{{0x33, 0x33, 0, 0, 0, 2}}));
    EXPECT_EQ(checksum_field(rs_frame->upper(), wire::icmpv6::field::checksum), 0x792c);
    auto rs = parse_ndp<wire::RouterSolicitation>(*rs_frame);
    ASSERT_TRUE(rs);
    EXPECT_EQ(rs->source_mac, mac_a);
    EXPECT_EQ(rebuilt_hex(*rs_frame, emit(wire::NdpRepr{*rs}, *rs_frame)), to_hex(c.frame(3)));

    // radvd's answer, unicast to the soliciting host.
    auto ra_frame = parse_ipv6_frame(c.frame(4));
    ASSERT_TRUE(ra_frame);
    EXPECT_EQ(ra_frame->eth, (wire::EthernetRepr{mac_a, mac_router, wire::EtherType::ipv6}));
    EXPECT_EQ(ra_frame->ip_repr.src, ll_router);
    EXPECT_EQ(ra_frame->ip_repr.dst, ll_a);
    EXPECT_EQ(ra_frame->ip_repr.hop_limit, 255);
    EXPECT_EQ(checksum_field(ra_frame->upper(), wire::icmpv6::field::checksum), 0x28db);
    auto ra = parse_ndp<wire::RouterAdvertisement>(*ra_frame);
    ASSERT_TRUE(ra);
    EXPECT_EQ(ra->cur_hop_limit, 64);
    EXPECT_FALSE(ra->managed);
    EXPECT_FALSE(ra->other);
    EXPECT_EQ(ra->router_lifetime, 1800);
    EXPECT_EQ(ra->reachable_time, 0u);
    EXPECT_EQ(ra->retrans_timer, 0u);
    EXPECT_EQ(ra->source_mac, mac_router);
    EXPECT_EQ(ra->mtu, 1480u);
    EXPECT_EQ(ra->prefixes, (wire::NdpPrefixList{{.prefix = {addr("2001:db8:99:1::"), 64},
                                                  .on_link = true,
                                                  .autonomous = true,
                                                  .valid_lifetime = 86400,
                                                  .preferred_lifetime = 14400}}));
    // radvd puts the prefix first and the link-layer address last; ours is
    // the other order, the same message.
    const wire::NdpRepr again{*ra};
    const auto bytes = emit(again, *ra_frame);
    EXPECT_EQ(bytes.size(), ra_frame->upper().size());
    EXPECT_EQ(
        wire::NdpRepr::parse(wire::Icmpv6View::parse(bytes).value(), ra_frame->ip_repr).value(),
        again);
}

TEST(KnownAnswerIpv6, UdpDatagramAndAnswer) {
    const Capture c("udp6.pcap");
    ASSERT_EQ(c.size(), 2u);
    const std::string_view payloads[] = {"hello-udp6", "hello-udp6-reply"};
    const uint16_t checksums[] = {0xbee4, 0xbf7c};
    for (size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(i);
        auto f = parse_ipv6_frame(c.frame(i));
        ASSERT_TRUE(f);
        const bool from_a = i == 0;
        EXPECT_EQ(f->ip_repr.src, from_a ? ip_a : ip_b);
        EXPECT_EQ(f->ip_repr.next_header, 17);
        EXPECT_EQ(f->chain.upper_at, 40u);
        auto v = wire::UdpView::parse(f->upper());
        ASSERT_TRUE(v);
        EXPECT_EQ(v->checksum(), checksums[i]);
        auto udp = wire::UdpRepr::parse(*v, f->ip_repr.src, f->ip_repr.dst);
        ASSERT_TRUE(udp);
        EXPECT_EQ(udp->src_port, from_a ? 40001 : 7777);
        EXPECT_EQ(udp->dst_port, from_a ? 7777 : 40001);
        EXPECT_EQ(base::as_chars(udp->payload), payloads[i]);
        std::vector<std::byte> out(udp->buffer_len());
        udp->emit(out, f->ip_repr.src, f->ip_repr.dst);
        EXPECT_EQ(rebuilt_hex(*f, out), to_hex(c.frame(i)));
    }
}

// An ICMPv6 error quotes the invoking packet: here all of it.
TEST(KnownAnswerIpv6, PortUnreachableQuotesTheDatagram) {
    const Capture c("icmpv6_port_unreachable.pcap");
    ASSERT_EQ(c.size(), 2u);
    auto sent = parse_ipv6_frame(c.frame(0));
    auto error = parse_ipv6_frame(c.frame(1));
    ASSERT_TRUE(sent && error);
    EXPECT_EQ(error->ip_repr.src, ip_b);
    EXPECT_EQ(error->ip_repr.dst, ip_a);
    EXPECT_EQ(checksum_field(error->upper(), wire::icmpv6::field::checksum), 0xb93a);
    auto r = parse_icmpv6(*error);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, wire::Icmpv6Type::dest_unreachable);
    EXPECT_EQ(r->code, static_cast<uint8_t>(wire::Icmpv6UnreachableCode::port));
    EXPECT_EQ(to_hex(r->data), to_hex(sent->ip.bytes()));
    EXPECT_EQ(r->data.size(), 40u + 19u);
    EXPECT_EQ(rebuilt_hex(*error, emit(*r, *error)), to_hex(c.frame(1)));
}

TEST(KnownAnswerIpv6, TimeExceededFromTheRouter) {
    const Capture c("icmpv6_time_exceeded.pcap");
    ASSERT_EQ(c.size(), 2u);
    auto sent = parse_ipv6_frame(c.frame(0));
    auto error = parse_ipv6_frame(c.frame(1));
    ASSERT_TRUE(sent && error);
    EXPECT_EQ(sent->ip_repr.hop_limit, 1);  // ping -t 1
    EXPECT_EQ(sent->ip_repr.dst, ip_far_b);
    EXPECT_EQ(error->eth.src, mac_router);
    EXPECT_EQ(error->ip_repr.src, ip_router);
    EXPECT_EQ(checksum_field(error->upper(), wire::icmpv6::field::checksum), 0xfa4e);
    auto r = parse_icmpv6(*error);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, wire::Icmpv6Type::time_exceeded);
    EXPECT_EQ(r->code, static_cast<uint8_t>(wire::Icmpv6TimeExceededCode::hop_limit));
    EXPECT_EQ(to_hex(r->data), to_hex(sent->ip.bytes()));  // the whole 104-byte packet
    EXPECT_EQ(rebuilt_hex(*error, emit(*r, *error)), to_hex(c.frame(1)));
}

// Routers do not fragment IPv6: the one before the 1280-byte link answers
// packet too big, quoting as much as fits in 1280 bytes.
TEST(KnownAnswerIpv6, PacketTooBigCarriesTheMtu) {
    const Capture c("icmpv6_packet_too_big.pcap");
    ASSERT_EQ(c.size(), 2u);
    auto sent = parse_ipv6_frame(c.frame(0));
    auto error = parse_ipv6_frame(c.frame(1));
    ASSERT_TRUE(sent && error);
    EXPECT_EQ(sent->ip.bytes().size(), 1448u);  // ping -s 1400: 40 + 8 + 1400
    EXPECT_EQ(error->ip.bytes().size(), wire::ipv6::min_mtu);
    EXPECT_EQ(error->ip_repr.src, ip_router);
    EXPECT_EQ(checksum_field(error->upper(), wire::icmpv6::field::checksum), 0xcaec);
    auto r = parse_icmpv6(*error);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->type, wire::Icmpv6Type::packet_too_big);
    EXPECT_EQ(r->mtu, 1280u);
    ASSERT_EQ(r->data.size(), wire::icmpv6::max_quoted_len);
    EXPECT_EQ(to_hex(r->data), to_hex(sent->ip.bytes().first(wire::icmpv6::max_quoted_len)));
    EXPECT_EQ(rebuilt_hex(*error, emit(*r, *error)), to_hex(c.frame(1)));
}

// A 3008-byte echo in three fragments each way; put together by hand from the
// walk's fragment headers, each message's checksum verifies.
TEST(KnownAnswerIpv6, FragmentsReassembleToOneEcho) {
    const Capture c("ipv6_fragments.pcap");
    ASSERT_EQ(c.size(), 6u);
    struct Expected {
        uint16_t offset;
        bool more;
        uint16_t payload_len;
    };
    const Expected expected[] = {{0, true, 1456}, {1448, true, 1456}, {2896, false, 120}};
    const uint32_t identifications[] = {0x284e06d3, 0xdcf9153c};
    std::vector<std::byte> messages[2] = {std::vector<std::byte>(3008),
                                          std::vector<std::byte>(3008)};
    for (size_t i = 0; i < 6; ++i) {
        SCOPED_TRACE(i);
        const size_t dir = i / 3;
        const Expected& e = expected[i % 3];
        auto f = parse_ipv6_frame(c.frame(i));
        ASSERT_TRUE(f);
        EXPECT_EQ(f->ip_repr.src, dir == 0 ? ip_a : ip_b);
        EXPECT_EQ(f->ip_repr.next_header, wire::ipv6::fragment);
        EXPECT_EQ(f->ip_repr.payload_len, e.payload_len);
        ASSERT_TRUE(f->chain.fragment);
        EXPECT_EQ(*f->chain.fragment, (wire::Ipv6Fragment{.offset = e.offset,
                                                          .more = e.more,
                                                          .identification = identifications[dir],
                                                          .header_at = 40}));
        // The first fragment is walked into (ICMPv6 follows), the later ones
        // stop at their data, which is the middle of the message.
        EXPECT_EQ(f->chain.upper, icmpv6_number);
        EXPECT_EQ(f->chain.upper_at, 48u);
        const ByteSpan data = f->upper();
        ASSERT_LE(e.offset + data.size(), messages[dir].size());
        base::copy_bytes(base::MutableByteSpan(messages[dir]).subspan(e.offset), data);
    }
    const uint16_t checksums[] = {0xd332, 0xd232};
    for (size_t dir = 0; dir < 2; ++dir) {
        SCOPED_TRACE(dir);
        const Ipv6Address src = dir == 0 ? ip_a : ip_b;
        const Ipv6Address dst = dir == 0 ? ip_b : ip_a;
        auto v = wire::Icmpv6View::parse(messages[dir]);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->checksum(), checksums[dir]);
        auto echo = wire::Icmpv6Repr::parse(*v, src, dst);
        ASSERT_TRUE(echo);
        EXPECT_EQ(echo->type,
                  dir == 0 ? wire::Icmpv6Type::echo_request : wire::Icmpv6Type::echo_reply);
        EXPECT_EQ(echo->identifier, 17767);
        ASSERT_EQ(echo->data.size(), 3000u);
        expect_ping_pattern(echo->data);
        std::vector<std::byte> out(echo->buffer_len());
        echo->emit(out, src, dst);
        EXPECT_EQ(to_hex(out), to_hex(messages[dir]));
    }
}

TEST(KnownAnswerIpv6, TcpHandshakeDataAndClose) {
    const Capture c("tcp6_handshake.pcap");
    ASSERT_EQ(c.size(), 10u);
    std::vector<wire::TcpRepr> segments;
    std::vector<bool> from_a;
    for (size_t i = 0; i < c.size(); ++i) {
        SCOPED_TRACE(i);
        auto f = parse_ipv6_frame(c.frame(i));
        ASSERT_TRUE(f);
        const bool a = f->ip_repr.src == ip_a;
        EXPECT_EQ(f->ip_repr.dst, a ? ip_b : ip_a);
        EXPECT_EQ(f->ip_repr.next_header, 6);
        EXPECT_EQ(f->ip_repr.flow_label, a ? 0x1b311u : 0x55d09u);  // one label per socket
        auto v = wire::TcpView::parse(f->upper());
        ASSERT_TRUE(v);
        auto tcp = wire::TcpRepr::parse(*v, f->ip_repr.src, f->ip_repr.dst);
        ASSERT_TRUE(tcp) << wire::to_string(tcp.error());
        std::vector<std::byte> out(tcp->buffer_len());
        tcp->emit(out, f->ip_repr.src, f->ip_repr.dst);
        if (tcp->flags.has(TcpFlags::syn)) {
            // Linux orders a SYN's options its own way: compare the reprs.
            EXPECT_EQ(
                wire::TcpRepr::parse(*wire::TcpView::parse(out), f->ip_repr.src, f->ip_repr.dst)
                    .value(),
                *tcp);
        } else {
            EXPECT_EQ(rebuilt_hex(*f, out), to_hex(c.frame(i)));
        }
        segments.push_back(*tcp);
        from_a.push_back(a);
    }
    const uint16_t checksums[] = {0x141b, 0x6319, 0x8adb, 0x66da, 0x8ada,
                                  0x8004, 0x8ac2, 0x8ac1, 0x8ac5, 0x8ac0};
    for (size_t i = 0; i < c.size(); ++i) {
        const auto f = parse_ipv6_frame(c.frame(i));
        EXPECT_EQ(base::load_be16(f->upper(), wire::tcp::field::checksum), checksums[i]) << i;
    }

    // The SYN: an IPv6 MSS is the MTU less 60 bytes of headers.
    const wire::TcpRepr& syn = segments[0];
    EXPECT_TRUE(from_a[0]);
    EXPECT_EQ(syn.src_port, 40003);
    EXPECT_EQ(syn.dst_port, 8080);
    EXPECT_EQ(syn.seq, SeqNum{2653591468});
    EXPECT_EQ(syn.flags, TcpFlags{TcpFlags::syn});
    EXPECT_EQ(syn.window, 64800);
    EXPECT_EQ(syn.mss, 1440);
    EXPECT_TRUE(syn.sack_permitted);
    EXPECT_EQ(syn.window_scale, 7);
    ASSERT_TRUE(syn.timestamps);
    EXPECT_EQ(syn.timestamps->value, 3362201629u);
    EXPECT_EQ(syn.timestamps->echo_reply, 0u);

    const wire::TcpRepr& syn_ack = segments[1];
    EXPECT_EQ(syn_ack.flags, TcpFlags{TcpFlags::syn | TcpFlags::ack});
    EXPECT_EQ(syn_ack.seq, SeqNum{3163214232});
    EXPECT_EQ(syn_ack.ack, syn.seq + 1);
    EXPECT_EQ(syn_ack.mss, 1440);

    EXPECT_EQ(base::as_chars(segments[3].payload), "Hello!");
    EXPECT_EQ(base::as_chars(segments[5].payload), "Hello back!");
    EXPECT_TRUE(segments[7].flags.has(TcpFlags::fin));
    EXPECT_TRUE(segments[8].flags.has(TcpFlags::fin));
    EXPECT_EQ(segments[9].ack, segments[8].seq + 1);
}

}  // namespace
