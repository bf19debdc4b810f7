#include "report/dissect.hpp"

#include <fmt/format.h>

#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/services.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace report {
namespace {

using base::ByteSpan;

std::string port_text(uint16_t port, wire::IpProtocol p) {
    const std::string_view name = wire::service_name(port, p);
    return name.empty() ? fmt::format("{}", port) : fmt::format("{} ({})", port, name);
}

std::string checksum_text(uint16_t value, bool valid) {
    return fmt::format("0x{:04x} ({})", value, valid ? "correct" : "INCORRECT");
}

DissectedLayer data_layer(ByteSpan data) {
    DissectedLayer l{.name = "Data", .header = data};
    l.summary = fmt::format("{} bytes", data.size());
    std::string text;
    bool printable = true;
    for (std::byte b : data.first(std::min<size_t>(data.size(), 64))) {
        const auto c = static_cast<char>(b);
        if (c < 0x20 || c > 0x7e) printable = false;
        text += c;
    }
    if (printable && !data.empty()) {
        l.fields.push_back({"text", fmt::format("\"{}\"{}", text, data.size() > 64 ? "…" : "")});
    }
    l.fields.push_back({"length", fmt::format("{} bytes", data.size())});
    return l;
}

void dissect_tcp(ByteSpan segment, const wire::IpAddress& src, const wire::IpAddress& dst,
                 std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "TCP"};
    auto view = wire::TcpView::parse(segment);
    if (!view) {
        l.header = segment;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    auto repr = wire::TcpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore);
    l.header = segment.first(view->header_len());
    l.rest = view->payload();
    l.summary = fmt::format("{} → {} [{}] seq={} ack={} win={} len={}", view->src_port(),
                            view->dst_port(), view->flags().to_string(), view->seq().value(),
                            view->ack().value(), view->window(), view->payload().size());
    l.fields = {
        {"source port", port_text(view->src_port(), wire::IpProtocol::tcp)},
        {"destination port", port_text(view->dst_port(), wire::IpProtocol::tcp)},
        {"sequence number", fmt::format("{}", view->seq().value())},
        {"acknowledgment number", fmt::format("{}", view->ack().value())},
        {"header length", fmt::format("{} bytes", view->header_len())},
        {"flags", fmt::format("0x{:03x} ({})", view->flags().bits(), view->flags().to_string())},
        {"window", fmt::format("{}", view->window())},
        {"checksum", checksum_text(view->checksum(), view->checksum_valid(src, dst))},
        {"urgent pointer", fmt::format("{}", view->urgent_pointer())},
    };
    if (!repr) {
        l.problem = fmt::format("malformed options: {}", wire::to_string(repr.error()));
    } else {
        std::vector<std::string> opts;
        if (repr->mss) opts.push_back(fmt::format("MSS {}", *repr->mss));
        if (repr->window_scale) opts.push_back(fmt::format("window scale {}", *repr->window_scale));
        if (repr->sack_permitted) opts.push_back("SACK permitted");
        if (repr->timestamps) {
            opts.push_back(fmt::format("timestamps {}/{}", repr->timestamps->value,
                                       repr->timestamps->echo_reply));
        }
        for (const wire::TcpSackBlock& b : repr->sack_blocks.blocks()) {
            opts.push_back(fmt::format("SACK {}-{}", b.left.value(), b.right.value()));
        }
        if (!opts.empty())
            l.fields.push_back({"options", fmt::format("{}", fmt::join(opts, ", "))});
    }
    if (!view->checksum_valid(src, dst)) l.problem = "bad checksum";
    out.push_back(std::move(l));
    if (!view->payload().empty()) out.push_back(data_layer(view->payload()));
}

