#include "scenario/params.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "dns/wire/name.hpp"
#include "netem/units.hpp"

namespace scenario {

using sim::AppParam;

std::string at(const sim::Location& l) {
    return fmt::format("{}:{}:{}", l.file, l.line, l.column);
}

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        const auto begin = item.find_first_not_of(" \t");
        if (begin == std::string::npos) continue;
        items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
    }
    return items;
}

std::string relative_to(const std::string& file, const std::string& topology_file) {
    std::filesystem::path f = file;
    if (f.is_relative()) f = std::filesystem::path(topology_file).parent_path() / f;
    return f.string();
}

Params::Params(const sim::AppSpec& spec, std::span<const std::string_view> known) : spec_(spec) {
    for (const auto& [key, param] : spec_.params) {
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        std::string list;
        for (std::string_view k : known)
            list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
        fail(fmt::format("{}: {} has no parameter '{}' (it takes: {})", at(param.key_where),
                         spec_.kind, key, list));
    }
}

int64_t Params::integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
    const AppParam* p = param(key);
    if (!p) return fallback;
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(p->value.data(), p->value.data() + p->value.size(), v);
    if (ec != std::errc{} || end != p->value.data() + p->value.size() || v < min || v > max) {
        fail(fmt::format("{}: {} '{}' must be a whole number from {} to {}, not '{}'", at(p->where),
                         spec_.kind, key, min, max, p->value));
        return fallback;
    }
    return v;
}

base::Duration Params::duration(const std::string& key, base::Duration fallback) {
    const AppParam* p = param(key);
    if (!p) return fallback;
    auto d = netem::parse_duration(p->value);
    if (!d) {
        fail(fmt::format("{}: {} '{}': {}", at(p->where), spec_.kind, key, d.error()));
        return fallback;
    }
    return *d;
}

uint64_t Params::size(const std::string& key, uint64_t fallback, uint64_t min) {
    const AppParam* p = param(key);
    if (!p) return fallback;
    auto s = netem::parse_size(p->value);
    if (!s) {
        fail(fmt::format("{}: {} '{}': {}", at(p->where), spec_.kind, key, s.error()));
        return fallback;
    }
    if (*s < min) {
        fail(fmt::format("{}: {} '{}' must be at least {} bytes, not '{}'", at(p->where),
                         spec_.kind, key, min, p->value));
        return fallback;
    }
    return *s;
}

uint64_t Params::bandwidth(const std::string& key, uint64_t fallback) {
    const AppParam* p = param(key);
    if (!p) return fallback;
    auto b = netem::parse_bandwidth(p->value);
    if (!b) {
        fail(fmt::format("{}: {} '{}': {}", at(p->where), spec_.kind, key, b.error()));
        return fallback;
    }
    return *b;
}

bool Params::boolean(const std::string& key, bool fallback) {
    const AppParam* p = param(key);
    if (!p) return fallback;
    if (p->value == "true") return true;
    if (p->value == "false") return false;
    fail(fmt::format("{}: {} '{}' must be true or false, not '{}'", at(p->where), spec_.kind, key,
                     p->value));
    return fallback;
}

std::string Params::text(const std::string& key, std::string fallback) {
    const AppParam* p = param(key);
    return p ? p->value : fallback;
}

std::pair<wire::IpAddress, std::string> Params::destination(sim::Network& net) {
    const AppParam* p = param("to");
    if (!p) {
        fail(fmt::format("{}: {} needs 'to': a node name or an address", at(spec_.where),
                         spec_.kind));
        return {};
    }
    auto a = net.resolve(p->value);
    if (!a) {
        fail(fmt::format("{}: {} 'to': '{}' is neither a node nor an IP address", at(p->where),
                         spec_.kind, p->value));
        return {};
    }
    return {*a, p->value};
}

Params::Target Params::target(sim::Network& net, const sim::NodeSpec& node) {
    const AppParam* p = param("to");
    if (!p) {
        fail(fmt::format("{}: {} needs 'to': a node name, an address or a DNS name",
                         at(spec_.where), spec_.kind));
        return {};
    }
    if (auto a = net.resolve(p->value)) return {*a, p->value, false};
    if (!dns::Name::parse(p->value.ends_with(".") ? p->value : p->value + ".") ||
        p->value.find('.') == std::string::npos) {
        fail(fmt::format("{}: {} 'to': '{}' is neither a node, an IP address nor a DNS name",
                         at(p->where), spec_.kind, p->value));
        return {};
    }
    if (node.nameservers.empty()) {
        fail(
            fmt::format("{}: {} 'to': '{}' is a DNS name, and {} has no nameserver to ask "
                        "(give the host 'nameserver: ADDRESS')",
                        at(p->where), spec_.kind, p->value, node.name));
        return {};
    }
    return {{}, p->value, true};
}

std::string Params::path(const std::string& key, const std::string& topology_file) {
    const AppParam* p = param(key);
    return p ? relative_to(p->value, topology_file) : std::string();
}

std::optional<wire::Ipv4Address> Params::node_or_address(sim::Network& net,
                                                         const std::string& key) {
    const AppParam* p = param(key);
    if (!p) return std::nullopt;
    auto a = net.resolve(p->value);
    if (!a || !a->is_v4()) {
        fail(
            fmt::format("{}: {} '{}': '{}' is neither a node with IPv4 nor an IPv4 address "
                        "(DNS over IPv6 is not there yet)",
                        at(p->where), spec_.kind, key, p->value));
        return std::nullopt;
    }
    return a->v4();
}

std::vector<wire::Ipv4Address> Params::addresses(const std::string& key) {
    std::vector<wire::Ipv4Address> out;
    const AppParam* p = param(key);
    if (!p) return out;
    for (const std::string& one : comma_list(p->value)) {
        auto a = wire::Ipv4Address::parse(one);
        if (!a) {
            fail(fmt::format("{}: {} '{}': '{}' is not an IPv4 address", at(p->where), spec_.kind,
                             key, one));
            break;
        }
        out.push_back(*a);
    }
    return out;
}

const AppParam* Params::param(const std::string& key) const {
    const auto it = spec_.params.find(key);
    return it == spec_.params.end() ? nullptr : &it->second;
}

void Params::fail_with(std::string e) {
    fail(std::move(e));
}

void Params::fail(std::string e) {
    if (!error_) error_ = std::move(e);
}

}  // namespace scenario
