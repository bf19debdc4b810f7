// Known-answer tests: frames Linux sent between network namespaces, captured by
// tcpdump into tests/data/*.pcap (tests/data/capture.sh made them; the README
// there says how). The expected values are what tcpdump and tshark decode from
// the same files; addresses and MACs are fixed by the script, while IP
// identifications, initial sequence numbers and timestamps are this capture's
// own (a new capture needs them updated).
//
// Every frame is parsed down to its top layer with checksums verified, and the
// parsed reprs are emitted again: for the formats whose encoding is canonical
// (Ethernet, ARP, IPv4 without options, ICMP, UDP, TCP after the SYN) the bytes
// must come back exactly; for a SYN, whose option order differs from ours, the
// re-emitted segment must parse to the same repr.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "testing/capture.hpp"
#include "testing/data.hpp"
#include "wire/address.hpp"
#include "wire/arp.hpp"
#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/ipv4.hpp"
#include "wire/pcap.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace {

using base::ByteSpan;
using testing_support::Capture;
using testing_support::to_hex;
using wire::Ipv4Address;
using wire::MacAddress;
using wire::SeqNum;
using wire::TcpFlags;

// The addresses capture.sh gives its namespaces.
constexpr MacAddress mac_a{{0x02, 0x00, 0x00, 0x00, 0x01, 0x01}};
constexpr MacAddress mac_b{{0x02, 0x00, 0x00, 0x00, 0x01, 0x02}};
constexpr MacAddress mac_router{{0x02, 0x00, 0x00, 0x00, 0x01, 0xfe}};
constexpr Ipv4Address ip_a{10, 99, 1, 1};
constexpr Ipv4Address ip_b{10, 99, 1, 2};
constexpr Ipv4Address ip_router{10, 99, 1, 254};
constexpr Ipv4Address ip_far_b{10, 99, 2, 2};  // behind the router

// Linux sends ICMP errors with DSCP CS6 (TOS 0xc0).
constexpr uint8_t dscp_cs6 = 48;

// An Ethernet frame carrying IPv4, parsed with the header checksum verified.
struct Ipv4Frame {
    wire::EthernetRepr eth;
    wire::Ipv4View ip;
    wire::Ipv4Repr ip_repr;
};

std::optional<Ipv4Frame> parse_ipv4_frame(ByteSpan frame) {
    auto eth = wire::EthernetView::parse(frame);
    if (!eth) {
        ADD_FAILURE() << "Ethernet: " << wire::to_string(eth.error());
        return std::nullopt;
    }
    if (eth->ethertype() != wire::EtherType::ipv4) {
        ADD_FAILURE() << "EtherType " << wire::to_string(eth->ethertype()) << ", not IPv4";
        return std::nullopt;
    }
    auto ip = wire::Ipv4View::parse(eth->payload());
    if (!ip) {
        ADD_FAILURE() << "IPv4: " << wire::to_string(ip.error());
        return std::nullopt;
    }
    auto repr = wire::Ipv4Repr::parse(*ip, wire::ChecksumCheck::verify);
    if (!repr) {
        ADD_FAILURE() << "IPv4 repr: " << wire::to_string(repr.error());
        return std::nullopt;
    }
    return Ipv4Frame{wire::EthernetRepr::parse(*eth), *ip, *repr};
}

std::optional<wire::Icmpv4Repr> parse_icmp(ByteSpan message) {
    auto view = wire::Icmpv4View::parse(message);
    if (!view) {
        ADD_FAILURE() << "ICMP: " << wire::to_string(view.error());
        return std::nullopt;
    }
    auto repr = wire::Icmpv4Repr::parse(*view, wire::ChecksumCheck::verify);
    if (!repr) {
        ADD_FAILURE() << "ICMP repr: " << wire::to_string(repr.error());
        return std::nullopt;
    }
    return *repr;
}

std::optional<wire::UdpRepr> parse_udp(const wire::Ipv4View& ip) {
    auto view = wire::UdpView::parse(ip.payload());
    if (!view) {
        ADD_FAILURE() << "UDP: " << wire::to_string(view.error());
        return std::nullopt;
    }
    if (view->checksum() == 0) ADD_FAILURE() << "UDP sent without a checksum";
    auto repr = wire::UdpRepr::parse(*view, ip.src(), ip.dst(), wire::ChecksumCheck::verify);
    if (!repr) {
        ADD_FAILURE() << "UDP repr: " << wire::to_string(repr.error());
        return std::nullopt;
    }
    return *repr;
}

std::optional<wire::TcpRepr> parse_tcp(ByteSpan segment, Ipv4Address src, Ipv4Address dst) {
    auto view = wire::TcpView::parse(segment);
    if (!view) {
        ADD_FAILURE() << "TCP: " << wire::to_string(view.error());
        return std::nullopt;
    }
    auto repr = wire::TcpRepr::parse(*view, src, dst, wire::ChecksumCheck::verify);
    if (!repr) {
        ADD_FAILURE() << "TCP repr: " << wire::to_string(repr.error());
        return std::nullopt;
    }
    return *repr;
}

std::vector<std::byte> emit_icmp(const wire::Icmpv4Repr& r) {
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out);
    return out;
}

