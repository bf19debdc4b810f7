// stack::Host speaking IPv6: hosts wired through their frame sinks, no
// simulator. Addresses and duplicate address detection (RFC 4862), neighbour
// discovery and its cache states (RFC 4861), routers with the hop limit and
// without fragmentation (RFC 8200), ICMPv6 errors (RFC 4443).
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "stack/host.hpp"
#include "testing/capture.hpp"
#include "testing/printers.hpp"
#include "testing/wires.hpp"
#include "wire/ethernet.hpp"

namespace {

using base::Duration;
using base::Time;
using stack::DropReason;
using stack::Host;
using stack::Ipv6AddressState;
using stack::NdpEvent;
using stack::NeighborState;
using testing_support::Wires;
using wire::Icmpv6Type;
using wire::Ipv6Address;

Ipv6Address addr(std::string_view text) {
    return Ipv6Address::parse(text).value();
}

const Ipv6Address net_ab = addr("2001:db8:1::");
const Ipv6Address net_bc = addr("2001:db8:2::");

Time at(double seconds) {
    return Time::zero() + Duration::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// What a host tells its observer about IPv6.
class Watcher : public stack::Observer {
  public:
    void dropped(Time, DropReason r, stack::Layer, base::ByteSpan) override { ++drops[r]; }
    void ndp(Time, NdpEvent e, stack::InterfaceId, const Ipv6Address& target,
             const wire::MacAddress&) override {
        events.push_back({e, target});
    }
    int count(NdpEvent e) const {
        int n = 0;
        for (const auto& [event, target] : events)
            n += event == e ? 1 : 0;
        return n;
    }
    std::map<DropReason, int> drops;
    std::vector<std::pair<NdpEvent, Ipv6Address>> events;
};

class Heard : public stack::Icmpv6Listener {
  public:
    void icmpv6_received(const stack::Icmpv6Message& m, Time) override {
        messages.push_back(m);
        quoted.emplace_back(m.icmp.data.begin(), m.icmp.data.end());
        messages.back().icmp.data = {};  // borrowed only during the call
    }
    std::vector<stack::Icmpv6Message> messages;
    std::vector<std::vector<std::byte>> quoted;
};

// Frames one host sent, as IPv6 packets carrying ICMPv6 of type `type`.
std::vector<wire::Ipv6Repr> sent_icmpv6(const Wires& w, const Host& from, Icmpv6Type type) {
    std::vector<wire::Ipv6Repr> out;
    for (const auto& r : w.sent) {
        if (r.from != &from) continue;
        auto eth = wire::EthernetView::parse(r.frame);
        if (!eth || eth->ethertype() != wire::EtherType::ipv6) continue;
        auto ip = wire::Ipv6View::parse(eth->payload());
        if (!ip || ip->next_header() != 58 || ip->payload().empty()) continue;
        if (ip->payload()[0] != std::byte{static_cast<uint8_t>(type)}) continue;
        out.push_back(wire::Ipv6Repr::parse(*ip));
    }
    return out;
}

struct Pair {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    Watcher wa;
    Watcher wb;
    Pair() {
        w.join6(a, b, net_ab);
        a.set_observer(&wa);
        b.set_observer(&wb);
    }
    Ipv6Address ip_a() const { return Wires::with(net_ab, 1); }
    Ipv6Address ip_b() const { return Wires::with(net_ab, 2); }
};

TEST(HostIpv6, AnInterfaceHasALinkLocalAddressAndChecksEveryAddressFirst) {
    Pair p;
    const auto& addresses = p.a.ipv6_addresses(0);
    ASSERT_EQ(addresses.size(), 2u);
    EXPECT_EQ(addresses[0].address,
              (wire::Ipv6Cidr{addr("fe80::ff:fe00:1"), 64}))  // EUI-64 of 02:00:00:00:00:01
        << addresses[0].address.to_string();
    EXPECT_EQ(addresses[0].origin, stack::Ipv6Origin::link_local);
    EXPECT_EQ(addresses[1].address, (wire::Ipv6Cidr{p.ip_a(), 64}));
    EXPECT_EQ(addresses[0].state, Ipv6AddressState::tentative);
    EXPECT_FALSE(p.a.is_local_address(p.ip_a())) << "tentative: not ours yet";
    EXPECT_FALSE(p.a.source_address_for(p.ip_b())) << "no address to send from yet";

    p.w.pump(at(0));
    // One detection solicitation per address: from ::, to its solicited-node
    // group, without a link-layer address option.
    const auto dad = sent_icmpv6(p.w, p.a, Icmpv6Type::neighbor_solicitation);
    ASSERT_EQ(dad.size(), 2u);
    for (const auto& ip : dad) {
        EXPECT_TRUE(ip.src.is_unspecified());
        EXPECT_EQ(ip.hop_limit, 255);
        EXPECT_EQ(ip.payload_len, 24u) << "no option";
    }
    EXPECT_EQ(dad[1].dst, p.ip_a().solicited_node());
    EXPECT_EQ(p.wa.count(NdpEvent::dad_started), 2);

    p.w.run(at(0), at(2));
    EXPECT_EQ(addresses[0].state, Ipv6AddressState::preferred);
    EXPECT_EQ(addresses[1].state, Ipv6AddressState::preferred);
    EXPECT_EQ(p.wa.count(NdpEvent::address_ready), 2);
    EXPECT_TRUE(p.a.is_local_address(p.ip_a()));
    EXPECT_EQ(p.a.source_address_for(p.ip_b()), p.ip_a());
    EXPECT_EQ(p.a.source_address_for(addr("fe80::1")), addresses[0].address.address)
        << "a link-local destination gets the link-local source";
}

TEST(HostIpv6, ResolvesTheNeighbourThenPings) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    const std::vector<std::byte> data(56, std::byte{7});
    ASSERT_TRUE(p.a.send_echo_request(p.ip_b(), 0x1234, 1, data, at(3)));
    EXPECT_EQ(p.a.neighbors().state({0, p.ip_b()}, at(3)), NeighborState::incomplete);
    p.w.pump(at(3));
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::echo_reply);
    EXPECT_EQ(heard.messages[0].icmp.identifier, 0x1234);
    EXPECT_EQ(heard.messages[0].from, p.ip_b());
    EXPECT_EQ(heard.quoted[0], data);
    // a asked (multicast, with its address) and was answered: reachable. b
    // learned a from the solicitation: stale, and in delay once it replied.
    const auto ns = sent_icmpv6(p.w, p.a, Icmpv6Type::neighbor_solicitation);
    ASSERT_EQ(ns.size(), 3u);  // two for detection, one to resolve
    EXPECT_EQ(ns[2].src, p.ip_a());
    EXPECT_EQ(ns[2].dst, p.ip_b().solicited_node());
    const auto na = sent_icmpv6(p.w, p.b, Icmpv6Type::neighbor_advertisement);
    ASSERT_EQ(na.size(), 1u);
    EXPECT_EQ(na[0].dst, p.ip_a());
    EXPECT_EQ(p.a.neighbors().state({0, p.ip_b()}, at(3)), NeighborState::reachable);
    EXPECT_EQ(p.b.neighbors().state({0, p.ip_a()}, at(3)), NeighborState::delay);
    EXPECT_EQ(p.wa.count(NdpEvent::resolved), 1);
    p.a.remove_icmpv6_listener(&heard);
}

