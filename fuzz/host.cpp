// Fuzzes a whole host: a router with two interfaces fed arbitrary frames.
//
// The input is a sequence of frames, each a 2-byte big-endian length (the low
// bit of the first byte picks the interface) and that many bytes; time moves
// forward by a millisecond per frame and by 40 s at the end, so ARP retries,
// reassembly timeouts and rate limits all run.
//
// Invariants: nothing crashes or leaks; every frame the host sends is a
// well-formed Ethernet frame carrying ARP, or an IPv4 packet whose header
// checksum verifies and, for ICMP it originates, whose ICMP checksum verifies;
// buffers all go back to the pool.
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "stack/host.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/ipv4.hpp"

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
    require(eth->ethertype() == wire::EtherType::ipv4, "a sent frame is ARP or IPv4");
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
        stack::Host host(stack::HostConfig{.name = "r", .forwarding = true}, pool, base::Seed{1});
        host.add_interface({.name = "eth0",
                            .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                            .address = {wire::Ipv4Address{10, 0, 0, 1}, 24},
                            .mtu = 1500});
        host.add_interface({.name = "eth1",
                            .mac = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
                            .address = {wire::Ipv4Address{10, 0, 1, 1}, 24},
                            .mtu = 576});
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