std::vector<std::byte> emit_udp(const wire::UdpRepr& r, Ipv4Address src, Ipv4Address dst) {
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, src, dst);
    return out;
}

std::vector<std::byte> emit_tcp(const wire::TcpRepr& r, Ipv4Address src, Ipv4Address dst) {
    std::vector<std::byte> out(r.buffer_len());
    r.emit(out, src, dst);
    return out;
}

// The frame rebuilt from its reprs: Ethernet header, a 20-byte IPv4 header, and
// `payload`, the upper layer as emitted again.
std::string rebuilt_hex(const Ipv4Frame& f, ByteSpan payload) {
    std::vector<std::byte> out(wire::ethernet::header_len + wire::Ipv4Repr::buffer_len() +
                               payload.size());
    f.eth.emit(out);
    f.ip_repr.emit(base::MutableByteSpan(out).subspan(wire::ethernet::header_len));
    base::copy_bytes(
        base::MutableByteSpan(out).subspan(wire::ethernet::header_len + wire::ipv4::min_header_len),
        payload);
    return to_hex(out);
}

// Echo data as iputils ping writes it: a 16-byte timeval, then byte i holds i.
void expect_ping_pattern(ByteSpan data) {
    for (size_t i = 16; i < data.size(); ++i) {
        ASSERT_EQ(static_cast<uint8_t>(data[i]), static_cast<uint8_t>(i)) << "data byte " << i;
    }
}

std::string_view text(ByteSpan b) {
    return base::as_chars(b);
}

// ---------------------------------------------------------------------------

TEST(KnownAnswer, PcapFilesAsTcpdumpWritesThem) {
    const std::pair<std::string_view, size_t> files[] = {
        {"arp_icmp_echo.pcap", 4},         {"udp.pcap", 2},
        {"icmp_port_unreachable.pcap", 2}, {"icmp_time_exceeded.pcap", 2},
        {"icmp_frag_needed.pcap", 2},      {"ipv4_fragments.pcap", 6},
        {"tcp_handshake.pcap", 10},        {"tcp_sack.pcap", 8},
    };
    for (const auto& [name, records] : files) {
        SCOPED_TRACE(name);
        const Capture c(name);
        // Little-endian, microsecond timestamps, version 2.4, Ethernet.
        EXPECT_FALSE(c.header().big_endian);
        EXPECT_FALSE(c.header().nanosecond);
        EXPECT_EQ(c.header().version_major, 2);
        EXPECT_EQ(c.header().version_minor, 4);
        EXPECT_EQ(c.header().snaplen, 262144u);
        EXPECT_EQ(c.header().linktype, wire::pcap::linktype_ethernet);
        ASSERT_EQ(c.size(), records);
        for (size_t i = 0; i < c.size(); ++i) {
            EXPECT_EQ(c.record(i).original_len, c.frame(i).size()) << "record " << i;
            EXPECT_EQ(c.record(i).timestamp_ns % 1000, 0) << "record " << i;
            if (i > 0) {
                EXPECT_GE(c.record(i).timestamp_ns, c.record(i - 1).timestamp_ns);
            }
        }
    }
    // The first record of arp_icmp_echo.pcap: 0x6b01304b s, 0x084ee9 µs.
    const Capture c("arp_icmp_echo.pcap");
    ASSERT_GE(c.size(), 1u);
    EXPECT_EQ(c.record(0).timestamp_ns, 1795240011'544489000);
    const size_t lengths[] = {42, 42, 98, 98};
    for (size_t i = 0; i < c.size(); ++i)
        EXPECT_EQ(c.frame(i).size(), lengths[i]);
}

TEST(KnownAnswer, ArpRequestAndReply) {
    const Capture c("arp_icmp_echo.pcap");
    ASSERT_EQ(c.size(), 4u);

    struct Expected {
        MacAddress eth_dst, eth_src;
        wire::ArpRepr arp;
    };
    const Expected expected[] = {
        {MacAddress::broadcast(),
         mac_a,
         {.operation = wire::ArpOperation::request,
          .sender_mac = mac_a,
          .sender_ip = ip_a,
          .target_mac = MacAddress{},
          .target_ip = ip_b}},
        {mac_a,
         mac_b,
         {.operation = wire::ArpOperation::reply,
          .sender_mac = mac_b,
          .sender_ip = ip_b,
          .target_mac = mac_a,
          .target_ip = ip_a}},
    };
    for (size_t i = 0; i < 2; ++i) {
        SCOPED_TRACE(i);
        auto eth = wire::EthernetView::parse(c.frame(i));
        ASSERT_TRUE(eth);
        EXPECT_EQ(eth->dst(), expected[i].eth_dst);
        EXPECT_EQ(eth->src(), expected[i].eth_src);
        EXPECT_EQ(eth->ethertype(), wire::EtherType::arp);
        EXPECT_EQ(eth->payload().size(), wire::arp::packet_len);

        auto view = wire::ArpView::parse(eth->payload());
        ASSERT_TRUE(view);
        EXPECT_EQ(view->operation(), i + 1);
        auto arp = wire::ArpRepr::parse(*view);
        ASSERT_TRUE(arp);
        EXPECT_EQ(*arp, expected[i].arp);

        std::vector<std::byte> out(wire::ethernet::header_len + wire::ArpRepr::buffer_len());
        wire::EthernetRepr::parse(*eth).emit(out);
        arp->emit(base::MutableByteSpan(out).subspan(wire::ethernet::header_len));
        EXPECT_EQ(to_hex(out), to_hex(c.frame(i)));
    }
}

TEST(KnownAnswer, IcmpEchoRequestAndReply) {
    const Capture c("arp_icmp_echo.pcap");
    ASSERT_EQ(c.size(), 4u);

    auto request = parse_ipv4_frame(c.frame(2));
    ASSERT_TRUE(request);
    EXPECT_EQ(request->eth, (wire::EthernetRepr{mac_b, mac_a, wire::EtherType::ipv4}));
    EXPECT_EQ(request->ip.header_len(), 20u);
    EXPECT_EQ(request->ip.checksum(), 0xaa50);
    EXPECT_EQ(request->ip_repr, (wire::Ipv4Repr{.src = ip_a,
                                                .dst = ip_b,
                                                .protocol = wire::IpProtocol::icmp,
                                                .ttl = 64,
                                                .identification = 0x7990,
                                                .dont_fragment = true,
                                                .payload_len = 64}));
    auto echo = parse_icmp(request->ip.payload());
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->type, wire::Icmpv4Type::echo_request);
    EXPECT_EQ(echo->code, 0);
    EXPECT_EQ(echo->identifier, 4660);  // ping -e 4660
    EXPECT_EQ(echo->sequence, 1);
    EXPECT_EQ(base::load_be16(request->ip.payload(), wire::icmpv4::field::checksum), 0x780e);
    ASSERT_EQ(echo->data.size(), 56u);
    expect_ping_pattern(echo->data);
    EXPECT_EQ(rebuilt_hex(*request, emit_icmp(*echo)), to_hex(c.frame(2)));

    auto reply = parse_ipv4_frame(c.frame(3));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->eth, (wire::EthernetRepr{mac_a, mac_b, wire::EtherType::ipv4}));
    EXPECT_EQ(reply->ip_repr, (wire::Ipv4Repr{.src = ip_b,
                                              .dst = ip_a,
                                              .protocol = wire::IpProtocol::icmp,
                                              .ttl = 64,
                                              .identification = 0xe285,
                                              .dont_fragment = false,
                                              .payload_len = 64}));
    auto echo_reply = parse_icmp(reply->ip.payload());
    ASSERT_TRUE(echo_reply);
    EXPECT_EQ(echo_reply->type, wire::Icmpv4Type::echo_reply);
    EXPECT_EQ(echo_reply->code, 0);
    EXPECT_EQ(echo_reply->identifier, echo->identifier);
    EXPECT_EQ(echo_reply->sequence, echo->sequence);
    EXPECT_EQ(base::load_be16(reply->ip.payload(), wire::icmpv4::field::checksum), 0x800e);
    // The reply carries the request's data back, timestamp included.
    EXPECT_TRUE(base::equal_bytes(echo_reply->data, echo->data));
    EXPECT_EQ(rebuilt_hex(*reply, emit_icmp(*echo_reply)), to_hex(c.frame(3)));
}