// RFC 4861 §7.3: reachable → stale after reachable time; used → delay;
// 5 s later → probe with a unicast solicitation; answered → reachable.
TEST(HostIpv6, AQuietNeighbourIsProbedAndConfirmed) {
    Pair p;
    p.w.run(at(0), at(2));
    ASSERT_TRUE(p.a.send_echo_request(p.ip_b(), 1, 1, {}, at(3)));
    p.w.pump(at(3));
    const stack::NeighborCache::Key b{0, p.ip_b()};
    EXPECT_EQ(p.a.neighbors().state(b, at(32.9)), NeighborState::reachable);
    EXPECT_EQ(p.a.neighbors().state(b, at(33)), NeighborState::stale);
    ASSERT_TRUE(p.a.send_echo_request(p.ip_b(), 1, 2, {}, at(40)));
    p.w.pump(at(40));
    EXPECT_EQ(p.a.neighbors().state(b, at(40)), NeighborState::delay);
    const size_t before = sent_icmpv6(p.w, p.a, Icmpv6Type::neighbor_solicitation).size();
    p.w.run(at(40), at(46));
    const auto ns = sent_icmpv6(p.w, p.a, Icmpv6Type::neighbor_solicitation);
    ASSERT_EQ(ns.size(), before + 1);
    EXPECT_EQ(ns.back().dst, p.ip_b()) << "a probe is unicast";
    EXPECT_EQ(p.a.neighbors().state(b, at(46)), NeighborState::reachable);
}

