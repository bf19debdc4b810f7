// Fuzzes a whole host: a dual-stack router with two interfaces fed arbitrary
// frames.
//
// The input is a sequence of frames, each a 2-byte big-endian length (the low
// bit of the first byte picks the interface) and that many bytes; time moves
// forward by a millisecond per frame and by 40 s at the end, so ARP retries,
// neighbour solicitations, reassembly timeouts and rate limits all run.
//
// Invariants: nothing crashes or leaks; every frame the host sends is a
// well-formed Ethernet frame carrying ARP, an IPv4 packet whose header
// checksum verifies and, for ICMP it originates, whose ICMP checksum verifies,
// or an IPv6 packet whose ICMPv6, when the host made it, verifies; buffers all
// go back to the pool.
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "stack/host.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"

using fuzz::require;

namespace {

void check_sent(base::ByteSpan frame, const stack::Host& host) {
    const auto eth = wire::EthernetView::parse(frame);
    require(eth.has_value(), "a sent frame has an Ethernet header");
    if (eth->ethertype() == wire::EtherType::arp) {
        const auto arp = wire::ArpView::parse(eth->payload());
        require(arp.has_value() && wire::ArpRepr::parse(*arp).has_value(),
                "a sent ARP packet parses");
        return;
    }
    if (eth->ethertype() == wire::EtherType::ipv6) {
        const auto ip = wire::Ipv6View::parse(eth->payload());
        require(ip.has_value(), "a sent IPv6 packet parses");
        const auto chain = wire::walk_extensions(*ip);
        require(chain.has_value(), "a sent IPv6 packet's headers walk");
        // ICMPv6 the host makes (from one of its addresses, or from :: in
        // duplicate address detection) verifies; forwarded ICMPv6 is passed on.
        const bool own = ip->src().is_unspecified() || host.is_local_address(ip->src()) ||
                         (ip->src().is_link_local() && ip->hop_limit() == 255);
        if (chain->upper == 58 && own && !chain->fragment) {
            const auto icmp = wire::Icmpv6View::parse(ip->bytes().subspan(chain->upper_at));
            require(icmp.has_value() && icmp->checksum_valid(ip->src(), ip->dst()),
                    "ICMPv6 the host makes verifies");
        }
        return;
    }
    require(eth->ethertype() == wire::EtherType::ipv4, "a sent frame is ARP, IPv4 or IPv6");
    const auto ip = wire::Ipv4View::parse(eth->payload());
    require(ip.has_value(), "a sent IPv4 packet parses");
    require(ip->checksum_valid(), "a sent IPv4 header checksum verifies");
    // ICMP this router makes (errors, echo replies) must verify; forwarded ICMP is
    // passed through as it came.
    if (ip->protocol() == wire::IpProtocol::icmp && !ip->is_fragment() &&
        host.is_local_address(ip->src())) {
        const auto icmp = wire::Icmpv4View::parse(ip->payload());
        require(icmp.has_value() && icmp->checksum_valid(), "ICMP the host makes verifies");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    base::BufferPool pool;
    {
        stack::HostConfig config{.name = "r", .forwarding = true};
        config.ipv6.dad_transmits = 0;  // addresses usable at once: more of the input path
        stack::Host host(config, pool, base::Seed{1});
        const auto v6 = [](const char* text) { return wire::Ipv6Address::parse(text).value(); };
        host.add_interface({.name = "eth0",
                            .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                            .address = {wire::Ipv4Address{10, 0, 0, 1}, 24},
                            .mtu = 1500,
                            .ipv6_addresses = {{v6("2001:db8::1"), 64}}});
        host.add_interface({.name = "eth1",
                            .mac = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
                            .address = {wire::Ipv4Address{10, 0, 1, 1}, 24},
                            .mtu = 576,
                            .ipv6_addresses = {{v6("2001:db8:1::1"), 64}}});
        host.routes6().add({.destination = {wire::Ipv6Address::any(), 0},
                            .gateway = v6("2001:db8:1::2"),
                            .interface = 1});
        host.routes().add({.destination = {wire::Ipv4Address::any(), 0},
                           .gateway = wire::Ipv4Address{10, 0, 1, 2},
                           .interface = 1});
        host.set_frame_sink(
            [&](stack::InterfaceId, base::PacketBuffer f) { check_sent(f.bytes(), host); });

        base::Time now = base::Time::zero();
        size_t at = 0;
        while (at + 2 <= size) {
            const size_t len = (size_t{data[at]} << 8 | data[at + 1]) >> 1;
            const stack::InterfaceId interface = data[at] & 1;
            at += 2;
            const size_t take = std::min(len, size - at);
            host.receive(interface, pool.copy_of(fuzz::input(data + at, take)), now);
            at += take;
            now += base::Duration::milliseconds(1);
            if (host.next_deadline() <= now) host.poll(now);
        }
        for (int i = 0; i < 5; ++i) {
            now += base::Duration::seconds(10);
            host.poll(now);
        }
    }
    require(pool.stats().outstanding == 0, "every buffer goes back to the pool");
    return 0;
}