TEST(KnownAnswer, UdpDatagramAndAnswer) {
    const Capture c("udp.pcap");
    ASSERT_EQ(c.size(), 2u);

    auto out = parse_ipv4_frame(c.frame(0));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->eth, (wire::EthernetRepr{mac_b, mac_a, wire::EtherType::ipv4}));
    EXPECT_EQ(out->ip_repr, (wire::Ipv4Repr{.src = ip_a,
                                            .dst = ip_b,
                                            .protocol = wire::IpProtocol::udp,
                                            .ttl = 64,
                                            .identification = 0x162e,
                                            .dont_fragment = true,
                                            .payload_len = 17}));
    auto udp = parse_udp(out->ip);
    ASSERT_TRUE(udp);
    EXPECT_EQ(udp->src_port, 40001);
    EXPECT_EQ(udp->dst_port, 7777);
    EXPECT_EQ(text(udp->payload), "hello-udp");
    auto view = wire::UdpView::parse(out->ip.payload());
    ASSERT_TRUE(view);
    EXPECT_EQ(view->length(), 17);
    EXPECT_EQ(view->checksum(), 0x04fd);
    EXPECT_EQ(rebuilt_hex(*out, emit_udp(*udp, ip_a, ip_b)), to_hex(c.frame(0)));

    auto back = parse_ipv4_frame(c.frame(1));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->eth, (wire::EthernetRepr{mac_a, mac_b, wire::EtherType::ipv4}));
    EXPECT_EQ(back->ip_repr, (wire::Ipv4Repr{.src = ip_b,
                                             .dst = ip_a,
                                             .protocol = wire::IpProtocol::udp,
                                             .ttl = 64,
                                             .identification = 0x6a91,
                                             .dont_fragment = true,
                                             .payload_len = 23}));
    auto answer = parse_udp(back->ip);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->src_port, 7777);
    EXPECT_EQ(answer->dst_port, 40001);
    EXPECT_EQ(text(answer->payload), "hello-udp-reply");
    EXPECT_EQ(base::load_be16(back->ip.payload(), wire::udp::field::checksum), 0xa8f1);
    EXPECT_EQ(rebuilt_hex(*back, emit_udp(*answer, ip_b, ip_a)), to_hex(c.frame(1)));
}

