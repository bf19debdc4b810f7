#include "cli/launcher.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "apps/dns_apps.hpp"
#include "apps/ping.hpp"
#include "apps/tcp_apps.hpp"
#include "apps/traceroute.hpp"
#include "apps/udp_apps.hpp"
#include "apps/web.hpp"
#include "dns/resolver/resolver.hpp"
#include "dns/zone/zone.hpp"
#include "sim/units.hpp"
#include "socket/runtime.hpp"

namespace cli {
namespace {

using sim::AppParam;
using sim::AppSpec;

std::string at(const sim::Location& l) {
    return fmt::format("{}:{}:{}", l.file, l.line, l.column);
}

// Reads an application's parameters, keeping the first error (with its place in
// the file) and handing back defaults after it, so a kind's parser reads
// straight through and checks once at the end.
// "a, b ,c" -> {"a", "b", "c"}; empty items are dropped.
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

// A file named in a topology, relative to the topology file's folder.
std::string relative_to(const std::string& file, const std::string& topology_file) {
    std::filesystem::path f = file;
    if (f.is_relative()) f = std::filesystem::path(topology_file).parent_path() / f;
    return f.string();
}

class Params {
  public:
    Params(const AppSpec& spec, std::initializer_list<std::string_view> known) : spec_(spec) {
        for (const auto& [key, param] : spec_.params) {
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string list;
            for (std::string_view k : known)
                list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
            fail(fmt::format("{}: {} has no parameter '{}' (it takes: {})", at(param.key_where),
                             spec_.kind, key, list));
        }
    }

    int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
        const AppParam* p = find(key);
        if (!p) return fallback;
        int64_t v = 0;
        const auto [end, ec] =
            std::from_chars(p->value.data(), p->value.data() + p->value.size(), v);
        if (ec != std::errc{} || end != p->value.data() + p->value.size() || v < min || v > max) {
            fail(fmt::format("{}: {} '{}' must be a whole number from {} to {}, not '{}'",
                             at(p->where), spec_.kind, key, min, max, p->value));
            return fallback;
        }
        return v;
    }
    base::Duration duration(const std::string& key, base::Duration fallback) {
        const AppParam* p = find(key);
        if (!p) return fallback;
        auto d = sim::parse_duration(p->value);
        if (!d) {
            fail(fmt::format("{}: {} '{}': {}", at(p->where), spec_.kind, key, d.error()));
            return fallback;
        }
        return *d;
    }
    // `true` or `false`.
    bool boolean(const std::string& key, bool fallback) {
        const AppParam* p = find(key);
        if (!p) return fallback;
        if (p->value == "true") return true;
        if (p->value == "false") return false;
        fail(fmt::format("{}: {} '{}' must be true or false, not '{}'", at(p->where), spec_.kind,
                         key, p->value));
        return fallback;
    }
    std::string text(const std::string& key, std::string fallback) {
        const AppParam* p = find(key);
        return p ? p->value : fallback;
    }
    // The required 'to': a node name or an address.
    std::pair<wire::Ipv4Address, std::string> destination(sim::Network& net) {
        const AppParam* p = find("to");
        if (!p) {
            fail(fmt::format("{}: {} needs 'to': a node name or an address", at(spec_.where),
                             spec_.kind));
            return {};
        }
        auto a = net.resolve(p->value);
        if (!a) {
            fail(fmt::format("{}: {} 'to': '{}' is neither a node nor an IPv4 address",
                             at(p->where), spec_.kind, p->value));
            return {};
        }
        return {*a, p->value};
    }

