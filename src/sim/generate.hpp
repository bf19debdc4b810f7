// Topology generators: `minternet topology GENERATOR [options]` writes a whole
// topology file (docs/topology.md) for a dumbbell, a star, a tree of routers
// (100,000 hosts in one command) or a chain, with the programs to run on it.
// docs/topology.md, "Generated topologies", lists each generator, its options,
// the names it gives and the address plan (sim/address_plan.hpp).
//
// Options arrive as text, the way the command line gives them, and are read with
// the same unit parsers as topology files (sim/units.hpp). The same generator and
// options always give the same bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace sim {

// When an option means something. Giving one that does not apply (--udp-rate
// with --app tcp) is an error rather than silently nothing.
enum class OptionUse : uint8_t { always, with_apps, with_tcp, with_udp };

struct GeneratorOption {
    std::string_view name;      // without "--": "flows"
    std::string_view fallback;  // the default, as text; empty: none (the option is off)
    std::string_view value;     // what it takes, for help: "N", "RATE", "TIME", …
    std::string_view help;
    OptionUse use = OptionUse::always;
};

struct Generator {
    std::string_view name;
    std::string_view summary;
    std::vector<GeneratorOption> options;  // its own, then the common ones

    const GeneratorOption* find(std::string_view option) const;
};

// Every generator, in the order `minternet topology --help` lists them.
const std::vector<Generator>& generators();
const Generator* find_generator(std::string_view name);

struct GenerateError {
    std::string option;   // "flows"; empty when the generator itself is unknown
    std::string message;  // "--flows: -3 is not a whole number from 1 to 100000"
};

// Option name (without "--") → its text as given. Options left out take their
// defaults.
using GeneratorOptions = std::map<std::string, std::string, std::less<>>;

// Writes the topology file `generator` makes from `options` to `out`. Every
// option is checked before the first byte is written, so on an error nothing is.
base::Expected<void, GenerateError> generate_topology(std::string_view generator,
                                                      const GeneratorOptions& options,
                                                      std::ostream& out);

}  // namespace sim