TEST(KnownAnswer, IcmpPortUnreachableQuotesTheDatagram) {
    const Capture c("icmp_port_unreachable.pcap");
    ASSERT_EQ(c.size(), 2u);

    auto probe = parse_ipv4_frame(c.frame(0));
    ASSERT_TRUE(probe);
    EXPECT_EQ(probe->ip_repr.identification, 0xf656);
    auto udp = parse_udp(probe->ip);
    ASSERT_TRUE(udp);
    EXPECT_EQ(udp->src_port, 40002);
    EXPECT_EQ(udp->dst_port, 9);
    EXPECT_EQ(text(udp->payload), "knock-knock");
    EXPECT_EQ(rebuilt_hex(*probe, emit_udp(*udp, ip_a, ip_b)), to_hex(c.frame(0)));

    auto error = parse_ipv4_frame(c.frame(1));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->eth, (wire::EthernetRepr{mac_a, mac_b, wire::EtherType::ipv4}));
    EXPECT_EQ(error->ip_repr, (wire::Ipv4Repr{.src = ip_b,
                                              .dst = ip_a,
                                              .protocol = wire::IpProtocol::icmp,
                                              .ttl = 64,
                                              .dscp = dscp_cs6,
                                              .ecn = 0,
                                              .identification = 0x2354,
                                              .dont_fragment = false,
                                              .payload_len = 47}));
    auto icmp = parse_icmp(error->ip.payload());
    ASSERT_TRUE(icmp);
    EXPECT_EQ(icmp->type, wire::Icmpv4Type::dest_unreachable);
    EXPECT_EQ(icmp->code, static_cast<uint8_t>(wire::UnreachableCode::port));
    EXPECT_EQ(icmp->next_hop_mtu, 0);
    EXPECT_EQ(base::load_be16(error->ip.payload(), wire::icmpv4::field::checksum), 0x13ea);
    EXPECT_EQ(rebuilt_hex(*error, emit_icmp(*icmp)), to_hex(c.frame(1)));

    // The quote is the whole offending datagram: it parses, checksums and all.
    EXPECT_EQ(to_hex(icmp->data), to_hex(probe->ip.bytes()));
    auto quoted = wire::Ipv4View::parse(icmp->data);
    ASSERT_TRUE(quoted);
    auto quoted_repr = wire::Ipv4Repr::parse(*quoted);
    ASSERT_TRUE(quoted_repr);
    EXPECT_EQ(*quoted_repr, probe->ip_repr);
    auto quoted_udp = parse_udp(*quoted);
    ASSERT_TRUE(quoted_udp);
    EXPECT_EQ(quoted_udp->dst_port, 9);
    EXPECT_EQ(text(quoted_udp->payload), "knock-knock");
}

TEST(KnownAnswer, IcmpTimeExceededFromTheRouter) {
    const Capture c("icmp_time_exceeded.pcap");
    ASSERT_EQ(c.size(), 2u);

    auto request = parse_ipv4_frame(c.frame(0));
    ASSERT_TRUE(request);
    EXPECT_EQ(request->eth, (wire::EthernetRepr{mac_router, mac_a, wire::EtherType::ipv4}));
    EXPECT_EQ(request->ip_repr, (wire::Ipv4Repr{.src = ip_a,
                                                .dst = ip_far_b,
                                                .protocol = wire::IpProtocol::icmp,
                                                .ttl = 1,  // ping -t 1
                                                .identification = 0x455b,
                                                .dont_fragment = true,
                                                .payload_len = 64}));
    auto echo = parse_icmp(request->ip.payload());
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->type, wire::Icmpv4Type::echo_request);
    EXPECT_EQ(echo->identifier, 9029);
    EXPECT_EQ(echo->sequence, 1);
    EXPECT_EQ(rebuilt_hex(*request, emit_icmp(*echo)), to_hex(c.frame(0)));

    auto error = parse_ipv4_frame(c.frame(1));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->eth, (wire::EthernetRepr{mac_a, mac_router, wire::EtherType::ipv4}));
    EXPECT_EQ(error->ip.checksum(), 0x868c);
    EXPECT_EQ(error->ip_repr, (wire::Ipv4Repr{.src = ip_router,
                                              .dst = ip_a,
                                              .protocol = wire::IpProtocol::icmp,
                                              .ttl = 64,
                                              .dscp = dscp_cs6,
                                              .identification = 0xdb7c,
                                              .payload_len = 92}));
    auto icmp = parse_icmp(error->ip.payload());
    ASSERT_TRUE(icmp);
    EXPECT_EQ(icmp->type, wire::Icmpv4Type::time_exceeded);
    EXPECT_EQ(icmp->code, static_cast<uint8_t>(wire::TimeExceededCode::ttl));
    EXPECT_EQ(base::load_be16(error->ip.payload(), wire::icmpv4::field::checksum), 0xf4ff);
    EXPECT_EQ(rebuilt_hex(*error, emit_icmp(*icmp)), to_hex(c.frame(1)));

    // The router quotes the datagram as it arrived, TTL 1 and all.
    EXPECT_EQ(to_hex(icmp->data), to_hex(request->ip.bytes()));
    auto quoted = wire::Ipv4View::parse(icmp->data);
    ASSERT_TRUE(quoted);
    auto quoted_repr = wire::Ipv4Repr::parse(*quoted);
    ASSERT_TRUE(quoted_repr);
    EXPECT_EQ(quoted_repr->ttl, 1);
    EXPECT_EQ(quoted_repr->dst, ip_far_b);
    auto quoted_echo = parse_icmp(quoted->payload());
    ASSERT_TRUE(quoted_echo);
    EXPECT_EQ(quoted_echo->identifier, 9029);
    EXPECT_EQ(quoted_echo->sequence, 1);
}

