// Fuzzes a whole Ethernet frame through every layer: Ethernet, then IPv4 or
// ARP, then TCP, UDP or ICMP, and through report::dissect.
//
// Invariants: each layer's parses agree as in the per-codec targets; dissect
// never fails, lists the layers this walk expects in the same order, flags a
// problem on exactly the layers that are malformed or fail their checksum, and
// keeps every layer's bytes within the frame. A frame rebuilt from the reprs
// (Ethernet, a 20-byte IPv4 header, the re-emitted transport) parses back to
// the same reprs and dissects with no problem at all.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "report/dissect.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

using fuzz::require;

namespace {

struct ExpectedLayer {
    std::string_view name;
    bool problem = false;
};

// A frame taken apart with the codecs, as far as they go.
struct Walk {
    std::vector<ExpectedLayer> layers;
    std::optional<wire::EthernetRepr> ethernet;
    std::optional<wire::Ipv4Repr> ipv4;
    std::optional<wire::ArpRepr> arp;
    std::optional<wire::TcpRepr> tcp;
    std::optional<wire::UdpRepr> udp;
    std::optional<wire::Icmpv4Repr> icmp;
    std::optional<base::ByteSpan> raw;  // carried as is: unknown type or protocol, a fragment
    // Every layer has a repr (or raw bytes), so the frame can be emitted again.
    bool complete = false;
};

void walk_tcp(base::ByteSpan segment, wire::Ipv4Address src, wire::Ipv4Address dst, Walk& w) {
    const auto view = wire::TcpView::parse(segment);
    if (!view) {
        w.layers.push_back({"TCP", true});
        return;
    }
    const bool valid = view->checksum_valid(src, dst);
    auto repr = wire::TcpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore);
    const auto verified = wire::TcpRepr::parse(*view, src, dst);
    require(verified.has_value() == (repr.has_value() && valid), "TCP parses agree");
    if (verified) require(*verified == *repr, "TCP reprs agree");
    w.layers.push_back({"TCP", !repr || !valid});
    if (!view->payload().empty()) w.layers.push_back({"Data"});
    if (repr) {
        w.tcp = *repr;
        w.complete = true;
    }
}

void walk_udp(base::ByteSpan datagram, wire::Ipv4Address src, wire::Ipv4Address dst, Walk& w) {
    const auto view = wire::UdpView::parse(datagram);
    if (!view) {
        w.layers.push_back({"UDP", true});
        return;
    }
    const bool valid = view->checksum_valid(src, dst);
    auto repr = wire::UdpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore);
    require(repr.has_value(), "UDP parses with the checksum ignored");
    const auto verified = wire::UdpRepr::parse(*view, src, dst);
    require(verified.has_value() == valid, "UDP parses agree");
    if (verified) require(*verified == *repr, "UDP reprs agree");
    w.layers.push_back({"UDP", !valid});
    if (!view->payload().empty()) w.layers.push_back({"Data"});
    w.udp = *repr;
    w.complete = true;
}

void walk_icmp(base::ByteSpan message, Walk& w) {
    const auto view = wire::Icmpv4View::parse(message);
    if (!view) {
        w.layers.push_back({"ICMP", true});
        return;
    }
    const bool valid = view->checksum_valid();
    auto repr = wire::Icmpv4Repr::parse(*view, wire::ChecksumCheck::ignore);
    const auto verified = wire::Icmpv4Repr::parse(*view);
    require(verified.has_value() == (repr.has_value() && valid), "ICMP parses agree");
    if (verified) require(*verified == *repr, "ICMP reprs agree");
    w.layers.push_back({"ICMP", !valid});
    if (!view->payload().empty()) w.layers.push_back({"Data"});
    if (repr) {
        w.icmp = *repr;
        w.complete = true;
    }
}