TEST(HostIpv6, AnAddressAnotherHostHasIsDuplicateAndNeverUsed) {
    Wires w;
    stack::HostConfig quick{.name = "b"};
    quick.ipv6.dad_transmits = 0;  // b has had the address for a while
    Host& a = w.add("a");
    Host& b = w.add(quick);
    const Ipv6Address shared = addr("2001:db8:1::7");
    w.connect(a,
              {.name = "eth",
               .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
               .ipv6_addresses = {{shared, 64}}},
              b,
              {.name = "eth",
               .mac = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
               .ipv6_addresses = {{shared, 64}}});
    Watcher wa;
    a.set_observer(&wa);
    EXPECT_TRUE(b.is_local_address(shared));
    w.run(at(0), at(3));
    EXPECT_EQ(a.ipv6_addresses(0)[1].state, Ipv6AddressState::duplicated);
    EXPECT_EQ(a.ipv6_addresses(0)[0].state, Ipv6AddressState::preferred)
        << "the link-local address is a's alone";
    EXPECT_EQ(wa.count(NdpEvent::duplicate_address), 1);
    EXPECT_EQ(a.stats().dad_conflicts, 1u);
    EXPECT_FALSE(a.is_local_address(shared));
    EXPECT_FALSE(a.source_address_for(addr("2001:db8:1::9"))) << "a duplicate is never a source";
    EXPECT_TRUE(b.is_local_address(shared)) << "the owner keeps it";
}

// Two hosts that come up with the same address at once both see the other's
// detection: both give it up (RFC 4862 §5.4.3).
TEST(HostIpv6, TwoHostsCheckingTheSameAddressBothGiveItUp) {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    const Ipv6Address shared = addr("2001:db8:1::7");
    w.connect(a,
              {.name = "eth",
               .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
               .ipv6_addresses = {{shared, 64}}},
              b,
              {.name = "eth",
               .mac = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
               .ipv6_addresses = {{shared, 64}}});
    w.run(at(0), at(3));
    EXPECT_EQ(a.ipv6_addresses(0)[1].state, Ipv6AddressState::duplicated);
    EXPECT_EQ(b.ipv6_addresses(0)[1].state, Ipv6AddressState::duplicated);
}

TEST(HostIpv6, AnUnansweredNeighbourGivesAddressUnreachable) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    const Ipv6Address nobody = addr("2001:db8:1::99");  // on-link, no such host
    ASSERT_TRUE(p.a.send_echo_request(nobody, 1, 1, {}, at(3)));
    p.w.run(at(3), at(7));
    EXPECT_EQ(p.wa.count(NdpEvent::failed), 1);
    EXPECT_EQ(p.wa.drops[DropReason::neighbor_failed], 1);
    // Three multicast solicitations, a second apart (MAX_MULTICAST_SOLICIT).
    EXPECT_EQ(sent_icmpv6(p.w, p.a, Icmpv6Type::neighbor_solicitation).size(), 2u + 3u);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::dest_unreachable);
    EXPECT_EQ(heard.messages[0].icmp.code,
              static_cast<uint8_t>(wire::Icmpv6UnreachableCode::address));
    p.a.remove_icmpv6_listener(&heard);
}

TEST(HostIpv6, PingsItselfAndAllNodes) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    ASSERT_TRUE(p.a.send_echo_request(p.ip_a(), 1, 1, {}, at(3)));
    p.w.pump(at(3));
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].from, p.ip_a());
    // ff02::1 from the link-local address: b answers from its own.
    ASSERT_TRUE(p.a.send_echo_request(Ipv6Address::all_nodes(), 1, 2, {}, at(4)));
    p.w.pump(at(4));
    ASSERT_EQ(heard.messages.size(), 2u);
    EXPECT_EQ(heard.messages[1].icmp.type, Icmpv6Type::echo_reply);
    EXPECT_EQ(heard.messages[1].from, p.b.ipv6_addresses(0)[0].address.address);
    p.a.remove_icmpv6_listener(&heard);
}

