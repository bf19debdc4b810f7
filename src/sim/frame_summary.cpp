#include "sim/frame_summary.hpp"

#include <algorithm>

#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv6.hpp"
#include "wire/udp.hpp"

namespace sim {
namespace {

// The upper layer's header, in `payload` (the first fragment's, or a whole
// packet's).
void read_transport(FrameSummary& s, wire::IpProtocol protocol, base::ByteSpan payload) {
    switch (protocol) {
        case wire::IpProtocol::tcp:
            if (auto t = wire::TcpView::parse(payload)) {
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
            if (auto u = wire::UdpView::parse(payload)) {
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
            if (auto i = wire::Icmpv4View::parse(payload)) {
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
            // The fixed header is enough here (the checksum needs the
            // addresses, and a summary does not judge it).
            if (payload.size() >= wire::icmpv6::header_len) {
                s.icmp = true;
                s.icmp_type = base::load_u8(payload, 0);
                s.icmp_code = base::load_u8(payload, 1);
                const auto type = wire::Icmpv6Type{s.icmp_type};
                if (type == wire::Icmpv6Type::echo_request ||
                    type == wire::Icmpv6Type::echo_reply) {
                    s.icmp_echo = true;
                    s.icmp_id = base::load_be16(payload, 4);
                    s.icmp_seq = base::load_be16(payload, 6);
                }
            }
            break;
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
    if (ip->fragment_offset() == 0) read_transport(s, ip->protocol(), ip->payload());
}

void read_ipv6(FrameSummary& s, base::ByteSpan packet) {
    auto ip = wire::Ipv6View::parse(packet);
    if (!ip) {
        s.kind = FrameSummary::Kind::malformed_ip;
        s.malformed = wire::to_string(ip.error());
        return;
    }
    auto chain = wire::walk_extensions(*ip);
    if (!chain) {
        s.kind = FrameSummary::Kind::malformed_ip;
        s.malformed = wire::to_string(chain.error());
        return;
    }
    s.kind = FrameSummary::Kind::ipv6;
    s.src = ip->src();
    s.dst = ip->dst();
    s.proto = wire::IpProtocol{chain->upper};
    s.ttl = ip->hop_limit();
    if (const auto& f = chain->fragment; f && (f->offset != 0 || f->more)) {
        s.fragment = true;
        s.frag_offset = f->offset;
        s.more_fragments = f->more;
        s.id = static_cast<uint16_t>(f->identification);
    }
    if (!s.fragment || s.frag_offset == 0)
        read_transport(s, s.proto, ip->bytes().subspan(chain->upper_at));
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
        read_ipv6(s, packet);
    } else {
        read_ipv4(s, packet);
    }
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
    } else if (eth->ethertype() == wire::EtherType::ipv6) {
        read_ipv6(s, eth->payload());
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