// The layers the report shows for the upper layer of an IPv6 packet, each
// with whether it is damaged. IPv6 frames are not emitted again here
// (fuzz_ipv6, fuzz_icmpv6, fuzz_tcp and fuzz_udp round-trip those codecs).
void walk_upper6(wire::IpProtocol upper, base::ByteSpan payload, const wire::Ipv6View& ip,
                 Walk& w) {
    const wire::Ipv6Address src = ip.src(), dst = ip.dst();
    base::ByteSpan carried;
    switch (upper) {
        case wire::IpProtocol::tcp: {
            const auto view = wire::TcpView::parse(payload);
            if (!view) return w.layers.push_back({"TCP", true});
            const bool options_ok =
                wire::TcpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore).has_value();
            w.layers.push_back({"TCP", !options_ok || !view->checksum_valid(src, dst)});
            carried = view->payload();
            break;
        }
        case wire::IpProtocol::udp: {
            const auto view = wire::UdpView::parse(payload);
            if (!view) return w.layers.push_back({"UDP", true});
            w.layers.push_back({"UDP", !view->checksum_valid(src, dst)});
            carried = view->payload();
            break;
        }
        case wire::IpProtocol::icmpv6: {
            const auto view = wire::Icmpv6View::parse(payload);
            if (!view) return w.layers.push_back({"ICMPv6", true});
            w.layers.push_back({"ICMPv6", !view->checksum_valid(src, dst)});
            carried = view->payload();
            break;
        }
        default:
            carried = payload;
            break;
    }
    if (!carried.empty()) w.layers.push_back({"Data"});
}

void walk_ipv6(base::ByteSpan packet, Walk& w) {
    const auto view = wire::Ipv6View::parse(packet);
    if (!view) return w.layers.push_back({"IPv6", true});
    const auto chain = wire::walk_extensions(*view);
    if (!chain) return w.layers.push_back({"IPv6", true});
    w.layers.push_back({"IPv6"});
    const base::ByteSpan payload = view->bytes().subspan(chain->upper_at);
    if (chain->fragment && (chain->fragment->offset != 0 || chain->fragment->more))
        return w.layers.push_back({"Fragment data"});
    walk_upper6(wire::IpProtocol{chain->upper}, payload, *view, w);
}

void walk_ipv4(base::ByteSpan packet, Walk& w) {
    const auto view = wire::Ipv4View::parse(packet);
    if (!view) {
        w.layers.push_back({"IPv4", true});
        return;
    }
    const auto repr = wire::Ipv4Repr::parse(*view, wire::ChecksumCheck::ignore);
    require(repr.has_value(), "IPv4 parses with the checksum ignored");
    const auto verified = wire::Ipv4Repr::parse(*view);
    require(verified.has_value() == view->checksum_valid(), "IPv4 parses agree");
    if (verified) require(*verified == *repr, "IPv4 reprs agree");
    w.layers.push_back({"IPv4", !view->checksum_valid()});
    w.ipv4 = *repr;
    if (view->is_fragment()) {
        w.layers.push_back({"Fragment data"});
        w.raw = view->payload();
        w.complete = true;
        return;
    }
    switch (view->protocol()) {
        case wire::IpProtocol::tcp:
            walk_tcp(view->payload(), view->src(), view->dst(), w);
            break;
        case wire::IpProtocol::udp:
            walk_udp(view->payload(), view->src(), view->dst(), w);
            break;
        case wire::IpProtocol::icmp:
            walk_icmp(view->payload(), w);
            break;
        default:
            w.layers.push_back({"Data"});
            w.raw = view->payload();
            w.complete = true;
            break;
    }
}

Walk walk(base::ByteSpan frame) {
    Walk w;
    const auto view = wire::EthernetView::parse(frame);
    if (!view) {
        w.layers.push_back({"Ethernet II", true});
        return w;
    }
    w.layers.push_back({"Ethernet II"});
    w.ethernet = wire::EthernetRepr::parse(*view);
    switch (view->ethertype()) {
        case wire::EtherType::ipv4:
            walk_ipv4(view->payload(), w);
            break;
        case wire::EtherType::ipv6:
            walk_ipv6(view->payload(), w);  // leaves `complete` false: not rebuilt
            break;
        case wire::EtherType::arp: {
            const auto arp = wire::ArpView::parse(view->payload());
            w.layers.push_back({"ARP", !arp});
            if (!arp) break;
            const auto repr = wire::ArpRepr::parse(*arp);
            if (repr) {
                w.arp = *repr;
                w.complete = true;
            }
            break;
        }
        default:
            w.layers.push_back({"Data"});
            w.raw = view->payload();
            w.complete = true;
            break;
    }
    return w;
}