void dissect_udp(ByteSpan datagram, const wire::IpAddress& src, const wire::IpAddress& dst,
                 std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "UDP"};
    auto view = wire::UdpView::parse(datagram);
    if (!view) {
        l.header = datagram;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    const bool valid = view->checksum_valid(src, dst);
    l.header = datagram.first(wire::udp::header_len);
    l.rest = view->payload();
    l.summary =
        fmt::format("{} → {} len={}", view->src_port(), view->dst_port(), view->payload().size());
    l.fields = {
        {"source port", port_text(view->src_port(), wire::IpProtocol::udp)},
        {"destination port", port_text(view->dst_port(), wire::IpProtocol::udp)},
        {"length", fmt::format("{}", view->length())},
        {"checksum", view->checksum() == 0 ? std::string("0x0000 (none)")
                                           : checksum_text(view->checksum(), valid)},
    };
    if (!valid) l.problem = "bad checksum";
    out.push_back(std::move(l));
    if (!view->payload().empty()) out.push_back(data_layer(view->payload()));
}

void dissect_icmp(ByteSpan message, std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "ICMP"};
    auto view = wire::Icmpv4View::parse(message);
    if (!view) {
        l.header = message;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    const auto type = wire::Icmpv4Type{view->type()};
    l.header = message.first(wire::icmpv4::header_len);
    l.rest = view->payload();
    std::string what{wire::to_string(type)};
    if (type == wire::Icmpv4Type::dest_unreachable) {
        what = fmt::format("{} ({})", what, wire::to_string(wire::UnreachableCode{view->code()}));
    }
    l.summary = what;
    l.fields = {
        {"type", fmt::format("{} ({})", view->type(), wire::to_string(type))},
        {"code", fmt::format("{}", view->code())},
        {"checksum", checksum_text(view->checksum(), view->checksum_valid())},
    };
    if (type == wire::Icmpv4Type::echo_request || type == wire::Icmpv4Type::echo_reply) {
        l.fields.push_back({"identifier", fmt::format("{}", view->identifier())});
        l.fields.push_back({"sequence", fmt::format("{}", view->sequence())});
        l.summary += fmt::format(" id={} seq={}", view->identifier(), view->sequence());
    } else if (type == wire::Icmpv4Type::dest_unreachable &&
               view->code() == static_cast<uint8_t>(wire::UnreachableCode::fragmentation_needed)) {
        l.fields.push_back({"next-hop MTU", fmt::format("{}", view->next_hop_mtu())});
    }
    if (!view->checksum_valid()) l.problem = "bad checksum";
    out.push_back(std::move(l));
    if (!view->payload().empty()) out.push_back(data_layer(view->payload()));
}

void dissect_ipv4(ByteSpan packet, std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "IPv4"};
    auto view = wire::Ipv4View::parse(packet);
    if (!view) {
        l.header = packet;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    l.header = view->header();
    l.rest = view->payload();
    l.summary = fmt::format("{} → {}, TTL {}, {}", view->src(), view->dst(), view->ttl(),
                            wire::to_string(view->protocol()));
    std::vector<std::string> flags;
    if (view->dont_fragment()) flags.push_back("DF");
    if (view->more_fragments()) flags.push_back("MF");
    l.fields = {
        {"version", fmt::format("{}", view->version())},
        {"header length", fmt::format("{} bytes", view->header_len())},
        {"DSCP / ECN", fmt::format("{} / {}", view->dscp(), view->ecn())},
        {"total length", fmt::format("{}", view->total_len())},
        {"identification", fmt::format("0x{:04x}", view->identification())},
        {"flags", flags.empty() ? std::string("none") : fmt::format("{}", fmt::join(flags, ", "))},
        {"fragment offset", fmt::format("{}", view->fragment_offset())},
        {"time to live", fmt::format("{}", view->ttl())},
        {"protocol", fmt::format("{} ({})", static_cast<int>(view->protocol()),
                                 wire::to_string(view->protocol()))},
        {"header checksum", checksum_text(view->checksum(), view->checksum_valid())},
        {"source", view->src().to_string()},
        {"destination", view->dst().to_string()},
    };
    if (!view->checksum_valid()) l.problem = "bad header checksum";
    out.push_back(std::move(l));
    if (view->fragment_offset() != 0 || view->more_fragments()) {
        // Only a whole datagram has a transport header to show.
        out.push_back(data_layer(view->payload()));
        out.back().name = "Fragment data";
        return;
    }
    switch (view->protocol()) {
        case wire::IpProtocol::tcp:
            dissect_tcp(view->payload(), view->src(), view->dst(), out);
            break;
        case wire::IpProtocol::udp:
            dissect_udp(view->payload(), view->src(), view->dst(), out);
            break;
        case wire::IpProtocol::icmp:
            dissect_icmp(view->payload(), out);
            break;
        default:
            out.push_back(data_layer(view->payload()));
            break;
    }
}

