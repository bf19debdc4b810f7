// The application catalog: every kind of program a topology file can run, one
// row each — its name, the parameters it takes, whether it is a daemon (a
// server that runs for ever and never holds up the end of a run), its parse
// function and a short description.
//
// A parse function checks the parameters (every error at its file:line:column)
// and hands back a typed start function with the checked values in it, so a
// bad file fails before anything is simulated and a start cannot fail on a
// parameter.
//
// Adding an application: its program in apps/, its parse function (and the
// start it returns) in one of kinds_*.cpp, declared in kinds.hpp, and its row
// in catalog.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/output.hpp"
#include "base/result.hpp"
#include "scenario/params.hpp"
#include "sim/network.hpp"
#include "sim/topology.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"

namespace scenario {

// A started client program, as the launcher keeps it until it is done or its
// node crashes (then it is dropped, before the node's runtime).
class Program {
  public:
    virtual ~Program() = default;
    virtual bool done() const = 0;
};

// What a start function gets: the node the program runs on, where its lines
// go, and the node's socket runtime — made on first use, so a node whose
// programs need no sockets (ping, traceroute) gets none.
class AppContext {
  public:
    AppContext(sim::Network& network, sim::Node& node, apps::Output output,
               std::function<sockets::Runtime&()> runtime)
        : network_(network),
          node_(node),
          output_(std::move(output)),
          runtime_(std::move(runtime)) {}

    sim::Network& network() { return network_; }
    sim::Node& node() { return node_; }
    base::Time now() const { return network_.sim().now(); }
    const apps::Output& output() const { return output_; }
    sockets::Runtime& runtime() { return runtime_(); }

    // A daemon's task: it runs on the node's runtime until the node goes.
    // There is no program to keep (nullptr).
    std::unique_ptr<Program> serve(sockets::Task<void> task);
    // A client's task on the node's runtime: its program is done when the
    // task returns.
    template <class R>
    std::unique_ptr<Program> run(sockets::Task<R> task);
    // A program object on the host (ping, traceroute), done when it says so.
    template <class P>
    static std::unique_ptr<Program> keep(std::unique_ptr<P> program);

  private:
    struct TaskProgram : Program {
        std::shared_ptr<bool> ended = std::make_shared<bool>(false);
        bool done() const override { return *ended; }
    };
    template <class P>
    struct Kept : Program {
        std::unique_ptr<P> program;
        bool done() const override { return program->done(); }
    };

    sim::Network& network_;
    sim::Node& node_;
    apps::Output output_;
    std::function<sockets::Runtime&()> runtime_;
};

// Starts a checked application on its node.
using Start = std::function<std::unique_ptr<Program>(AppContext&)>;

// What a parse function checks against: the application as written, its node,
// the network its names refer to.
struct ParseContext {
    const sim::AppSpec& spec;
    const sim::NodeSpec& node;
    sim::Network& network;
};

// Reads the parameters through `p`. An error the function returns is reported
// first; otherwise the first error left in `p`; otherwise the start is good.
using Parse = base::Expected<Start, std::string> (*)(Params& p, const ParseContext& c);

struct AppKind {
    std::string_view kind;               // "ping", as `run:` names it
    std::vector<std::string_view> keys;  // the parameters it takes
    bool daemon = false;
    Parse parse = nullptr;
    std::string_view description;  // one line, for listings
};

// Every kind, in the order error messages list them.
const std::vector<AppKind>& catalog();
const AppKind* find_kind(std::string_view kind);

struct CheckedApp {
    const AppKind* kind = nullptr;
    Start start;
};

// Checks one application of a topology on `network`: its kind, its parameter
// names, its values. The error is ready to print: "file:line:column: what".
base::Expected<CheckedApp, std::string> check_app(const sim::AppSpec& spec, sim::Network& network);

template <class R>
std::unique_ptr<Program> AppContext::run(sockets::Task<R> task) {
    auto program = std::make_unique<TaskProgram>();
    runtime().spawn([](sockets::Task<R> t, std::shared_ptr<bool> ended) -> sockets::Task<void> {
        co_await std::move(t);
        *ended = true;
    }(std::move(task), program->ended));
    return program;
}

template <class P>
std::unique_ptr<Program> AppContext::keep(std::unique_ptr<P> program) {
    auto kept = std::make_unique<Kept<P>>();
    kept->program = std::move(program);
    return kept;
}

}  // namespace scenario