TEST(KnownAnswer, IcmpFragmentationNeededCarriesTheNextHopMtu) {
    const Capture c("icmp_frag_needed.pcap");
    ASSERT_EQ(c.size(), 2u);

    auto request = parse_ipv4_frame(c.frame(0));
    ASSERT_TRUE(request);
    EXPECT_EQ(request->eth, (wire::EthernetRepr{mac_router, mac_a, wire::EtherType::ipv4}));
    EXPECT_EQ(request->ip_repr, (wire::Ipv4Repr{.src = ip_a,
                                                .dst = ip_far_b,
                                                .protocol = wire::IpProtocol::icmp,
                                                .ttl = 64,
                                                .identification = 0,
                                                .dont_fragment = true,  // ping -M do
                                                .payload_len = 1408}));
    auto echo = parse_icmp(request->ip.payload());
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->identifier, 13398);
    ASSERT_EQ(echo->data.size(), 1400u);
    expect_ping_pattern(echo->data);
    EXPECT_EQ(rebuilt_hex(*request, emit_icmp(*echo)), to_hex(c.frame(0)));

    auto error = parse_ipv4_frame(c.frame(1));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->eth, (wire::EthernetRepr{mac_a, mac_router, wire::EtherType::ipv4}));
    EXPECT_EQ(error->ip_repr, (wire::Ipv4Repr{.src = ip_router,
                                              .dst = ip_a,
                                              .protocol = wire::IpProtocol::icmp,
                                              .ttl = 64,
                                              .dscp = dscp_cs6,
                                              .identification = 0x09bf,
                                              .payload_len = 556}));
    auto icmp = parse_icmp(error->ip.payload());
    ASSERT_TRUE(icmp);
    EXPECT_EQ(icmp->type, wire::Icmpv4Type::dest_unreachable);
    EXPECT_EQ(icmp->code, static_cast<uint8_t>(wire::UnreachableCode::fragmentation_needed));
    EXPECT_EQ(icmp->next_hop_mtu, 1280);
    EXPECT_EQ(base::load_be16(error->ip.payload(), wire::icmpv4::field::checksum), 0x0ec9);
    EXPECT_EQ(rebuilt_hex(*error, emit_icmp(*icmp)), to_hex(c.frame(1)));

    // Linux keeps the error within 576 bytes, so the quote is the first 548
    // bytes of the 1428-byte datagram: a whole header, a cut payload.
    ASSERT_EQ(icmp->data.size(), 548u);
    EXPECT_EQ(to_hex(icmp->data), to_hex(request->ip.bytes().first(548)));
    // A plain parse refuses a datagram cut short; the quote parse takes it.
    EXPECT_EQ(wire::Ipv4View::parse(icmp->data).error(), wire::Error::truncated);
    auto quoted = wire::Ipv4View::parse_truncated(icmp->data);
    ASSERT_TRUE(quoted);
    EXPECT_TRUE(quoted->checksum_valid());
    EXPECT_EQ(quoted->total_len(), 1428);
    EXPECT_EQ(quoted->dst(), ip_far_b);
    EXPECT_EQ(quoted->payload().size(), 548u - 20u);
    auto quoted_echo = wire::Icmpv4View::parse(quoted->payload());
    ASSERT_TRUE(quoted_echo);
    EXPECT_EQ(quoted_echo->type(), static_cast<uint8_t>(wire::Icmpv4Type::echo_request));
    EXPECT_EQ(quoted_echo->identifier(), 13398);
    EXPECT_EQ(quoted_echo->sequence(), 1);
}