// RFC 4861 §6.1.1 and the rest: a neighbour discovery message whose hop
// limit is not 255 crossed a router, and is dropped and counted.
TEST(HostIpv6, NeighbourDiscoveryFromBeyondTheLinkIsIgnoredAndCounted) {
    Pair p;
    p.w.run(at(0), at(2));
    const size_t answers = sent_icmpv6(p.w, p.b, Icmpv6Type::neighbor_advertisement).size();
    int changed = 0;
    p.w.tamper = [&](std::vector<std::byte>& frame) {
        auto eth = wire::EthernetView::parse(frame);
        if (eth && eth->ethertype() == wire::EtherType::ipv6 && frame[14 + 40] == std::byte{135}) {
            frame[14 + 7] = std::byte{254};  // hop limit: the checksum does not cover it
            ++changed;
        }
        return true;
    };
    ASSERT_TRUE(p.a.send_echo_request(p.ip_b(), 1, 1, {}, at(3)));
    p.w.pump(at(3));
    EXPECT_EQ(changed, 1);
    EXPECT_EQ(p.b.stats().ndp_invalid, 1u);
    EXPECT_EQ(p.wb.drops[DropReason::ndp_invalid], 1);
    EXPECT_EQ(sent_icmpv6(p.w, p.b, Icmpv6Type::neighbor_advertisement).size(), answers);
    EXPECT_FALSE(p.b.neighbors().state({0, p.ip_a()}, at(3))) << "nothing learned from it";
}

TEST(HostIpv6, AnUnknownNextHeaderGetsAParameterProblem) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    base::PacketBuffer payload = p.w.pool.acquire();
    payload.append(8);
    ASSERT_TRUE(p.a.send_ipv6(p.ip_b(), 253, std::move(payload), at(3)));
    p.w.pump(at(3));
    EXPECT_EQ(p.wb.drops[DropReason::protocol_unreachable], 1);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::parameter_problem);
    EXPECT_EQ(heard.messages[0].icmp.code,
              static_cast<uint8_t>(wire::Icmpv6ParameterCode::next_header));
    EXPECT_EQ(heard.messages[0].icmp.pointer, 6u) << "the fixed header's next header field";
    p.a.remove_icmpv6_listener(&heard);
}

// a — r — c, IPv6 only, each host's default route through r.
struct Routed {
    Wires w;
    Host& a = w.add("a");
    Host& r = w.add("r", true);
    Host& c = w.add("c");
    Watcher wr;
    Routed(uint16_t mtu_rc = 1500) {
        w.join6(a, r, net_ab);
        w.join6(r, c, net_bc, mtu_rc);
        a.routes6().add(
            {.destination = {Ipv6Address::any(), 0}, .gateway = Wires::with(net_ab, 2)});
        c.routes6().add(
            {.destination = {Ipv6Address::any(), 0}, .gateway = Wires::with(net_bc, 1)});
        r.set_observer(&wr);
        w.run(at(0), at(2));
    }
    Ipv6Address ip_c() const { return Wires::with(net_bc, 2); }
};

TEST(HostIpv6, ARouterForwardsAndSaysWhenTheHopLimitRunsOut) {
    Routed n;
    Heard heard;
    n.a.add_icmpv6_listener(&heard);
    ASSERT_TRUE(n.a.send_echo_request(n.ip_c(), 1, 1, {}, at(3), {.hop_limit = 2}));
    n.w.pump(at(3));
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::echo_reply);
    EXPECT_EQ(heard.messages[0].hop_limit, 63) << "the reply crossed the router too";
    EXPECT_EQ(n.r.stats().packets_forwarded, 2u);

    ASSERT_TRUE(n.a.send_echo_request(n.ip_c(), 1, 2, {}, at(4), {.hop_limit = 1}));
    n.w.pump(at(4));
    ASSERT_EQ(heard.messages.size(), 2u);
    EXPECT_EQ(heard.messages[1].icmp.type, Icmpv6Type::time_exceeded);
    EXPECT_EQ(heard.messages[1].from, Wires::with(net_ab, 2));
    EXPECT_EQ(n.wr.drops[DropReason::hop_limit_exceeded], 1);
    // It quotes the packet as it arrived, hop limit 1 and all.
    const auto quoted = wire::Ipv6View::parse(heard.quoted[1]);
    ASSERT_TRUE(quoted);
    EXPECT_EQ(quoted->hop_limit(), 1);
    EXPECT_EQ(quoted->dst(), n.ip_c());
    n.a.remove_icmpv6_listener(&heard);
}