    // 'to' for a program that can look names up: a node, an address, or else a
    // DNS name, looked up when the program runs (the node needs a nameserver).
    struct Target {
        wire::Ipv4Address address;
        std::string name;
        bool by_dns = false;
    };
    Target target(sim::Network& net, const sim::NodeSpec& node) {
        const AppParam* p = find("to");
        if (!p) {
            fail(fmt::format("{}: {} needs 'to': a node name, an address or a DNS name",
                             at(spec_.where), spec_.kind));
            return {};
        }
        if (auto a = net.resolve(p->value)) return {*a, p->value, false};
        if (!dns::Name::parse(p->value.ends_with(".") ? p->value : p->value + ".") ||
            p->value.find('.') == std::string::npos) {
            fail(
                fmt::format("{}: {} 'to': '{}' is neither a node, an IPv4 address nor a DNS "
                            "name",
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
    // A file named relative to the topology file.
    std::string path(const std::string& key, const std::string& topology_file) {
        const AppParam* p = find(key);
        return p ? relative_to(p->value, topology_file) : std::string();
    }
    // A node's name or an address; nullopt when the key is absent or wrong
    // (then an error).
    std::optional<wire::Ipv4Address> node_or_address(sim::Network& net, const std::string& key) {
        const AppParam* p = find(key);
        if (!p) return std::nullopt;
        auto a = net.resolve(p->value);
        if (!a) {
            fail(fmt::format("{}: {} '{}': '{}' is neither a node nor an IPv4 address",
                             at(p->where), spec_.kind, key, p->value));
        }
        return a;
    }
    // Comma-separated addresses; an error names the first wrong one.
    std::vector<wire::Ipv4Address> addresses(const std::string& key) {
        std::vector<wire::Ipv4Address> out;
        const AppParam* p = find(key);
        if (!p) return out;
        for (const std::string& one : comma_list(p->value)) {
            auto a = wire::Ipv4Address::parse(one);
            if (!a) {
                fail(fmt::format("{}: {} '{}': '{}' is not an IPv4 address", at(p->where),
                                 spec_.kind, key, one));
                break;
            }
            out.push_back(*a);
        }
        return out;
    }
    const AppParam* param(const std::string& key) const { return find(key); }
    void fail_with(std::string e) { fail(std::move(e)); }

    const std::optional<std::string>& error() const { return error_; }

  private:
    const AppParam* find(const std::string& key) const {
        const auto it = spec_.params.find(key);
        return it == spec_.params.end() ? nullptr : &it->second;
    }
    void fail(std::string e) {
        if (!error_) error_ = std::move(e);
    }

    const AppSpec& spec_;
    std::optional<std::string> error_;
};

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

// Runs a client program on its node's runtime; the app has ended when the
// program returns.
template <typename Result>
void run_to_end(sockets::Runtime& rt, sockets::Task<Result> program, bool* ended) {
    rt.spawn([](sockets::Task<Result> p, bool* e) -> sockets::Task<void> {
        co_await std::move(p);
        *e = true;
    }(std::move(program), ended));
}

}  // namespace

struct Launcher::App {
    AppSpec spec;
    bool daemon = false;  // a server: runs for ever and never holds up the end of a run
    bool started = false;
    bool ended = false;  // finished, or its node crashed under it
    std::function<void(Launcher&, App&, sim::Node&)> start;
    std::unique_ptr<apps::Ping> ping;
    std::unique_ptr<apps::Traceroute> traceroute;

    bool done() const {
        if (daemon || ended) return true;
        if (ping) return ping->done();
        if (traceroute) return traceroute->done();
        return false;
    }
};

base::Expected<std::unique_ptr<Launcher>, std::string> Launcher::create(Session& session,
                                                                        Output output) {
    std::unique_ptr<Launcher> l(new Launcher(session, std::move(output)));
    sim::Network& net = session.network();
    for (const AppSpec& spec : session.topology().apps) {
        auto app = std::make_unique<App>();
        app->spec = spec;
        std::optional<std::string> error;
        if (spec.kind == "ping") {
            Params p(spec, {"to", "count", "interval", "size", "ttl", "linger"});
            const auto [dest, name] = p.destination(net);
            const apps::PingOptions o{
                .destination = dest,
                .destination_name = name,
                .count = static_cast<int>(p.integer("count", 4, 1, 1'000'000)),
                .interval = p.duration("interval", base::Duration::seconds(1)),
                .size = static_cast<size_t>(p.integer("size", 56, 0, 65507)),
                .ttl = static_cast<uint8_t>(p.integer("ttl", 0, 1, 255)),
                .linger = p.duration("linger", base::Duration::seconds(10))};
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                a.ping = std::make_unique<apps::Ping>(node.host(), o, self.printer(a));
                a.ping->start(self.session_.sim().now());
            };
        } else if (spec.kind == "traceroute") {
            Params p(spec, {"to", "max_hops", "probes", "wait"});
            const auto [dest, name] = p.destination(net);
            const apps::TracerouteOptions o{
                .destination = dest,
                .destination_name = name,
                .max_hops = static_cast<int>(p.integer("max_hops", 30, 1, 255)),
                .probes = static_cast<int>(p.integer("probes", 3, 1, 10)),
                .wait = p.duration("wait", base::Duration::seconds(5))};
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sim::Network& network = self.session_.network();
                a.traceroute = std::make_unique<apps::Traceroute>(
                    node.host(), o, self.printer(a),
                    [&network](wire::Ipv4Address x) { return network.name_of(x); });
                a.traceroute->start(self.session_.sim().now());
            };
        } else if (spec.kind == "udp-echo") {
            Params p(spec, {"port"});
            const auto port = static_cast<uint16_t>(p.integer("port", 7, 1, 65535));
            error = p.error();
            app->daemon = true;
            app->start = [port](Launcher& self, App& a, sim::Node& node) {
                self.runtime(node).spawn(apps::udp_echo(self.runtime(node), port, self.printer(a)));
            };
        } else if (spec.kind == "udp-stream") {
            Params p(spec, {"to", "port", "label", "count", "interval", "size", "wait"});
            const auto [dest, name] = p.destination(net);
            apps::UdpStreamOptions o{
                .to = {dest, static_cast<uint16_t>(p.integer("port", 7, 1, 65535))},
                .label = p.text("label", "udp-stream"),
                .count = static_cast<int>(p.integer("count", 100, 1, 10'000'000)),
                .interval = p.duration("interval", base::Duration::milliseconds(20)),
                .size = static_cast<size_t>(p.integer("size", 64, 8, 65507)),
                .wait = p.duration("wait", base::Duration::seconds(1))};
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                run_to_end(rt, apps::udp_stream(rt, o, self.printer(a)), &a.ended);
            };
        } else if (spec.kind == "http-server") {
            Params p(spec, {"port", "page_size"});
            const apps::HttpServerOptions o{
                .port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535))};
            const auto page_size = static_cast<size_t>(p.integer("page_size", 2000, 0, 1 << 30));
            error = p.error();
            app->daemon = true;
            app->start = [o, page_size](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                rt.spawn(apps::http_server(
                    rt, o,
                    [page_size](const apps::http::Request& r) {
                        return apps::sample_site(r, page_size);
                    },
                    self.printer(a)));
            };
        } else if (spec.kind == "http-get") {
            Params p(spec, {"to", "port", "path", "count", "label", "sha256"});
            const auto target = p.target(net, *session.topology().find_node(spec.node));
            apps::HttpGetOptions o{
                .to = {target.address, static_cast<uint16_t>(p.integer("port", 80, 1, 65535))},
                .host = target.name,
                .resolve_host = target.by_dns,
                .paths = {},
                .label = p.text("label", "web"),
                .keep_bodies = false,
                .sha256 = p.boolean("sha256", false)};
            const std::string path = p.text("path", "/");
            o.paths.assign(static_cast<size_t>(p.integer("count", 1, 1, 10'000)), path);
            if (!path.starts_with("/") && !p.error()) {
                error = fmt::format("{}: http-get 'path' must start with '/', not '{}'",
                                    at(spec.params.at("path").where), path);
            } else {
                error = p.error();
            }
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                run_to_end(rt, apps::http_get(rt, o, self.printer(a)), &a.ended);
            };
        } else if (spec.kind == "tcp-hello-server") {
            Params p(spec, {"port", "reply"});
            const auto port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535));
            const std::string reply = p.text("reply", "OK");
            error = p.error();
            app->daemon = true;
            app->start = [port, reply](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                rt.spawn(apps::hello_server(rt, port, reply, self.printer(a)));
            };
        } else if (spec.kind == "tcp-hello") {
            Params p(spec, {"to", "port", "message", "label"});
            const auto target = p.target(net, *session.topology().find_node(spec.node));
            const apps::HelloOptions o{
                .to = target.by_dns ? target.name : target.address.to_string(),
                .port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535)),
                .message = p.text("message", "Hello!"),
                .label = p.text("label", "hello")};
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                run_to_end(rt, apps::hello_client(rt, o, self.printer(a)), &a.ended);
            };
        } else if (spec.kind == "dns-server") {
            Params p(spec, {"zones", "port", "allow_update"});
            const auto port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
            std::shared_ptr<dns::Authority> authority;
            error = load_zones(p, spec, session.topology().file, authority);
            if (!error) error = p.error();
            app->daemon = true;
            app->start = [authority, port](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                rt.spawn(apps::dns_server(rt, authority, port, self.printer(a)));
            };
        } else if (spec.kind == "dns-recursor") {
            Params p(spec, {"root_hints", "port"});
            const auto port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
            dns::RecursorConfig config;
            error = load_root_hints(p, spec, session.topology().file, config.resolver);
            if (!error) error = p.error();
            app->daemon = true;
            app->start = [config, port](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                rt.spawn(apps::dns_recursor(rt, config, port, self.printer(a)));
            };
        } else if (spec.kind == "dns-lookup") {
            Params p(spec, {"name", "type", "server", "label"});
            apps::DnsLookupOptions o;
            o.name = p.text("name", "");
            o.label = p.text("label", "lookup");
            const std::string type = p.text("type", "A");
            const auto parsed_type = dns::parse_type(type);
            if (p.param("server")) {
                if (auto a = p.node_or_address(net, "server")) o.stub.servers.push_back(*a);
            } else if (session.topology().find_node(spec.node)->nameservers.empty()) {
                p.fail_with(fmt::format("{}: dns-lookup needs 'server', or a nameserver for {}",
                                        at(spec.where), spec.node));
            }
            if (o.name.empty()) {
                p.fail_with(fmt::format("{}: dns-lookup needs 'name': the name to look up",
                                        at(spec.where)));
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
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                run_to_end(rt, apps::dns_lookup(rt, o, self.printer(a)), &a.ended);
            };
        } else if (spec.kind == "dns-update") {
            Params p(spec, {"server", "port", "zone", "name", "a", "ttl", "label"});
            apps::DnsUpdateOptions o;
            o.port = static_cast<uint16_t>(p.integer("port", 53, 1, 65535));
            o.ttl = static_cast<uint32_t>(p.integer("ttl", 60, 0, 2147483647));
            o.label = p.text("label", "update");
            o.zone = p.text("zone", "");
            o.name = p.text("name", "");
            if (p.param("server")) {
                if (auto a = p.node_or_address(net, "server")) o.server = *a;
            } else {
                p.fail_with(fmt::format("{}: dns-update needs 'server': the zone's primary server",
                                        at(spec.where)));
            }
            for (const char* key : {"zone", "name"}) {
                const AppParam* v = p.param(key);
                if (!v) {
                    p.fail_with(fmt::format("{}: dns-update needs '{}'", at(spec.where), key));
                } else if (!dns::Name::parse(v->value.ends_with(".") ? v->value : v->value + ".")) {
                    p.fail_with(fmt::format("{}: dns-update '{}': '{}' is not a DNS name",
                                            at(v->where), key, v->value));
                }
            }
            o.addresses = p.addresses("a");
            error = p.error();
            app->start = [o](Launcher& self, App& a, sim::Node& node) {
                sockets::Runtime& rt = self.runtime(node);
                run_to_end(rt, apps::dns_update(rt, o, self.printer(a)), &a.ended);
            };
        } else {
            return base::fail(fmt::format(
                "{}: unknown application '{}' (known: ping, traceroute, udp-echo, udp-stream, "
                "http-server, http-get, tcp-hello, tcp-hello-server, dns-server, dns-recursor, "
                "dns-lookup, dns-update)",
                at(spec.kind_where), spec.kind));
        }
        if (error) return base::fail(*error);
        l->apps_.push_back(std::move(app));
    }
    return l;
}

