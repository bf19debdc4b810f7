#include "sim/frame_summary.hpp"

#include <algorithm>

#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/udp.hpp"

namespace sim {
namespace {

void read_transport(FrameSummary& s, const wire::Ipv4View& ip) {
    if (ip.fragment_offset() != 0) return;
    switch (ip.protocol()) {
        case wire::IpProtocol::tcp:
            if (auto t = wire::TcpView::parse(ip.payload())) {
                s.ports = true;
                s.sport = t->src_port();
                s.dport = t->dst_port();
                s.tcp = true;
                s.flags = t->flags();
                s.seq = t->seq().value();
                s.ack = t->ack().value();
                s.win = t->window();
                s.payload = t->payload().size();
            }
            break;
        case wire::IpProtocol::udp:
            if (auto u = wire::UdpView::parse(ip.payload())) {
                s.ports = true;
                s.sport = u->src_port();
                s.dport = u->dst_port();
                s.payload = u->payload().size();
                if (s.sport == 53 || s.dport == 53) {
                    s.dns = true;
                    s.dns_message = u->payload();
                }
            }
            break;
        case wire::IpProtocol::icmp:
            if (auto i = wire::Icmpv4View::parse(ip.payload())) {
                s.icmp = true;
                s.icmp_type = i->type();
                s.icmp_code = i->code();
                if (i->type() == 0 || i->type() == 8) {
                    s.icmp_echo = true;
                    s.icmp_id = i->identifier();
                    s.icmp_seq = i->sequence();
                }
            }
            break;
        case wire::IpProtocol::icmpv6:
            break;  // not carried over IPv4: shown as an IP packet only
    }
}

void read_ipv4(FrameSummary& s, base::ByteSpan packet) {
    auto ip = wire::Ipv4View::parse(packet);
    if (!ip) {
        s.kind = FrameSummary::Kind::malformed_ip;
        s.malformed = wire::to_string(ip.error());
        return;
    }
    s.kind = FrameSummary::Kind::ipv4;
    s.src = ip->src();
    s.dst = ip->dst();
    s.proto = ip->protocol();
    s.ttl = ip->ttl();
    s.id = ip->identification();
    if (ip->is_fragment()) {
        s.fragment = true;
        s.frag_offset = ip->fragment_offset();
        s.more_fragments = ip->more_fragments();
    }
    read_transport(s, *ip);
}

}  // namespace

std::optional<TextPreview> text_preview(base::ByteSpan data, size_t max) {
    if (data.empty()) return std::nullopt;
    TextPreview p;
    for (std::byte b : data.first(std::min(data.size(), max))) {
        const auto c = static_cast<unsigned char>(b);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return std::nullopt;
        if (c >= 0x7f) return std::nullopt;
        p.text += static_cast<char>(c);
    }
    p.cut = data.size() > max;
    return p;
}

FrameSummary summarize_packet(base::ByteSpan packet) {
    FrameSummary s;
    s.len = packet.size();
    if (!packet.empty() && (base::load_u8(packet, 0) >> 4) == 6) {
        // IPv6 is not summarised yet: shown as what its frame would be.
        s.kind = FrameSummary::Kind::other;
        s.ethertype = static_cast<uint16_t>(wire::EtherType::ipv6);
        return s;
    }
    read_ipv4(s, packet);
    return s;
}

FrameSummary summarize_frame(base::ByteSpan frame) {
    FrameSummary s;
    s.len = frame.size();
    auto eth = wire::EthernetView::parse(frame);
    if (!eth) {
        s.kind = FrameSummary::Kind::malformed_l2;
        s.malformed = "ethernet";
    } else if (eth->ethertype() == wire::EtherType::ipv4) {
        read_ipv4(s, eth->payload());
    } else if (eth->ethertype() == wire::EtherType::arp) {
        s.kind = FrameSummary::Kind::arp;
        if (auto a = wire::ArpView::parse(eth->payload())) {
            s.arp_parsed = true;
            s.arp_request = a->operation() == 1;
            s.sender_ip = a->sender_ip();
            s.target_ip = a->target_ip();
        }
    } else {
        s.kind = FrameSummary::Kind::other;
        s.ethertype = static_cast<uint16_t>(eth->ethertype());
    }
    return s;
}

}  // namespace sim
