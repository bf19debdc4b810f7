// `minternet topology GENERATOR [options]`: prints a generated topology file
// (sim/generate.hpp; docs/topology.md, "Generated topologies").
//
// The subcommand takes its arguments unparsed and reads them itself, with one
// set of options per generator, so that every mistake — a bad value, an unknown
// option or generator, CLI11's own errors — is one line on stderr naming the
// option, and exit status 2.
#pragma once

#include <cstdio>
#include <ostream>

#include <CLI/CLI.hpp>

namespace cli {

CLI::App* add_topology_command(CLI::App& app);
// Runs the subcommand `add_topology_command` registered, once it was parsed.
// The topology goes to `out`; help to `out` too; errors to `err`.
int run_topology_command(const CLI::App& command, std::ostream& out, std::FILE* err);

}  // namespace cli
