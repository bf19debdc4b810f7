// Starts the applications a topology file lists, each at its time on its node,
// and passes on what they print. Parameters are checked when the launcher is
// created, with errors at their place in the file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <map>

#include "apps/udp_apps.hpp"
#include "base/result.hpp"
#include "cli/session.hpp"
#include "socket/runtime.hpp"

namespace cli {

struct AppLine {
    base::Time time;
    std::string node;
    std::string app;
    std::string text;
};

class Launcher {
  public:
    using Output = std::function<void(const AppLine&)>;

    static base::Expected<std::unique_ptr<Launcher>, std::string> create(Session& session,
                                                                         Output output);
    ~Launcher();

    // Drops the applications of `node` before they are scheduled (its place
    // is taken by something else); returns how many.
    size_t leave_out(const std::string& node);
    // Schedules every application's start.
    void schedule();
    bool all_done() const;
    // Every TCP connection still open tells the tracer its counters (the
    // flow statistics take them at the end of a run).
    void report_open_flows();
    size_t size() const { return apps_.size(); }

    struct App;  // one application: its spec, its program once started

  private:
    Launcher(Session& session, Output output);
    void start(App& app);
    // What `app` prints, stamped with the time and its node.
    apps::Output printer(App& app);
    // The node's socket runtime, made when its first program starts; it goes
    // when the node crashes.
    sockets::Runtime& runtime(sim::Node& node);

    Session& session_;
    Output output_;
    std::vector<std::unique_ptr<App>> apps_;
    std::map<std::string, std::unique_ptr<sockets::Runtime>> runtimes_;
};

}  // namespace cli