TEST(KnownAnswer, Ipv4FragmentsReassembleToOneEcho) {
    const Capture c("ipv4_fragments.pcap");
    ASSERT_EQ(c.size(), 6u);

    struct Expected {
        uint16_t offset;
        bool more;
        uint16_t payload_len;
    };
    // ping -s 3000: 3008 bytes of ICMP in fragments of 1480, 1480 and 48 bytes.
    const Expected layout[] = {{0, true, 1480}, {1480, true, 1480}, {2960, false, 48}};
    const uint16_t header_checksums[] = {0xe890, 0xe7d7, 0x0cb7, 0x86cd, 0x8614, 0xaaf3};

    constexpr uint16_t id_request = 0x55c8;
    constexpr uint16_t id_reply = 0xb78b;
    std::vector<wire::Icmpv4Repr> echoes;
    std::vector<std::vector<std::byte>> messages(2, std::vector<std::byte>(3008));
    for (size_t i = 0; i < c.size(); ++i) {
        SCOPED_TRACE(i);
        const bool request = i < 3;
        auto f = parse_ipv4_frame(c.frame(i));
        ASSERT_TRUE(f);
        EXPECT_EQ(f->eth.src, request ? mac_a : mac_b);
        EXPECT_EQ(f->ip.checksum(), header_checksums[i]);
        const Expected& e = layout[i % 3];
        EXPECT_EQ(f->ip_repr, (wire::Ipv4Repr{.src = request ? ip_a : ip_b,
                                              .dst = request ? ip_b : ip_a,
                                              .protocol = wire::IpProtocol::icmp,
                                              .ttl = 64,
                                              .identification = request ? id_request : id_reply,
                                              .dont_fragment = false,
                                              .more_fragments = e.more,
                                              .fragment_offset = e.offset,
                                              .payload_len = e.payload_len}));
        EXPECT_EQ(f->ip.more_fragments(), e.more);
        EXPECT_TRUE(f->ip.is_fragment());
        std::vector<std::byte> header(wire::Ipv4Repr::buffer_len());
        f->ip_repr.emit(header);
        EXPECT_EQ(to_hex(header), to_hex(f->ip.header()));

        auto& message = messages[request ? 0 : 1];
        ASSERT_LE(e.offset + f->ip.payload().size(), message.size());
        base::copy_bytes(base::MutableByteSpan(message).subspan(e.offset), f->ip.payload());
    }
    // Reassembled, each message's ICMP checksum verifies.
    for (const auto& message : messages) {
        auto echo = parse_icmp(message);
        ASSERT_TRUE(echo);
        EXPECT_EQ(echo->identifier, 17767);
        EXPECT_EQ(echo->sequence, 1);
        ASSERT_EQ(echo->data.size(), 3000u);
        expect_ping_pattern(echo->data);
        EXPECT_EQ(to_hex(emit_icmp(*echo)), to_hex(message));
        echoes.push_back(*echo);
    }
    EXPECT_EQ(echoes[0].type, wire::Icmpv4Type::echo_request);
    EXPECT_EQ(echoes[1].type, wire::Icmpv4Type::echo_reply);
    EXPECT_EQ(base::load_be16(messages[0], wire::icmpv4::field::checksum), 0xf33c);
    EXPECT_EQ(base::load_be16(messages[1], wire::icmpv4::field::checksum), 0xfb3c);
    EXPECT_TRUE(base::equal_bytes(echoes[0].data, echoes[1].data));
}

// A TCP segment of a capture between mkat-a (10.99.1.1) and mkat-b (10.99.1.2).
struct Segment {
    bool from_a = false;
    wire::Ipv4Repr ip;
    wire::TcpRepr tcp;
};

// Parses every frame as TCP between a and b, and checks that the reprs emit again
// to the captured bytes (a SYN's options are laid out differently by Linux, so
// for a SYN only the re-parsed repr is compared).
std::vector<Segment> parse_segments(const Capture& c) {
    std::vector<Segment> out;
    for (size_t i = 0; i < c.size(); ++i) {
        SCOPED_TRACE(i);
        auto f = parse_ipv4_frame(c.frame(i));
        if (!f) return {};
        const bool from_a = f->ip_repr.src == ip_a;
        EXPECT_EQ(f->eth.src, from_a ? mac_a : mac_b);
        EXPECT_EQ(f->eth.dst, from_a ? mac_b : mac_a);
        EXPECT_EQ(f->ip_repr.src, from_a ? ip_a : ip_b);
        EXPECT_EQ(f->ip_repr.dst, from_a ? ip_b : ip_a);
        EXPECT_EQ(f->ip_repr.protocol, wire::IpProtocol::tcp);
        EXPECT_EQ(f->ip_repr.ttl, 64);
        EXPECT_TRUE(f->ip_repr.dont_fragment);
        auto tcp = parse_tcp(f->ip.payload(), f->ip_repr.src, f->ip_repr.dst);
        if (!tcp) return {};

        const auto emitted = emit_tcp(*tcp, f->ip_repr.src, f->ip_repr.dst);
        auto reparsed = parse_tcp(emitted, f->ip_repr.src, f->ip_repr.dst);
        if (!reparsed) return {};
        EXPECT_TRUE(*reparsed == *tcp);
        if (!tcp->flags.has(TcpFlags::syn)) {
            EXPECT_EQ(rebuilt_hex(*f, emitted), to_hex(c.frame(i)));
        }
        out.push_back({from_a, f->ip_repr, *tcp});
    }
    return out;
}

// Each side's sequence numbers advance by what it sent, and every ACK
// acknowledges no more than the peer has sent.
void expect_sequence_space_consistent(const std::vector<Segment>& segments) {
    std::optional<SeqNum> next[2];  // [from b, from a]
    for (size_t i = 0; i < segments.size(); ++i) {
        SCOPED_TRACE(i);
        const Segment& s = segments[i];
        auto& mine = next[s.from_a ? 1 : 0];
        const auto& peer = next[s.from_a ? 0 : 1];
        if (s.tcp.flags.has(TcpFlags::syn)) {
            mine = s.tcp.seq + s.tcp.sequence_len();
        } else {
            ASSERT_TRUE(mine);
            EXPECT_LE(s.tcp.seq, *mine);  // below it only when retransmitting
            if (s.tcp.seq + s.tcp.sequence_len() > *mine) *mine = s.tcp.seq + s.tcp.sequence_len();
        }
        if (s.tcp.flags.has(TcpFlags::ack)) {
            ASSERT_TRUE(peer);
            EXPECT_LE(s.tcp.ack, *peer);
        }
    }
}

