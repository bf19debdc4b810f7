#include "cli/topology_command.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/generate.hpp"

namespace cli {
namespace {

constexpr std::string_view usage = "minternet topology GENERATOR [options] > FILE.yaml";

std::string overview() {
    std::string text = fmt::format(
        "Print a topology file (docs/topology.md, \"Generated topologies\")\nUsage: {}\n\n"
        "Generators:\n",
        usage);
    for (const sim::Generator& g : sim::generators())
        text += fmt::format("  {:<10} {}\n", g.name, g.summary);
    text += "\nminternet topology GENERATOR --help lists a generator's options.\n";
    return text;
}

std::string known_generators() {
    std::string known;
    for (const sim::Generator& g : sim::generators())
        known += fmt::format("{}{}", known.empty() ? "" : ", ", g.name);
    return known;
}

int fail(std::FILE* err, std::string_view message) {
    fmt::print(err, "minternet topology: {}\n", message);
    return 2;
}

}  // namespace

CLI::App* add_topology_command(CLI::App& app) {
    CLI::App* command = app.add_subcommand(
        "topology", "Print a generated topology file: dumbbell, star, tree (an internet), chain");
    // Everything after the subcommand's name is left for run_topology_command.
    command->prefix_command();
    command->set_help_flag();
    command->allow_extras();
    return command;
}

int run_topology_command(const CLI::App& command, std::ostream& out, std::FILE* err) {
    const std::vector<std::string> args = command.remaining();
    if (args.empty()) {
        return fail(err, fmt::format("which generator? {} (one of {})", usage, known_generators()));
    }
    if (args[0] == "--help" || args[0] == "-h") {
        out << overview();
        return 0;
    }
    const sim::Generator* generator = sim::find_generator(args[0]);
    if (!generator) {
        if (args[0].starts_with("-")) {
            return fail(err, fmt::format("the generator comes first: {} (one of {})", usage,
                                         known_generators()));
        }
        return fail(err, fmt::format("unknown generator '{}'; the generators are {}", args[0],
                                     known_generators()));
    }

    // The generator's options, all read as text: the generator checks them.
    CLI::App parser{std::string(generator->summary),
                    fmt::format("minternet topology {}", generator->name)};
    std::vector<std::string> values(generator->options.size());
    std::vector<CLI::Option*> added;
    for (size_t i = 0; i < generator->options.size(); ++i) {
        const sim::GeneratorOption& o = generator->options[i];
        CLI::Option* option =
            parser.add_option(fmt::format("--{}", o.name), values[i], std::string(o.help));
        option->type_name(std::string(o.value));
        if (!o.fallback.empty()) option->default_str(std::string(o.fallback));
        added.push_back(option);
    }
    std::vector<std::string> rest(args.rbegin(), args.rend() - 1);  // CLI11 wants them reversed
    try {
        parser.parse(rest);
    } catch (const CLI::CallForHelp&) {
        out << parser.help();
        return 0;
    } catch (const CLI::ParseError& e) {
        return fail(err, fmt::format("{}: {} (minternet topology {} --help lists its options)",
                                     generator->name, e.what(), generator->name));
    }

    sim::GeneratorOptions given;
    for (size_t i = 0; i < added.size(); ++i) {
        if (added[i]->count() > 0) given.emplace(generator->options[i].name, values[i]);
    }
    const auto done = sim::generate_topology(generator->name, given, out);
    if (!done) return fail(err, done.error().message);
    out.flush();
    if (!out) {
        fmt::print(err, "minternet topology: cannot write the topology\n");
        return 1;
    }
    return 0;
}

}  // namespace cli
