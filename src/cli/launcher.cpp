#include "cli/launcher.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "apps/udp_apps.hpp"
#include "apps/web.hpp"
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
            Params p(spec, {"to", "port", "path", "count", "label"});
            const auto [dest, name] = p.destination(net);
            apps::HttpGetOptions o{
                .to = {dest, static_cast<uint16_t>(p.integer("port", 80, 1, 65535))},
                .host = name,
                .paths = {},
                .label = p.text("label", "web"),
                .keep_bodies = false};
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
        } else {
            return base::fail(
                fmt::format("{}: unknown application '{}' (known: ping, traceroute, "
                            "udp-echo, udp-stream, http-server, http-get)",
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

bool Launcher::all_done() const {
    return std::all_of(apps_.begin(), apps_.end(), [](const auto& a) { return a->done(); });
}

}  // namespace cli
