// Starts the applications a topology file lists, each at its time on its node,
// and passes on what they print. Parameters are checked against the catalog
// (scenario/catalog.hpp) when the launcher is created, with errors at their
// place in the file.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/output.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "sim/network.hpp"
#include "socket/runtime.hpp"

namespace scenario {

struct AppLine {
    base::Time time;
    std::string node;
    std::string app;
    std::string text;
};

class Launcher {
  public:
    using Output = std::function<void(const AppLine&)>;

    // Checks every application of the network's topology; `network` must
    // outlive the launcher.
    static base::Expected<std::unique_ptr<Launcher>, std::string> create(sim::Network& network,
                                                                         Output output);
    Launcher(const Launcher&) = delete;
    Launcher& operator=(const Launcher&) = delete;
    ~Launcher();

    // Drops the applications of `node` before they are scheduled (its place
    // is taken by something else); returns how many.
    size_t leave_out(const std::string& node);
    // Schedules every application's start.
    void schedule();
    // Every application finished (daemons count as finished). Cheap enough
    // to ask after every event: an application that finished stays finished,
    // so the search goes on from the first one still running.
    bool all_done() const;
    // Every TCP connection still open tells the tracer its counters (the
    // flow statistics take them at the end of a run).
    void report_open_flows();
    size_t size() const { return apps_.size(); }

    struct App;  // one application: its spec, its program once started

  private:
    Launcher(sim::Network& network, Output output);
    void start(App& app);
    // What `app` prints, stamped with the time and its node.
    apps::Output printer(App& app);
    // The node's socket runtime, made when its first program starts; it goes
    // when the node crashes.
    sockets::Runtime& runtime(sim::Node& node);

    sim::Network& network_;
    Output output_;
    std::vector<std::unique_ptr<App>> apps_;
    std::map<std::string, std::unique_ptr<sockets::Runtime>> runtimes_;
    mutable size_t first_running_ = 0;  // apps_ before it are done
};

}  // namespace scenario
