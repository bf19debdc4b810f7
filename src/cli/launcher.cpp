#include "cli/launcher.hpp"

#include <charconv>

#include <fmt/format.h>

#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "sim/units.hpp"

namespace cli {
namespace {

using sim::AppParam;
using sim::AppSpec;

std::string at(const sim::Location& l) {
    return fmt::format("{}:{}:{}", l.file, l.line, l.column);
}

class Params {
  public:
    explicit Params(const AppSpec& spec) : spec_(spec) {}

    // Fails on any parameter not in `known`.
    base::Expected<void, std::string> only(std::initializer_list<std::string_view> known) const {
        for (const auto& [key, param] : spec_.params) {
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                std::string list;
                for (std::string_view k : known)
                    list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
                return base::fail(fmt::format("{}: {} has no parameter '{}' (it takes: {})",
                                              at(param.key_where), spec_.kind, key, list));
            }
        }
        return {};
    }
    const AppParam* find(const std::string& key) const {
        const auto it = spec_.params.find(key);
        return it == spec_.params.end() ? nullptr : &it->second;
    }
    base::Expected<int64_t, std::string> integer(const std::string& key, int64_t fallback,
                                                 int64_t min, int64_t max) const {
        const AppParam* p = find(key);
        if (!p) return fallback;
        int64_t v = 0;
        const auto [end, ec] =
            std::from_chars(p->value.data(), p->value.data() + p->value.size(), v);
        if (ec != std::errc{} || end != p->value.data() + p->value.size() || v < min || v > max) {
            return base::fail(
                fmt::format("{}: {} '{}' must be a whole number from {} to {}, not '{}'",
                            at(p->where), spec_.kind, key, min, max, p->value));
        }
        return v;
    }
    base::Expected<base::Duration, std::string> duration(const std::string& key,
                                                         base::Duration fallback) const {
        const AppParam* p = find(key);
        if (!p) return fallback;
        auto d = sim::parse_duration(p->value);
        if (!d)
            return base::fail(
                fmt::format("{}: {} '{}': {}", at(p->where), spec_.kind, key, d.error()));
        return *d;
    }
    base::Expected<std::pair<wire::Ipv4Address, std::string>, std::string> destination(
        sim::Network& net) const {
        const AppParam* p = find("to");
        if (!p)
            return base::fail(fmt::format("{}: {} needs 'to': a node name or an address",
                                          at(spec_.where), spec_.kind));
        auto a = net.resolve(p->value);
        if (!a) {
            return base::fail(fmt::format("{}: {} 'to': '{}' is neither a node nor an IPv4 address",
                                          at(p->where), spec_.kind, p->value));
        }
        return std::pair{*a, p->value};
    }

  private:
    const AppSpec& spec_;
};

}  // namespace

struct Launcher::App {
    AppSpec spec;
    apps::PingOptions ping;
    apps::TracerouteOptions traceroute;
    std::unique_ptr<apps::Ping> running_ping;
    std::unique_ptr<apps::Traceroute> running_traceroute;
    bool started = false;
    bool ended = false;  // finished, or its node crashed under it

    bool done() const {
        if (ended) return true;
        if (running_ping) return running_ping->done();
        if (running_traceroute) return running_traceroute->done();
        return false;
    }
};

base::Expected<std::unique_ptr<Launcher>, std::string> Launcher::create(Session& session,
                                                                        Output output) {
    std::unique_ptr<Launcher> l(new Launcher(session, std::move(output)));
    for (const AppSpec& spec : session.topology().apps) {
        auto app = std::make_unique<App>();
        app->spec = spec;
        const Params p(spec);
        if (spec.kind == "ping") {
            if (auto ok = p.only({"to", "count", "interval", "size", "ttl", "linger"}); !ok)
                return base::fail(ok.error());
            auto dest = p.destination(session.network());
            auto count = p.integer("count", 4, 1, 1'000'000);
            auto interval = p.duration("interval", base::Duration::seconds(1));
            auto size = p.integer("size", 56, 0, 65507);
            auto ttl = p.integer("ttl", 0, 1, 255);
            auto linger = p.duration("linger", base::Duration::seconds(10));
            for (const std::string* e :
                 {dest ? nullptr : &dest.error(), count ? nullptr : &count.error(),
                  interval ? nullptr : &interval.error(), size ? nullptr : &size.error(),
                  ttl ? nullptr : &ttl.error(), linger ? nullptr : &linger.error()}) {
                if (e) return base::fail(*e);
            }
            app->ping = apps::PingOptions{.destination = dest->first,
                                          .destination_name = dest->second,
                                          .count = static_cast<int>(*count),
                                          .interval = *interval,
                                          .size = static_cast<size_t>(*size),
                                          .ttl = static_cast<uint8_t>(*ttl),
                                          .linger = *linger};
        } else if (spec.kind == "traceroute") {
            if (auto ok = p.only({"to", "max_hops", "probes", "wait"}); !ok)
                return base::fail(ok.error());
            auto dest = p.destination(session.network());
            auto max_hops = p.integer("max_hops", 30, 1, 255);
            auto probes = p.integer("probes", 3, 1, 10);
            auto wait = p.duration("wait", base::Duration::seconds(5));
            for (const std::string* e :
                 {dest ? nullptr : &dest.error(), max_hops ? nullptr : &max_hops.error(),
                  probes ? nullptr : &probes.error(), wait ? nullptr : &wait.error()}) {
                if (e) return base::fail(*e);
            }
            app->traceroute = apps::TracerouteOptions{.destination = dest->first,
                                                      .destination_name = dest->second,
                                                      .max_hops = static_cast<int>(*max_hops),
                                                      .probes = static_cast<int>(*probes),
                                                      .wait = *wait};
        } else {
            return base::fail(fmt::format("{}: unknown application '{}' (known: ping, traceroute)",
                                          at(spec.kind_where), spec.kind));
        }
        l->apps_.push_back(std::move(app));
    }
    return l;
}

Launcher::Launcher(Session& session, Output output)
    : session_(session), output_(std::move(output)) {}

Launcher::~Launcher() = default;

void Launcher::schedule() {
    for (auto& app : apps_) {
        App* a = app.get();
        sim::Node* node = session_.network().find_node(a->spec.node);
        node->on_crash([a](sim::Node&) {
            // The program dies with its host.
            a->running_ping.reset();
            a->running_traceroute.reset();
            if (a->started) a->ended = true;
        });
        session_.sim().schedule_at(base::Time::zero() + a->spec.at, [this, a] { start(*a); });
    }
}

void Launcher::start(App& app) {
    app.started = true;
    sim::Node* node = session_.network().find_node(app.spec.node);
    auto print = [this, &app](const std::string& line) {
        output_(AppLine{session_.sim().now(), app.spec.node, app.spec.kind, line});
    };
    if (!node->up()) {
        print(fmt::format("not started: {} is down", app.spec.node));
        app.ended = true;
        return;
    }
    const base::Time now = session_.sim().now();
    if (app.spec.kind == "ping") {
        app.running_ping = std::make_unique<apps::Ping>(node->host(), app.ping, print);
        app.running_ping->start(now);
    } else {
        sim::Network& net = session_.network();
        app.running_traceroute = std::make_unique<apps::Traceroute>(
            node->host(), app.traceroute, print,
            [&net](wire::Ipv4Address a) { return net.name_of(a); });
        app.running_traceroute->start(now);
    }
    node->wake();
}

bool Launcher::all_done() const {
    return std::all_of(apps_.begin(), apps_.end(), [](const auto& a) { return a->done(); });
}

}  // namespace cli
