#include "scenario/launcher.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "scenario/catalog.hpp"

namespace scenario {

struct Launcher::App {
    sim::AppSpec spec;
    const AppKind* kind = nullptr;
    Start start;
    bool started = false;
    bool ended = false;                // not started (node down), or its node crashed under it
    std::unique_ptr<Program> program;  // a client once started

    // A daemon runs for ever and never holds up the end of a run.
    bool done() const { return kind->daemon || ended || (program && program->done()); }
};

base::Expected<std::unique_ptr<Launcher>, std::string> Launcher::create(sim::Network& network,
                                                                        Output output) {
    std::unique_ptr<Launcher> l(new Launcher(network, std::move(output)));
    for (const sim::AppSpec& spec : network.topology().apps) {
        auto checked = check_app(spec, network);
        if (!checked) return base::fail(checked.error());
        auto app = std::make_unique<App>();
        app->spec = spec;
        app->kind = checked->kind;
        app->start = std::move(checked->start);
        l->apps_.push_back(std::move(app));
    }
    return l;
}

Launcher::Launcher(sim::Network& network, Output output)
    : network_(network), output_(std::move(output)) {}

Launcher::~Launcher() {
    // Programs first (they hold their hosts' runtimes and sockets), then runtimes.
    apps_.clear();
    runtimes_.clear();
}

apps::Output Launcher::printer(App& app) {
    return [this, &app](const std::string& line) {
        output_(AppLine{network_.sim().now(), app.spec.node, app.spec.kind, line});
    };
}

sockets::Runtime& Launcher::runtime(sim::Node& node) {
    auto& rt = runtimes_[node.name()];
    if (!rt) {
        stack::TcpConfig tcp;
        if (const sim::NodeSpec* spec = network_.topology().find_node(node.name())) {
            tcp.connection.congestion = spec->tcp_congestion;
            tcp.syn_cookies = spec->tcp_syncookies;
        }
        rt = std::make_unique<sockets::Runtime>(node.host(), stack::UdpConfig{}, tcp);
    }
    return *rt;
}

size_t Launcher::leave_out(const std::string& node) {
    first_running_ = 0;
    return std::erase_if(apps_, [&](const auto& a) { return a->spec.node == node; });
}

void Launcher::schedule() {
    std::set<std::string> watched;
    for (auto& app : apps_) {
        App* a = app.get();
        sim::Node* node = network_.find_node(a->spec.node);
        if (watched.insert(a->spec.node).second) {
            node->on_crash([this](sim::Node& crashed) {
                // The programs die with their host: everything that holds on to
                // it lets go before it goes.
                for (auto& other : apps_) {
                    if (other->spec.node != crashed.name()) continue;
                    other->program.reset();
                    if (other->started) other->ended = true;
                }
                // Its connections end here: their counters go to the flows.
                if (const auto rt = runtimes_.find(crashed.name()); rt != runtimes_.end())
                    rt->second->tcp().report_open_flows(network_.sim().now());
                runtimes_.erase(crashed.name());
            });
        }
        network_.sim().schedule_at(base::Time::zero() + a->spec.at, [this, a] { start(*a); });
    }
}

void Launcher::start(App& app) {
    app.started = true;
    sim::Node* node = network_.find_node(app.spec.node);
    if (!node->up()) {
        printer(app)(fmt::format("not started: {} is down", app.spec.node));
        app.ended = true;
        return;
    }
    AppContext context(network_, *node, printer(app),
                       [this, node]() -> sockets::Runtime& { return runtime(*node); });
    app.program = app.start(context);
    node->wake();
}

bool Launcher::all_done() const {
    while (first_running_ < apps_.size() && apps_[first_running_]->done())
        ++first_running_;
    return first_running_ == apps_.size();
}

void Launcher::report_open_flows() {
    for (auto& [node, rt] : runtimes_)
        rt->tcp().report_open_flows(network_.sim().now());
}

}  // namespace scenario