// RFC 8200 §5: a router does not fragment; it says how big a packet may be.
TEST(HostIpv6, ARouterSaysPacketTooBigInsteadOfFragmenting) {
    Routed n(1280);
    Heard heard;
    n.a.add_icmpv6_listener(&heard);
    const std::vector<std::byte> data(1400, std::byte{1});
    ASSERT_TRUE(n.a.send_echo_request(n.ip_c(), 1, 1, data, at(3)));
    n.w.pump(at(3));
    EXPECT_EQ(n.wr.drops[DropReason::too_big], 1);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::packet_too_big);
    EXPECT_EQ(heard.messages[0].icmp.mtu, 1280u);
    EXPECT_EQ(heard.quoted[0].size(), wire::icmpv6::max_quoted_len) << "the error fills 1280 bytes";
    n.a.remove_icmpv6_listener(&heard);
}

TEST(HostIpv6, ARouterAnswersNoRouteWithDestinationUnreachable) {
    Routed n;
    Heard heard;
    n.a.add_icmpv6_listener(&heard);
    ASSERT_TRUE(n.a.send_echo_request(addr("2001:db8:ff::1"), 1, 1, {}, at(3)));
    n.w.pump(at(3));
    EXPECT_EQ(n.wr.drops[DropReason::no_route], 1);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::dest_unreachable);
    EXPECT_EQ(heard.messages[0].icmp.code,
              static_cast<uint8_t>(wire::Icmpv6UnreachableCode::no_route));
    n.a.remove_icmpv6_listener(&heard);
}

TEST(HostIpv6, AnIpv4OnlyHostIgnoresIpv6) {
    Wires w;
    Host& a = w.add("a");
    Host& b = w.add("b");
    w.join(a, b, 0x0a000000);
    Watcher wb;
    b.set_observer(&wb);
    EXPECT_FALSE(a.ipv6_enabled(0));
    EXPECT_FALSE(a.send_echo_request(Ipv6Address::all_nodes(), 1, 1, {}, at(0)))
        << "no interface speaks IPv6";
    w.pump(at(0));
    EXPECT_TRUE(sent_icmpv6(w, a, Icmpv6Type::neighbor_solicitation).empty());
}

// The IPv6 payloads of the frames one host sent to another, in order.
std::vector<size_t> packet_sizes(const Wires& w, const Host& from) {
    std::vector<size_t> out;
    for (const auto& r : w.sent) {
        if (r.from != &from) continue;
        auto eth = wire::EthernetView::parse(r.frame);
        if (eth && eth->ethertype() == wire::EtherType::ipv6) out.push_back(eth->payload().size());
    }
    return out;
}

// RFC 8200 §4.5: the source fragments what is bigger than the path; the
// destination puts it back together.
TEST(HostIpv6, TheSourceFragmentsAndTheDestinationReassembles) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    std::vector<std::byte> data(3000);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::byte>(i * 7);
    const size_t before = packet_sizes(p.w, p.a).size();
    ASSERT_TRUE(p.a.send_echo_request(p.ip_b(), 1, 1, data, at(3)));
    p.w.pump(at(3));
    // 3008 ICMPv6 bytes: 1448 + 1448 + 112, each behind 40 + 8 bytes of headers.
    auto sizes = packet_sizes(p.w, p.a);
    sizes.erase(sizes.begin(), sizes.begin() + static_cast<ptrdiff_t>(before));
    sizes.erase(sizes.begin());  // the neighbour solicitation
    EXPECT_EQ(sizes, (std::vector<size_t>{1496, 1496, 160}));
    EXPECT_EQ(p.a.stats().fragments_sent, 3u);
    EXPECT_EQ(p.b.stats().datagrams_reassembled, 1u);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.quoted[0], data) << "the reply, fragmented by b, came back whole";
    EXPECT_EQ(p.a.stats().datagrams_reassembled, 1u);
    p.a.remove_icmpv6_listener(&heard);
}