// The size of the IPv4 payload `w` emits. Precondition: w.complete and w.ipv4.
size_t transport_len(const Walk& w) {
    if (w.tcp) return w.tcp->buffer_len();
    if (w.udp) return w.udp->buffer_len();
    if (w.icmp) return w.icmp->buffer_len();
    return w.raw->size();
}

// Emits the frame `w` describes. Precondition: w.complete.
std::vector<std::byte> rebuild(const Walk& w) {
    std::vector<std::byte> frame(wire::EthernetRepr::buffer_len());
    w.ethernet->emit(frame);
    const auto append = [&frame](size_t n) {
        const size_t at = frame.size();
        frame.resize(at + n);
        return base::MutableByteSpan{frame}.subspan(at);
    };
    if (w.arp) {
        w.arp->emit(append(wire::ArpRepr::buffer_len()));
    } else if (w.ipv4) {
        wire::Ipv4Repr ip = *w.ipv4;
        ip.payload_len = static_cast<uint16_t>(transport_len(w));
        ip.emit(append(wire::Ipv4Repr::buffer_len()));
        const auto out = append(ip.payload_len);
        if (w.tcp) {
            w.tcp->emit(out, ip.src, ip.dst);
        } else if (w.udp) {
            w.udp->emit(out, ip.src, ip.dst);
        } else if (w.icmp) {
            w.icmp->emit(out);
        } else {
            base::copy_bytes(out, *w.raw);
        }
    } else {
        base::copy_bytes(append(w.raw->size()), *w.raw);
    }
    return frame;
}

// What the reprs of a rebuilt frame should be.
Walk as_emitted(Walk w) {
    if (w.ipv4) w.ipv4->payload_len = static_cast<uint16_t>(transport_len(w));
    if (w.tcp) {
        wire::TcpSackList kept;
        for (size_t i = 0; i < w.tcp->sack_blocks_that_fit(); ++i)
            kept.push_back(w.tcp->sack_blocks[i]);
        w.tcp->sack_blocks = kept;
    }
    return w;
}

bool optional_bytes_equal(const std::optional<base::ByteSpan>& a,
                          const std::optional<base::ByteSpan>& b) {
    return a.has_value() == b.has_value() && (!a || base::equal_bytes(*a, *b));
}

// Dissects `frame` and holds the result to the walk.
void check_dissect(base::ByteSpan frame, const Walk& w) {
    const std::vector<report::DissectedLayer> layers = report::dissect(frame);
    require(layers.size() == w.layers.size(), "dissect lists the expected number of layers");
    for (size_t i = 0; i < layers.size(); ++i) {
        const report::DissectedLayer& l = layers[i];
        require(l.name == w.layers[i].name, "dissect names the expected layer");
        require(l.problem.empty() != w.layers[i].problem, "dissect flags the expected problems");
        require(fuzz::within(l.header, frame), "a layer's header lies within the frame");
        require(fuzz::within(l.rest, frame), "a layer's rest lies within the frame");
        const std::string dump = report::hexdump(l.header, "  ");
        size_t lines = 0;
        for (char c : dump)
            lines += c == '\n' ? 1 : 0;
        require(lines == (l.header.size() + 15) / 16, "hexdump prints 16 bytes a line");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan frame = fuzz::input(data, size);
    const Walk w = walk(frame);
    check_dissect(frame, w);
    if (!w.complete) return 0;
    if (w.ipv4 && transport_len(w) > wire::ipv4::max_packet_len - wire::ipv4::min_header_len) {
        return 0;
    }

    const std::vector<std::byte> rebuilt = rebuild(w);
    const Walk again = walk(rebuilt);
    require(again.complete, "a rebuilt frame parses through every layer");
    for (const ExpectedLayer& l : again.layers)
        require(!l.problem, "a rebuilt frame has no problem on any layer");
    check_dissect(rebuilt, again);

    const Walk expected = as_emitted(w);
    require(again.ethernet == expected.ethernet, "rebuilt Ethernet repr");
    require(again.ipv4 == expected.ipv4, "rebuilt IPv4 repr");
    require(again.arp == expected.arp, "rebuilt ARP repr");
    require(again.tcp == expected.tcp, "rebuilt TCP repr");
    require(again.udp == expected.udp, "rebuilt UDP repr");
    require(again.icmp == expected.icmp, "rebuilt ICMP repr");
    require(optional_bytes_equal(again.raw, expected.raw), "rebuilt raw payload");
    return 0;
}
