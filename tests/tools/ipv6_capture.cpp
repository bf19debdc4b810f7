// Writes pcap files of what minternet's hosts say over IPv6, for tshark to
// judge.
//
//   ipv6_capture GOOD.pcap CORRUPT.pcap
//
// A router (r) advertises 2001:db8:1::/64 to a host (h) that configures
// itself, and routes to a host (c) on 2001:db8:2::/64 behind a 1280-byte
// link. GOOD holds every frame of: duplicate address detection, router
// solicitation and advertisement, SLAAC, neighbour discovery, pings through
// the router, packet too big and the fragments sent after it, time exceeded,
// a ping to all nodes. CORRUPT holds copies of its ICMPv6 frames with one
// bit flipped in the message, so the check can prove tshark notices. Prints
// "good=N corrupt=M".
#include <cstdio>
#include <fstream>
#include <vector>

#include "testing/wires.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv6.hpp"
#include "wire/pcap.hpp"

namespace {

using base::Duration;
using base::Time;
using testing_support::Wires;
using wire::Ipv6Address;

Ipv6Address addr(const char* text) {
    return Ipv6Address::parse(text).value();
}

Time at(int64_t seconds) {
    return Time::zero() + Duration::seconds(seconds);
}

bool write(const char* path, const std::vector<std::byte>& file) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    return static_cast<bool>(f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: ipv6_capture GOOD.pcap CORRUPT.pcap\n");
        return 2;
    }
    Wires w;
    auto& r = w.add("r", true);
    auto& h = w.add("h");
    auto& c = w.add("c");
    w.connect(r,
              {.name = "eth0",
               .mac = wire::MacAddress{{2, 0, 0, 0, 0, 0xfe}},
               .ipv6_addresses = {{addr("2001:db8:1::1"), 64}},
               .advertise = true},
              h, {.name = "eth0", .mac = wire::MacAddress{{2, 0, 0, 0, 0, 7}}, .ipv6 = true});
    w.connect(r,
              {.name = "eth1",
               .mac = wire::MacAddress{{2, 0, 0, 0, 1, 0xfe}},
               .mtu = 1280,
               .ipv6_addresses = {{addr("2001:db8:2::1"), 64}}},
              c,
              {.name = "eth0",
               .mac = wire::MacAddress{{2, 0, 0, 0, 1, 9}},
               .mtu = 1280,
               .ipv6_addresses = {{addr("2001:db8:2::9"), 64}}});
    c.routes6().add({.destination = {Ipv6Address::any(), 0}, .gateway = addr("2001:db8:2::1")});
    w.run(at(0), at(5));

    const Ipv6Address far = addr("2001:db8:2::9");
    const std::vector<std::byte> small(56, std::byte{0x61});
    const std::vector<std::byte> big(1400, std::byte{0x62});
    bool sent = true;
    sent = sent && h.send_echo_request(far, 1, 1, small, at(6)).has_value();
    w.pump(at(6));
    sent = sent && h.send_echo_request(far, 1, 2, big, at(7)).has_value();  // packet too big
    w.pump(at(7));
    sent = sent && h.send_echo_request(far, 1, 3, big, at(8)).has_value();  // in fragments
    w.pump(at(8));
    sent = sent && h.send_echo_request(far, 1, 4, small, at(9), {.hop_limit = 1}).has_value();
    w.pump(at(9));
    sent = sent && h.send_echo_request(Ipv6Address::all_nodes(), 1, 5, small, at(10)).has_value();
    w.run(at(10), at(12));
    if (!sent) {
        std::fprintf(stderr, "ipv6_capture: a ping could not be sent\n");
        return 1;
    }

    std::vector<std::byte> good;
    std::vector<std::byte> corrupt;
    wire::pcap::append_file_header(good);
    wire::pcap::append_file_header(corrupt);
    int64_t t = 1'700'000'000'000'000'000;
    int frames = 0;
    int damaged = 0;
    for (const auto& record : w.sent) {
        t += 1'000'000;
        wire::pcap::append_record(good, t, record.frame);
        ++frames;
        // A copy of each unfragmented ICMPv6 frame with a bit flipped past its
        // checksum field.
        const auto eth = wire::EthernetView::parse(record.frame);
        if (!eth || eth->ethertype() != wire::EtherType::ipv6) continue;
        const auto ip = wire::Ipv6View::parse(eth->payload());
        if (ip && ip->next_header() == 58 && ip->payload().size() > 8) {
            std::vector<std::byte> copy = record.frame;
            copy[wire::ethernet::header_len + wire::ipv6::header_len + 6] ^= std::byte{0x10};
            wire::pcap::append_record(corrupt, t, copy);
            ++damaged;
        }
    }
    if (!write(argv[1], good) || !write(argv[2], corrupt)) {
        std::fprintf(stderr, "ipv6_capture: cannot write the captures\n");
        return 1;
    }
    std::printf("good=%d corrupt=%d\n", frames, damaged);
    return 0;
}