// RFC 8201: packet too big lowers the path MTU; what follows is cut to fit.
TEST(HostIpv6, PacketTooBigLowersThePathMtuAndTheSourceFragments) {
    Routed n(1280);
    Heard heard;
    n.a.add_icmpv6_listener(&heard);
    const std::vector<std::byte> data(1400, std::byte{3});
    EXPECT_EQ(n.a.path_mtu(n.ip_c(), at(3)), 1500);
    ASSERT_TRUE(n.a.send_echo_request(n.ip_c(), 1, 1, data, at(3)));
    n.w.pump(at(3));
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::packet_too_big);
    EXPECT_EQ(n.a.path_mtu(n.ip_c(), at(3)), 1280);
    ASSERT_TRUE(n.a.send_echo_request(n.ip_c(), 1, 2, data, at(4)));
    n.w.pump(at(4));
    ASSERT_EQ(heard.messages.size(), 2u);
    EXPECT_EQ(heard.messages[1].icmp.type, Icmpv6Type::echo_reply);
    EXPECT_EQ(heard.quoted[1], data);
    EXPECT_EQ(n.r.stats().packets_forwarded, 2u + 2u) << "two fragments each way";
    // An estimate never goes below 1280, whatever a message claims.
    EXPECT_EQ(n.a.path_mtu(n.ip_c(), at(4)), 1280);
    n.a.remove_icmpv6_listener(&heard);
}

// A fragment by hand: the fixed header, a fragment header, `data`.
base::PacketBuffer fragment_frame(base::BufferPool& pool, const wire::MacAddress& to,
                                  const Ipv6Address& src, const Ipv6Address& dst, uint16_t offset,
                                  bool more, uint32_t id, const std::vector<std::byte>& data) {
    base::PacketBuffer f = pool.acquire();
    const wire::EthernetRepr eth{
        .dst = to, .src = wire::MacAddress{{2, 0, 0, 0, 0, 9}}, .ethertype = wire::EtherType::ipv6};
    eth.emit(f.append(wire::EthernetRepr::buffer_len()));
    const wire::Ipv6Repr ip{.src = src,
                            .dst = dst,
                            .next_header = wire::ipv6::fragment,
                            .hop_limit = 64,
                            .payload_len = static_cast<uint16_t>(8 + data.size())};
    ip.emit(f.append(40));
    auto fh = f.append(8);
    base::store_u8(fh, 0, 58);
    base::store_u8(fh, 1, 0);
    base::store_be16(fh, 2, static_cast<uint16_t>(offset | (more ? 1 : 0)));
    base::store_be32(fh, 4, id);
    f.append(data);
    return f;
}

TEST(HostIpv6, OverlappingFragmentsLoseTheWholeDatagram) {
    Pair p;
    p.w.run(at(0), at(2));
    const wire::MacAddress mac_b = p.b.interface(0).mac;
    const std::vector<std::byte> piece(16, std::byte{1});
    p.b.receive(0, fragment_frame(p.w.pool, mac_b, p.ip_a(), p.ip_b(), 0, true, 9, piece), at(3));
    p.b.receive(0, fragment_frame(p.w.pool, mac_b, p.ip_a(), p.ip_b(), 8, true, 9, piece), at(3));
    EXPECT_EQ(p.wb.drops[DropReason::fragment_overlap], 1);
    // The rest arriving later starts a new datagram that never completes.
    p.b.receive(0, fragment_frame(p.w.pool, mac_b, p.ip_a(), p.ip_b(), 16, false, 9, piece), at(3));
    EXPECT_EQ(p.b.stats().datagrams_reassembled, 0u);
}

// RFC 8200 §4.5: 60 s … here the configured 30 s, then time exceeded
// (reassembly) to the source, since the first fragment came.
TEST(HostIpv6, AnUnfinishedDatagramTimesOutWithTimeExceeded) {
    Pair p;
    p.w.run(at(0), at(2));
    Heard heard;
    p.a.add_icmpv6_listener(&heard);
    std::vector<std::byte> start(16);
    start[0] = std::byte{128};  // an echo request's first bytes
    p.b.receive(
        0, fragment_frame(p.w.pool, p.b.interface(0).mac, p.ip_a(), p.ip_b(), 0, true, 5, start),
        at(3));
    p.w.run(at(3), at(40));
    EXPECT_EQ(p.wb.drops[DropReason::reassembly_timeout], 1);
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::time_exceeded);
    EXPECT_EQ(heard.messages[0].icmp.code,
              static_cast<uint8_t>(wire::Icmpv6TimeExceededCode::reassembly));
    p.a.remove_icmpv6_listener(&heard);
}