void dissect_icmpv6(ByteSpan message, const wire::Ipv6Address& src, const wire::Ipv6Address& dst,
                    std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "ICMPv6"};
    auto view = wire::Icmpv6View::parse(message);
    if (!view) {
        l.header = message;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    using wire::Icmpv6Type;
    const auto type = Icmpv6Type{view->type()};
    const bool valid = view->checksum_valid(src, dst);
    l.header = message.first(wire::icmpv6::header_len);
    l.rest = view->payload();
    std::string what{wire::to_string(type)};
    if (type == Icmpv6Type::dest_unreachable) {
        what = fmt::format("{} ({})", what,
                           wire::to_string(wire::Icmpv6UnreachableCode{view->code()}));
    }
    l.summary = what;
    l.fields = {
        {"type", fmt::format("{} ({})", view->type(), wire::to_string(type))},
        {"code", fmt::format("{}", view->code())},
        {"checksum", checksum_text(view->checksum(), valid)},
    };
    if (type == Icmpv6Type::echo_request || type == Icmpv6Type::echo_reply) {
        l.fields.push_back({"identifier", fmt::format("{}", view->identifier())});
        l.fields.push_back({"sequence", fmt::format("{}", view->sequence())});
        l.summary += fmt::format(" id={} seq={}", view->identifier(), view->sequence());
    } else if (type == Icmpv6Type::packet_too_big) {
        l.fields.push_back({"MTU", fmt::format("{}", view->mtu())});
        l.summary += fmt::format(", MTU {}", view->mtu());
    } else if (type == Icmpv6Type::parameter_problem) {
        l.fields.push_back({"pointer", fmt::format("{}", view->pointer())});
    } else if (type == Icmpv6Type::neighbor_solicitation ||
               type == Icmpv6Type::neighbor_advertisement) {
        // The target follows the four reserved (or flag) bytes.
        if (view->payload().size() >= 16) {
            const auto target = wire::Ipv6Address::load(view->payload());
            l.fields.push_back({"target", target.to_string()});
            l.summary += fmt::format(" for {}", target);
        }
    }
    if (!valid) l.problem = "bad checksum";
    out.push_back(std::move(l));
    if (!view->payload().empty()) out.push_back(data_layer(view->payload()));
}

void dissect_ipv6(ByteSpan packet, std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "IPv6"};
    auto view = wire::Ipv6View::parse(packet);
    if (!view) {
        l.header = packet;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    auto chain = wire::walk_extensions(*view);
    const size_t upper_at = chain ? chain->upper_at : wire::ipv6::header_len;
    const auto upper = wire::IpProtocol{chain ? chain->upper : view->next_header()};
    l.header = view->bytes().first(upper_at);
    l.rest = view->bytes().subspan(upper_at);
    l.summary = fmt::format("{} → {}, hop limit {}, {}", view->src(), view->dst(),
                            view->hop_limit(), wire::to_string(upper));
    l.fields = {
        {"version", fmt::format("{}", view->version())},
        {"traffic class", fmt::format("0x{:02x}", view->traffic_class())},
        {"flow label", fmt::format("0x{:05x}", view->flow_label())},
        {"payload length", fmt::format("{}", view->payload_len())},
        {"next header", fmt::format("{}", view->next_header())},
        {"hop limit", fmt::format("{}", view->hop_limit())},
        {"source", view->src().to_string()},
        {"destination", view->dst().to_string()},
    };
    if (!chain) {
        l.problem = fmt::format("extension headers: {}", wire::to_string(chain.error()));
        out.push_back(std::move(l));
        return;
    }
    if (chain->extension_headers > 0) {
        std::vector<std::string> ext;
        if (chain->hop_by_hop_options) ext.push_back("hop-by-hop options");
        if (chain->routing)
            ext.push_back(fmt::format("routing (segments left {})", chain->routing->segments_left));
        if (chain->fragment) {
            ext.push_back(fmt::format(
                "fragment (offset {}{}, id 0x{:08x})", chain->fragment->offset,
                chain->fragment->more ? ", more" : "", chain->fragment->identification));
        }
        l.fields.push_back({"extension headers", fmt::format("{}", fmt::join(ext, ", "))});
    }
    out.push_back(std::move(l));
    const ByteSpan payload = view->bytes().subspan(upper_at);
    if (chain->fragment && (chain->fragment->offset != 0 || chain->fragment->more)) {
        out.push_back(data_layer(payload));
        out.back().name = "Fragment data";
        return;
    }
    switch (upper) {
        case wire::IpProtocol::tcp:
            dissect_tcp(payload, view->src(), view->dst(), out);
            break;
        case wire::IpProtocol::udp:
            dissect_udp(payload, view->src(), view->dst(), out);
            break;
        case wire::IpProtocol::icmpv6:
            dissect_icmpv6(payload, view->src(), view->dst(), out);
            break;
        default:
            if (!payload.empty()) out.push_back(data_layer(payload));
            break;
    }
}

