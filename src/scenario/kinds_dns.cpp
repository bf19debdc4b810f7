// DNS programs: the authoritative server, the recursor, lookups and updates.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "apps/dns_apps.hpp"
#include "dns/resolver/resolver.hpp"
#include "dns/wire/name.hpp"
#include "dns/zone/zone.hpp"
#include "scenario/kinds.hpp"

namespace scenario::kinds {
namespace {

using sim::AppParam;
using sim::AppSpec;

// The zones a dns-server serves: files named in 'zones', comma-separated,
// relative to the topology file. An error in a zone file names its own place.
std::optional<std::string> load_zones(Params& p, const AppSpec& spec,
                                      const std::string& topology_file,
                                      std::shared_ptr<dns::Authority>& authority) {
    dns::AuthorityConfig config;
    config.allow_update = p.addresses("allow_update");
    if (p.error()) return p.error();
    authority = std::make_shared<dns::Authority>(config);
    const AppParam* zones = p.param("zones");
    if (!zones) {
        return fmt::format("{}: dns-server needs 'zones': zone files, comma-separated",
                           at(spec.where));
    }
    const std::vector<std::string> files = comma_list(zones->value);
    if (files.empty()) {
        return fmt::format("{}: dns-server 'zones': no zone file named", at(zones->where));
    }
    for (const std::string& file : files) {
        const std::string f = relative_to(file, topology_file);
        auto z = dns::load_zone(f);
        if (!z) {
            if (z.error().line == 0)
                return fmt::format("{}: dns-server 'zones': cannot read '{}'", at(zones->where), f);
            return fmt::format("{}: dns-server 'zones': {}", at(zones->where),
                               z.error().to_string());
        }
        authority->set_zone(std::move(*z));
    }
    return std::nullopt;
}

std::optional<std::string> load_root_hints(Params& p, const AppSpec& spec,
                                           const std::string& topology_file,
                                           dns::ResolverConfig& config) {
    const AppParam* hints = p.param("root_hints");
    if (!hints) {
        return fmt::format("{}: dns-recursor needs 'root_hints': a file with the root servers",
                           at(spec.where));
    }
    const std::string file = p.path("root_hints", topology_file);
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fmt::format("{}: dns-recursor 'root_hints': cannot read '{}'", at(hints->where),
                           file);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = dns::parse_root_hints(text.str(), file);
    if (!parsed) return parsed.error();
    config.root_hints = *parsed;
    return std::nullopt;
}

}  // namespace

Parsed dns_server(Params& p, const ParseContext& c) {
    const auto port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
    std::shared_ptr<dns::Authority> authority;
    if (auto e = load_zones(p, c.spec, c.network.topology().file, authority)) p.fail_with(*e);
    return Start([authority, port](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::dns_server(rt, authority, port, ctx.output()));
    });
}

Parsed dns_recursor(Params& p, const ParseContext& c) {
    const auto port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
    dns::RecursorConfig config;
    // A problem with the hints is told before any other.
    if (auto e = load_root_hints(p, c.spec, c.network.topology().file, config.resolver))
        return base::fail(*e);
    return Start([config, port](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::dns_recursor(rt, config, port, ctx.output()));
    });
}

Parsed dns_lookup(Params& p, const ParseContext& c) {
    apps::DnsLookupOptions o;
    o.name = p.text("name", "");
    o.label = p.text("label", "lookup");
    const std::string type = p.text("type", "A");
    const auto parsed_type = dns::parse_type(type);
    if (p.param("server")) {
        if (auto a = p.node_or_address(c.network, "server")) o.stub.servers.push_back(*a);
    } else if (c.node.nameservers.empty()) {
        p.fail_with(fmt::format("{}: dns-lookup needs 'server', or a nameserver for {}",
                                at(c.spec.where), c.spec.node));
    }
    if (o.name.empty()) {
        p.fail_with(
            fmt::format("{}: dns-lookup needs 'name': the name to look up", at(c.spec.where)));
    } else if (!dns::Name::parse(o.name.ends_with(".") ? o.name : o.name + ".")) {
        p.fail_with(fmt::format("{}: dns-lookup 'name': '{}' is not a DNS name",
                                at(p.param("name")->where), o.name));
    }
    if (!parsed_type) {
        p.fail_with(fmt::format("{}: dns-lookup 'type': '{}' is not a record type",
                                at(p.param("type")->where), type));
    } else {
        o.type = *parsed_type;
    }
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::dns_lookup(rt, o, ctx.output()));
    });
}

Parsed dns_update(Params& p, const ParseContext& c) {
    apps::DnsUpdateOptions o;
    o.port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
    o.ttl = static_cast<uint32_t>(p.integer("ttl", 60, 0, 2147483647));
    o.label = p.text("label", "update");
    o.zone = p.text("zone", "");
    o.name = p.text("name", "");
    if (p.param("server")) {
        if (auto a = p.node_or_address(c.network, "server")) o.server = *a;
    } else {
        p.fail_with(fmt::format("{}: dns-update needs 'server': the zone's primary server",
                                at(c.spec.where)));
    }
    for (const char* key : {"zone", "name"}) {
        const AppParam* v = p.param(key);
        if (!v) {
            p.fail_with(fmt::format("{}: dns-update needs '{}'", at(c.spec.where), key));
        } else if (!dns::Name::parse(v->value.ends_with(".") ? v->value : v->value + ".")) {
            p.fail_with(fmt::format("{}: dns-update '{}': '{}' is not a DNS name", at(v->where),
                                    key, v->value));
        }
    }
    o.addresses = p.addresses("a");
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::dns_update(rt, o, ctx.output()));
    });
}

}  // namespace scenario::kinds