// The kernel's fragments (tests/data/ipv6_fragments.pcap): a host in mkat-b's
// place reassembles Linux's 3008-byte echo request and answers it in the same
// three sizes Linux answered with.
TEST(HostIpv6, ReassemblesTheKernelsFragmentsAndAnswersAlike) {
    const testing_support::Capture c("ipv6_fragments.pcap");
    ASSERT_EQ(c.size(), 6u);
    base::BufferPool pool;
    stack::HostConfig config{.name = "mkat-b"};
    config.ipv6.dad_transmits = 0;
    Host b(config, pool, base::Seed{1});
    b.add_interface({.name = "veth-b",
                     .mac = wire::MacAddress{{2, 0, 0, 0, 1, 2}},
                     .ipv6_addresses = {{addr("2001:db8:99:1::2"), 64}}});
    std::vector<std::vector<std::byte>> out;
    b.set_frame_sink([&](stack::InterfaceId, base::PacketBuffer&& f) {
        out.emplace_back(f.bytes().begin(), f.bytes().end());
    });
    b.poll(at(0));
    for (size_t i = 0; i < 3; ++i)
        b.receive(0, pool.copy_of(c.frame(i)), at(1));
    b.poll(at(1));
    EXPECT_EQ(b.stats().datagrams_reassembled, 1u);
    // b does not know a's MAC yet: it asks, and a (by hand) answers.
    ASSERT_EQ(out.size(), 1u);
    const wire::NdpRepr na{
        wire::NeighborAdvertisement{.solicited = true,
                                    .override_flag = true,
                                    .target = addr("2001:db8:99:1::1"),
                                    .target_mac = wire::MacAddress{{2, 0, 0, 0, 1, 1}}}};
    base::PacketBuffer f = pool.acquire();
    wire::EthernetRepr{.dst = wire::MacAddress{{2, 0, 0, 0, 1, 2}},
                       .src = wire::MacAddress{{2, 0, 0, 0, 1, 1}},
                       .ethertype = wire::EtherType::ipv6}
        .emit(f.append(14));
    wire::Ipv6Repr{.src = addr("2001:db8:99:1::1"),
                   .dst = addr("2001:db8:99:1::2"),
                   .next_header = 58,
                   .hop_limit = 255,
                   .payload_len = static_cast<uint16_t>(na.buffer_len())}
        .emit(f.append(40));
    na.emit(f.append(na.buffer_len()), addr("2001:db8:99:1::1"), addr("2001:db8:99:1::2"));
    b.receive(0, std::move(f), at(1));
    ASSERT_EQ(out.size(), 4u);
    for (size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(out[1 + i].size(), c.frame(3 + i).size()) << "the kernel's fragment sizes";
        const auto eth = wire::EthernetView::parse(out[1 + i]);
        const auto ip = wire::Ipv6View::parse(eth->payload());
        ASSERT_TRUE(ip);
        const auto chain = wire::walk_extensions(*ip);
        ASSERT_TRUE(chain && chain->fragment);
        const auto theirs = wire::walk_extensions(
            *wire::Ipv6View::parse(wire::EthernetView::parse(c.frame(3 + i))->payload()));
        EXPECT_EQ(chain->fragment->offset, theirs->fragment->offset);
        EXPECT_EQ(chain->fragment->more, theirs->fragment->more);
    }
}

// A router advertising 2001:db8:1::/64 on its link and a host with nothing
// but IPv6 switched on.
struct Autoconfigured {
    Wires w;
    Host& r;
    Host& h;
    Watcher wh;
    explicit Autoconfigured(stack::HostConfig router_config = {.name = "r", .forwarding = true})
        : r(w.add(router_config)), h(w.add("h")) {
        w.connect(r,
                  {.name = "eth",
                   .mac = wire::MacAddress{{2, 0, 0, 0, 0, 0xfe}},
                   .mtu = 1500,
                   .ipv6_addresses = {{addr("2001:db8:1::1"), 64}},
                   .advertise = true},
                  h, {.name = "eth", .mac = wire::MacAddress{{2, 0, 0, 0, 0, 7}}, .ipv6 = true});
        h.set_observer(&wh);
    }
    static Ipv6Address slaac() { return addr("2001:db8:1::ff:fe00:7"); }
};

