#include "report/event_fields.hpp"

#include <fmt/format.h>

#include "dns/wire/message.hpp"
#include "wire/icmpv6.hpp"

namespace report {

std::string endpoint_text(const wire::IpAddress& address, uint16_t port) {
    if (address.is_v6()) return fmt::format("[{}]:{}", address, port);
    return fmt::format("{}:{}", address, port);
}

std::string one_line(const std::string& text) {
    std::string out;
    for (char ch : text) {
        if (ch == '\r') {
            out += "\\r";
        } else if (ch == '\n') {
            out += "\\n";
        } else if (ch == '\t') {
            out += "\\t";
        } else {
            out += ch;
        }
    }
    return out;
}

std::string describe_dns(base::ByteSpan message) {
    auto m = dns::parse_message(message);
    if (!m) return "a DNS message that does not parse";
    const std::string q = m->questions.empty()
                              ? std::string("?")
                              : fmt::format("{} {}", m->questions[0].name.to_string(),
                                            dns::to_string(m->questions[0].type));
    if (!m->qr) return fmt::format("query {}", q);
    if (m->rcode != dns::Rcode::noerror)
        return fmt::format("answer {}: {}", q, dns::to_string(m->rcode));
    if (!m->answers.empty()) {
        std::string data;
        for (const dns::Record& r : m->answers) {
            if (!data.empty()) data += ", ";
            data += r.type == (m->questions.empty() ? r.type : m->questions[0].type)
                        ? dns::to_string(r.data)
                        : fmt::format("{} {}", dns::to_string(r.type), dns::to_string(r.data));
        }
        return fmt::format("answer {} is {}", q, data);
    }
    for (const dns::Record& r : m->authority) {
        if (r.type == dns::RrType::ns)
            return fmt::format("referral for {}: ask {}'s servers ({})", q, r.name.to_string(),
                               dns::to_string(r.data));
    }
    return fmt::format("answer {}: no such data", q);
}

std::string flags_text(const sim::FrameSummary& f) {
    return f.tcp ? f.flags.to_string() : std::string();
}

std::string icmpv6_text(const sim::FrameSummary& f) {
    using wire::Icmpv6Type;
    const auto type = Icmpv6Type{f.icmp_type};
    const std::string_view name = wire::to_string(type);  // "unknown" for a type it lacks
    if (name == "unknown") return fmt::format("ICMPv6 type {}", f.icmp_type);
    if (wire::icmpv6::is_neighbor_discovery(f.icmp_type)) return std::string(name);
    if (type == Icmpv6Type::echo_request || type == Icmpv6Type::echo_reply)
        return fmt::format("ICMPv6 {} seq={}", name, f.icmp_seq);
    if (type == Icmpv6Type::dest_unreachable || type == Icmpv6Type::parameter_problem)
        return fmt::format("ICMPv6 {} (code {})", name, f.icmp_code);
    return fmt::format("ICMPv6 {}", name);
}

std::string describe_packet(const sim::FrameSummary& f) {
    using Kind = sim::FrameSummary::Kind;
    if (f.kind == Kind::arp)
        return f.arp_parsed
                   ? fmt::format("ARP {} for {}", f.arp_request ? "request" : "reply", f.target_ip)
                   : std::string("ARP  for ");
    if (!f.is_ip()) return "a frame";
    const std::string_view proto = wire::to_string(f.proto);
    if (f.proto == wire::IpProtocol::tcp || f.proto == wire::IpProtocol::udp) {
        std::string s = fmt::format("{} {}:{} -> {}:{}", proto, f.src, f.sport, f.dst, f.dport);
        if (f.proto == wire::IpProtocol::tcp) s += fmt::format(" [{}]", flags_text(f));
        if (f.payload > 0) s += fmt::format(" {} bytes", f.payload);
        return s;
    }
    if (f.proto == wire::IpProtocol::icmp)
        return fmt::format("ICMP type {} {} -> {}", f.icmp_type, f.src, f.dst);
    if (f.proto == wire::IpProtocol::icmpv6 && f.icmp)
        return fmt::format("{} {} -> {}", icmpv6_text(f), f.src, f.dst);
    return fmt::format("{} {} -> {}", proto, f.src, f.dst);
}

}  // namespace report
