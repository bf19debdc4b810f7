#include "report/event_fields.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dns/wire/message.hpp"

namespace report {

std::string field_str(const nlohmann::json& f, const char* key) {
    const auto it = f.find(key);
    return it != f.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

uint64_t field_num(const nlohmann::json& f, const char* key) {
    const auto it = f.find(key);
    return it != f.end() && it->is_number() ? it->get<uint64_t>() : 0;
}

std::pair<std::string, std::string> ends_of(const std::string& conn) {
    const size_t dash = conn.find('-');
    if (dash == std::string::npos) return {conn, {}};
    return {conn.substr(0, dash), conn.substr(dash + 1)};
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

std::vector<std::byte> unhex(const std::string& hex) {
    std::vector<std::byte> out;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return {};
        out.push_back(static_cast<std::byte>(hi * 16 + lo));
    }
    return out;
}

std::string describe_dns(const std::string& hex) {
    const std::vector<std::byte> bytes = unhex(hex);
    auto m = dns::parse_message(bytes);
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

std::string describe_packet(const nlohmann::json& f) {
    const std::string proto = field_str(f, "proto");
    if (proto == "TCP" || proto == "UDP") {
        std::string s =
            fmt::format("{} {}:{} -> {}:{}", proto, field_str(f, "src"), field_num(f, "sport"),
                        field_str(f, "dst"), field_num(f, "dport"));
        if (proto == "TCP") s += fmt::format(" [{}]", field_str(f, "flags"));
        if (field_num(f, "payload") > 0) s += fmt::format(" {} bytes", field_num(f, "payload"));
        return s;
    }
    if (proto == "ICMP")
        return fmt::format("ICMP type {} {} -> {}", field_num(f, "icmp_type"), field_str(f, "src"),
                           field_str(f, "dst"));
    if (proto == "ARP")
        return fmt::format("ARP {} for {}", field_str(f, "arp_op"), field_str(f, "target_ip"));
    if (!field_str(f, "src").empty())
        return fmt::format("{} {} -> {}", proto, field_str(f, "src"), field_str(f, "dst"));
    return "a frame";
}

}  // namespace report