// RFC 4861 §6.3.7 and RFC 4862 §5.5: the host solicits, the router answers,
// and the host takes a default route, the link's MTU and an address of its own.
TEST(HostIpv6, AHostConfiguresItselfFromARoutersAdvertisement) {
    Autoconfigured n;
    ASSERT_EQ(n.h.ipv6_addresses(0).size(), 1u) << "only its link-local address at first";
    n.w.run(at(0), at(3));
    EXPECT_EQ(n.wh.count(NdpEvent::router_solicitation_sent), 1);
    EXPECT_GE(n.wh.count(NdpEvent::router_advertisement_received), 1);
    EXPECT_EQ(n.wh.count(NdpEvent::address_autoconfigured), 1);
    ASSERT_EQ(n.h.ipv6_addresses(0).size(), 2u);
    EXPECT_EQ(n.h.ipv6_addresses(0)[1].address, (wire::Ipv6Cidr{Autoconfigured::slaac(), 64}));
    EXPECT_EQ(n.h.ipv6_addresses(0)[1].origin, stack::Ipv6Origin::autoconfigured);
    EXPECT_EQ(n.h.ipv6_addresses(0)[1].state, Ipv6AddressState::preferred)
        << "checked for duplicates first, like any address";
    const auto route = n.h.routes6().lookup(addr("2001:db8:77::1"));
    ASSERT_TRUE(route);
    EXPECT_EQ(route->source, stack::RouteSource::advertised);
    EXPECT_EQ(route->gateway, n.r.ipv6_addresses(0)[0].address.address)
        << "the router's link-local address";
    EXPECT_EQ(n.h.source_address_for(addr("2001:db8:77::1")), Autoconfigured::slaac());
    // And it works: the router answers a ping to its global address.
    Heard heard;
    n.h.add_icmpv6_listener(&heard);
    ASSERT_TRUE(n.h.send_echo_request(addr("2001:db8:1::1"), 1, 1, {}, at(4)));
    n.w.pump(at(4));
    ASSERT_EQ(heard.messages.size(), 1u);
    EXPECT_EQ(heard.messages[0].icmp.type, Icmpv6Type::echo_reply);
    n.h.remove_icmpv6_listener(&heard);
}

TEST(HostIpv6, ADefaultRouterIsForgottenWhenItsLifetimeEnds) {
    stack::HostConfig rc{.name = "r", .forwarding = true};
    rc.ipv6.router_lifetime = Duration::seconds(10);
    rc.ipv6.min_advertisement_interval = Duration::seconds(1000);
    rc.ipv6.max_advertisement_interval = Duration::seconds(1000);
    Autoconfigured n(rc);
    n.w.run(at(0), at(3));
    ASSERT_TRUE(n.h.routes6().lookup(addr("2001:db8:77::1")));
    // The router's advertisements come at 1 s and 17 s: nothing between 11 s
    // and 17 s renews the route.
    n.w.run(at(3), at(12));
    EXPECT_FALSE(n.h.routes6().lookup(addr("2001:db8:77::1")));
    n.w.run(at(12), at(18));
    EXPECT_TRUE(n.h.routes6().lookup(addr("2001:db8:77::1"))) << "the next advertisement";
}

// RFC 4862 §5.5.4: past its preferred lifetime an address is deprecated (no
// new packet's source), past its valid lifetime it is gone.
TEST(HostIpv6, AnAutoconfiguredAddressIsDeprecatedThenRemoved) {
    stack::HostConfig rc{.name = "r", .forwarding = true};
    rc.ipv6.prefix_valid_lifetime = 60;
    rc.ipv6.prefix_preferred_lifetime = 30;
    rc.ipv6.min_advertisement_interval = Duration::seconds(1000);
    rc.ipv6.max_advertisement_interval = Duration::seconds(1000);
    Autoconfigured n(rc);
    // Advertisements at 1, 17 and 33 s: preferred until 63 s, valid until 93 s.
    n.w.run(at(0), at(62));
    ASSERT_EQ(n.h.ipv6_addresses(0).size(), 2u);
    EXPECT_EQ(n.h.ipv6_addresses(0)[1].state, Ipv6AddressState::preferred);
    n.w.run(at(62), at(64));
    EXPECT_EQ(n.h.ipv6_addresses(0)[1].state, Ipv6AddressState::deprecated);
    EXPECT_TRUE(n.h.is_local_address(Autoconfigured::slaac())) << "it still receives";
    EXPECT_FALSE(n.h.source_address_for(addr("2001:db8:77::1")));
    n.w.run(at(64), at(94));
    EXPECT_EQ(n.h.ipv6_addresses(0).size(), 1u);
    EXPECT_FALSE(n.h.is_local_address(Autoconfigured::slaac()));
}

}  // namespace