TEST(KnownAnswer, TcpHandshakeOptions) {
    const Capture c("tcp_handshake.pcap");
    const auto s = parse_segments(c);
    ASSERT_EQ(s.size(), 10u);

    const wire::TcpRepr& syn = s[0].tcp;
    EXPECT_TRUE(s[0].from_a);
    EXPECT_EQ(s[0].ip.identification, 0x220d);
    EXPECT_EQ(syn.src_port, 40003);
    EXPECT_EQ(syn.dst_port, 8080);
    EXPECT_EQ(syn.flags, TcpFlags{TcpFlags::syn});
    EXPECT_EQ(syn.seq, SeqNum{3415159636});
    EXPECT_EQ(syn.window, 64240);
    EXPECT_EQ(syn.mss, 1460);
    EXPECT_EQ(syn.window_scale, 7);
    EXPECT_TRUE(syn.sack_permitted);
    EXPECT_EQ(syn.timestamps, (wire::TcpTimestamps{264695711, 0}));
    EXPECT_TRUE(syn.sack_blocks.empty());
    EXPECT_TRUE(syn.payload.empty());
    // Linux's layout: MSS, SACK-permitted, timestamps, NOP, window scale.
    auto syn_frame = parse_ipv4_frame(c.frame(0));
    ASSERT_TRUE(syn_frame);
    auto syn_view = wire::TcpView::parse(syn_frame->ip.payload());
    ASSERT_TRUE(syn_view);
    EXPECT_EQ(syn_view->header_len(), 40u);
    EXPECT_EQ(syn_view->checksum(), 0x7c29);
    EXPECT_EQ(to_hex(syn_view->options()),
              "020405b4"
              "0402"
              "080a0fc6ef9f00000000"
              "01"
              "030307");

    const wire::TcpRepr& syn_ack = s[1].tcp;
    EXPECT_FALSE(s[1].from_a);
    EXPECT_EQ(syn_ack.src_port, 8080);
    EXPECT_EQ(syn_ack.dst_port, 40003);
    EXPECT_EQ(syn_ack.flags, TcpFlags{TcpFlags::syn | TcpFlags::ack});
    EXPECT_EQ(syn_ack.seq, SeqNum{1480496758});
    EXPECT_EQ(syn_ack.ack, syn.seq + 1);
    EXPECT_EQ(syn_ack.window, 65160);
    EXPECT_EQ(syn_ack.mss, 1460);
    EXPECT_EQ(syn_ack.window_scale, 7);
    EXPECT_TRUE(syn_ack.sack_permitted);
    // TSecr echoes the SYN's TSval (RFC 7323 §3.2).
    EXPECT_EQ(syn_ack.timestamps, (wire::TcpTimestamps{1313071758, 264695711}));

    const wire::TcpRepr& ack = s[2].tcp;
    EXPECT_EQ(ack.flags, TcpFlags{TcpFlags::ack});
    EXPECT_EQ(ack.seq, syn.seq + 1);
    EXPECT_EQ(ack.ack, syn_ack.seq + 1);
    EXPECT_EQ(ack.window, 502);  // × 2^7 = 64256
    EXPECT_FALSE(ack.mss);
    EXPECT_FALSE(ack.window_scale);
    EXPECT_FALSE(ack.sack_permitted);
    EXPECT_EQ(ack.timestamps, (wire::TcpTimestamps{264695711, 1313071758}));

    expect_sequence_space_consistent(s);
}

TEST(KnownAnswer, TcpDataAndClose) {
    const Capture c("tcp_handshake.pcap");
    const auto s = parse_segments(c);
    ASSERT_EQ(s.size(), 10u);
    const SeqNum isn_a = s[0].tcp.seq;
    const SeqNum isn_b = s[1].tcp.seq;

    struct Expected {
        bool from_a;
        uint16_t flags;
        uint32_t seq;  // relative to the sender's ISN
        uint32_t ack;  // relative to the receiver's ISN
        uint16_t window;
        std::string_view payload;
        wire::TcpTimestamps timestamps;
    };
    constexpr uint16_t ack = TcpFlags::ack;
    constexpr uint16_t psh_ack = TcpFlags::psh | TcpFlags::ack;
    constexpr uint16_t fin_ack = TcpFlags::fin | TcpFlags::ack;
    constexpr wire::TcpTimestamps ts_a{264695711, 1313071758};
    constexpr wire::TcpTimestamps ts_b{1313071758, 264695711};
    const Expected expected[] = {
        {true, psh_ack, 1, 1, 502, "Hello!", ts_a},
        {false, ack, 1, 7, 510, "", ts_b},
        {false, psh_ack, 1, 7, 510, "Hello back!", ts_b},
        {true, ack, 7, 12, 502, "", ts_a},
        {true, fin_ack, 7, 12, 502, "", ts_a},
        {false, fin_ack, 12, 8, 510, "", {1313071759, 264695711}},
        {true, ack, 8, 13, 502, "", {264695712, 1313071759}},
    };
    for (size_t i = 0; i < std::size(expected); ++i) {
        SCOPED_TRACE(i + 3);
        const Expected& e = expected[i];
        const Segment& seg = s[i + 3];
        EXPECT_EQ(seg.from_a, e.from_a);
        EXPECT_EQ(seg.tcp.src_port, e.from_a ? 40003 : 8080);
        EXPECT_EQ(seg.tcp.dst_port, e.from_a ? 8080 : 40003);
        EXPECT_EQ(seg.tcp.flags, TcpFlags{e.flags});
        EXPECT_EQ(seg.tcp.seq, (e.from_a ? isn_a : isn_b) + e.seq);
        EXPECT_EQ(seg.tcp.ack, (e.from_a ? isn_b : isn_a) + e.ack);
        EXPECT_EQ(seg.tcp.window, e.window);
        EXPECT_EQ(text(seg.tcp.payload), e.payload);
        EXPECT_EQ(seg.tcp.timestamps, e.timestamps);
        EXPECT_FALSE(seg.tcp.mss);
        EXPECT_TRUE(seg.tcp.sack_blocks.empty());
    }
    EXPECT_EQ(s[3].ip.identification, 0x220f);
    EXPECT_EQ(s[8].ip.identification, 0x5539);
}