void dissect_arp(ByteSpan packet, std::vector<DissectedLayer>& out) {
    DissectedLayer l{.name = "ARP"};
    auto view = wire::ArpView::parse(packet);
    if (!view) {
        l.header = packet;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return;
    }
    l.header = view->bytes();
    const bool request = view->operation() == static_cast<uint16_t>(wire::ArpOperation::request);
    l.summary = request ? fmt::format("who has {}? tell {}", view->target_ip(), view->sender_ip())
                        : fmt::format("{} is at {}", view->sender_ip(), view->sender_mac());
    l.fields = {
        {"operation", fmt::format("{} ({})", view->operation(),
                                  request ? "request" : (view->operation() == 2 ? "reply" : "?"))},
        {"sender MAC", view->sender_mac().to_string()},
        {"sender IP", view->sender_ip().to_string()},
        {"target MAC", view->target_mac().to_string()},
        {"target IP", view->target_ip().to_string()},
    };
    out.push_back(std::move(l));
}

}  // namespace

std::vector<DissectedLayer> dissect(ByteSpan frame) {
    std::vector<DissectedLayer> out;
    DissectedLayer l{.name = "Ethernet II"};
    auto view = wire::EthernetView::parse(frame);
    if (!view) {
        l.header = frame;
        l.problem = fmt::format("malformed: {}", wire::to_string(view.error()));
        out.push_back(std::move(l));
        return out;
    }
    l.header = view->header();
    l.rest = view->payload();
    const auto type = view->ethertype();
    l.summary = fmt::format("{} → {}, {}", view->src(), view->dst(), wire::to_string(type));
    l.fields = {
        {"destination", view->dst().to_string()},
        {"source", view->src().to_string()},
        {"type", fmt::format("0x{:04x} ({})", static_cast<uint16_t>(type), wire::to_string(type))},
    };
    out.push_back(std::move(l));
    switch (type) {
        case wire::EtherType::ipv4:
            dissect_ipv4(view->payload(), out);
            break;
        case wire::EtherType::ipv6:
            dissect_ipv6(view->payload(), out);
            break;
        case wire::EtherType::arp:
            dissect_arp(view->payload(), out);
            break;
        default:
            out.push_back(data_layer(view->payload()));
            break;
    }
    return out;
}

std::string hexdump(ByteSpan bytes, std::string_view indent) {
    std::string out;
    for (size_t line = 0; line < bytes.size(); line += 16) {
        const ByteSpan row = bytes.subspan(line, std::min<size_t>(16, bytes.size() - line));
        out += fmt::format("{}{:04x}  ", indent, line);
        for (size_t i = 0; i < 16; ++i) {
            if (i < row.size()) {
                out += fmt::format("{:02x} ", static_cast<unsigned>(row[i]));
            } else {
                out += "   ";
            }
            if (i == 7) out += ' ';
        }
        out += ' ';
        for (std::byte b : row) {
            const auto c = static_cast<char>(b);
            out += (c >= 0x20 && c <= 0x7e) ? c : '.';
        }
        out += '\n';
    }
    return out;
}

}  // namespace report