Launcher::Launcher(Session& session, Output output)
    : session_(session), output_(std::move(output)) {}

Launcher::~Launcher() {
    // Programs first (they hold their hosts' runtimes and sockets), then runtimes.
    apps_.clear();
    runtimes_.clear();
}

apps::Output Launcher::printer(App& app) {
    return [this, &app](const std::string& line) {
        output_(AppLine{session_.sim().now(), app.spec.node, app.spec.kind, line});
    };
}

sockets::Runtime& Launcher::runtime(sim::Node& node) {
    auto& rt = runtimes_[node.name()];
    if (!rt) rt = std::make_unique<sockets::Runtime>(node.host());
    return *rt;
}

size_t Launcher::leave_out(const std::string& node) {
    return std::erase_if(apps_, [&](const auto& a) { return a->spec.node == node; });
}

void Launcher::schedule() {
    std::set<std::string> watched;
    for (auto& app : apps_) {
        App* a = app.get();
        sim::Node* node = session_.network().find_node(a->spec.node);
        if (watched.insert(a->spec.node).second) {
            node->on_crash([this](sim::Node& crashed) {
                // The programs die with their host: everything that holds on to
                // it lets go before it goes.
                for (auto& other : apps_) {
                    if (other->spec.node != crashed.name()) continue;
                    other->ping.reset();
                    other->traceroute.reset();
                    if (other->started) other->ended = true;
                }
                // Its connections end here: their counters go to the flows.
                if (const auto rt = runtimes_.find(crashed.name()); rt != runtimes_.end())
                    rt->second->tcp().report_open_flows(session_.sim().now());
                runtimes_.erase(crashed.name());
            });
        }
        session_.sim().schedule_at(base::Time::zero() + a->spec.at, [this, a] { start(*a); });
    }
}

void Launcher::start(App& app) {
    app.started = true;
    sim::Node* node = session_.network().find_node(app.spec.node);
    if (!node->up()) {
        printer(app)(fmt::format("not started: {} is down", app.spec.node));
        app.ended = true;
        return;
    }
    app.start(*this, app, *node);
    node->wake();
}

void Launcher::report_open_flows() {
    for (auto& [node, rt] : runtimes_)
        rt->tcp().report_open_flows(session_.sim().now());
}

bool Launcher::all_done() const {
    return std::all_of(apps_.begin(), apps_.end(), [](const auto& a) { return a->done(); });
}

}  // namespace cli
