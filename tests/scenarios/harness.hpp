// A simulated internet for scenario tests: a topology written inline, the
// network built from it, helpers to run ping and traceroute on it, and
// coroutine programs on its hosts.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "sim/capture.hpp"
#include "sim/event_log.hpp"
#include "sim/network.hpp"
#include "sim/topology.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "testing/printers.hpp"

namespace scenario {

struct Options {
    std::optional<uint64_t> seed;
    std::string capture_dir;
    bool event_log = false;
};

class Scenario {
  public:
    explicit Scenario(const std::string& yaml, Options options = {})
        : topology_(load(yaml)), sim_(base::Seed{options.seed.value_or(topology_.seed)}) {
        auto built = sim::Network::build(sim_, topology_);
        if (!built) ADD_FAILURE() << built.error();
        net_ = std::move(*built);
        if (!options.capture_dir.empty()) {
            auto capture = sim::Capture::open(
                *net_, {.format = sim::CaptureFormat::pcap, .path = options.capture_dir});
            if (!capture) ADD_FAILURE() << capture.error();
            capture_ = std::move(*capture);
            net_->tracer().add(capture_.get());
        }
        if (options.event_log) {
            log_ = std::make_unique<sim::EventLog>(events_, *net_);
            net_->tracer().add(log_.get());
        }
    }
    ~Scenario() {
        if (log_) net_->tracer().remove(log_.get());
        if (capture_) net_->tracer().remove(capture_.get());
    }

    sim::Simulator& sim() { return sim_; }
    sim::Network& net() { return *net_; }
    sim::Node& node(const std::string& name) { return *net_->find_node(name); }
    // A node's first IPv4 address. Precondition: it has one.
    wire::Ipv4Address address(const std::string& name) { return net_->resolve(name).value().v4(); }
    std::string events() {
        if (log_) log_->flush();
        return events_.str();
    }
    // Writes out what the captures hold so far.
    void flush() {
        if (capture_) capture_->flush();
    }

    struct PingRun {
        apps::PingStats stats;
        std::vector<std::string> lines;
    };
    // To `to`'s first address (IPv4, or IPv6 on a node without IPv4).
    PingRun ping(const std::string& from, const std::string& to, apps::PingOptions o = {}) {
        o.destination = net_->resolve(to).value();
        o.destination_name = to;
        PingRun run;
        apps::Ping p(node(from).host(), o, [&](const std::string& l) { run.lines.push_back(l); });
        p.start(sim_.now());
        node(from).wake();
        sim_.run_until([&] { return p.done(); },
                       sim_.now() + o.interval * o.count + o.linger + base::Duration::seconds(1));
        EXPECT_TRUE(p.done()) << "ping did not finish";
        run.stats = p.stats();
        return run;
    }

    struct TraceRun {
        std::vector<apps::TracerouteHop> hops;
        std::vector<std::string> lines;
        bool reached = false;
    };
    TraceRun traceroute(const std::string& from, const std::string& to,
                        apps::TracerouteOptions o = {}) {
        o.destination = address(to);
        o.destination_name = to;
        TraceRun run;
        apps::Traceroute t(
            node(from).host(), o, [&](const std::string& l) { run.lines.push_back(l); },
            [this](const wire::IpAddress& a) { return net_->name_of(a); });
        t.start(sim_.now());
        node(from).wake();
        sim_.run_until([&] { return t.done(); }, sim_.now() + base::Duration::seconds(600));
        EXPECT_TRUE(t.done()) << "traceroute did not finish";
        run.hops = t.hops();
        run.reached = t.reached();
        return run;
    }

  private:
    static sim::Topology load(const std::string& yaml) {
        auto t = sim::parse_topology(yaml, "scenario.yaml");
        if (!t) {
            ADD_FAILURE() << t.error().to_string();
            return sim::parse_topology("hosts: {a: {}}", "empty.yaml").value();
        }
        return *t;
    }

    sim::Topology topology_;
    sim::Simulator sim_;
    std::ostringstream events_;
    std::unique_ptr<sim::Network> net_;
    std::unique_ptr<sim::Capture> capture_;
    std::unique_ptr<sim::EventLog> log_;
};

// Socket runtimes on a scenario's hosts, one per host (every program on a
// host shares it), and running a program to its end.
class Programs {
  public:
    explicit Programs(Scenario& s) : s_(s) {}

    sockets::Runtime& runtime(const std::string& node) {
        auto& rt = runtimes_[node];
        if (!rt) rt = std::make_unique<sockets::Runtime>(s_.node(node).host());
        return *rt;
    }
    // Starts `task` (made on `node`'s runtime) in the background.
    void spawn(const std::string& node, sockets::Task<void> task) {
        runtime(node).spawn(std::move(task));
        s_.node(node).wake();
    }
    // Runs `task` (made on `node`'s runtime) to its end, bounded in virtual
    // time, and returns what it returned.
    template <typename T>
    std::optional<T> run(const std::string& node, sockets::Task<T> task,
                         base::Duration limit = base::Duration::seconds(120)) {
        std::optional<T> result;
        runtime(node).spawn([](sockets::Task<T> t, std::optional<T>* out) -> sockets::Task<void> {
            *out = co_await std::move(t);
        }(std::move(task), &result));
        s_.node(node).wake();
        s_.sim().run_until([&] { return result.has_value(); }, s_.sim().now() + limit);
        EXPECT_TRUE(result) << "did not finish in " << base::to_string(limit);
        return result;
    }

  private:
    Scenario& s_;
    std::map<std::string, std::unique_ptr<sockets::Runtime>> runtimes_;
};

// Lines of the event log whose text contains every one of `needles`.
inline size_t count_events(const std::string& log,
                           std::initializer_list<std::string_view> needles) {
    size_t n = 0;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        bool all = true;
        for (std::string_view needle : needles)
            all = all && line.find(needle) != std::string::npos;
        n += all;
    }
    return n;
}

}  // namespace scenario