TEST(KnownAnswer, TcpSackBlockAfterALoss) {
    const Capture c("tcp_sack.pcap");
    const auto s = parse_segments(c);
    // Frames of the transfer were cut out (see tests/data/README.md), so the
    // sequence space is checked segment by segment rather than as a whole.
    ASSERT_EQ(s.size(), 8u);

    const wire::TcpRepr& syn = s[0].tcp;
    EXPECT_EQ(syn.src_port, 40004);
    EXPECT_EQ(syn.dst_port, 8081);
    EXPECT_EQ(syn.seq, SeqNum{1045047662});
    EXPECT_TRUE(syn.sack_permitted);
    EXPECT_TRUE(s[1].tcp.sack_permitted);
    EXPECT_EQ(s[1].tcp.ack, syn.seq + 1);
    const SeqNum isn = syn.seq;

    // The client sends bytes(i % 251); the fifth full segment was dropped.
    const wire::TcpRepr& lost = s[3].tcp;
    const wire::TcpRepr& next = s[4].tcp;
    EXPECT_TRUE(s[3].from_a);
    EXPECT_EQ(lost.seq, isn + 1 + 4 * 1448);
    EXPECT_EQ(lost.flags, TcpFlags{TcpFlags::psh | TcpFlags::ack});
    ASSERT_EQ(lost.payload.size(), 1448u);
    EXPECT_EQ(next.seq, lost.seq + 1448);
    ASSERT_EQ(next.payload.size(), 1448u);
    for (const wire::TcpRepr* seg : {&lost, &next}) {
        const uint32_t offset = static_cast<uint32_t>(seg->seq - (isn + 1));
        for (size_t k = 0; k < seg->payload.size(); ++k) {
            ASSERT_EQ(static_cast<uint8_t>(seg->payload[k]), (offset + k) % 251) << k;
        }
    }

    // The receiver's duplicate ACK: the hole is [ack, left).
    const wire::TcpRepr& dup_ack = s[5].tcp;
    EXPECT_FALSE(s[5].from_a);
    EXPECT_EQ(dup_ack.flags, TcpFlags{TcpFlags::ack});
    EXPECT_EQ(dup_ack.ack, lost.seq);
    EXPECT_EQ(dup_ack.sack_blocks, (wire::TcpSackList{{SeqNum{1045054903}, SeqNum{1045056351}}}));
    ASSERT_EQ(dup_ack.sack_blocks.size(), 1u);
    EXPECT_EQ(dup_ack.sack_blocks[0].left, next.seq);
    EXPECT_EQ(dup_ack.sack_blocks[0].right - dup_ack.sack_blocks[0].left, 1448);
    EXPECT_EQ(dup_ack.timestamps, (wire::TcpTimestamps{862619721, 1027019369}));
    EXPECT_EQ(dup_ack.window, 623);
    auto dup_frame = parse_ipv4_frame(c.frame(5));
    ASSERT_TRUE(dup_frame);
    auto dup_view = wire::TcpView::parse(dup_frame->ip.payload());
    ASSERT_TRUE(dup_view);
    EXPECT_EQ(dup_view->header_len(), 44u);  // NOP NOP TS, NOP NOP SACK(1 block)
    EXPECT_EQ(dup_view->checksum(), 0x4535);

    // The retransmission carries the same bytes; afterwards the ACK covers
    // everything the SACK block had and more, with no SACK block left.
    const wire::TcpRepr& retransmission = s[6].tcp;
    EXPECT_TRUE(s[6].from_a);
    EXPECT_EQ(retransmission.seq, lost.seq);
    EXPECT_TRUE(base::equal_bytes(retransmission.payload, lost.payload));
    const wire::TcpRepr& after = s[7].tcp;
    EXPECT_EQ(after.ack, isn + 24617);
    EXPECT_GE(after.ack, dup_ack.sack_blocks[0].right);
    EXPECT_TRUE(after.sack_blocks.empty());
}

}  // namespace
