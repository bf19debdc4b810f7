// The seeds' scenario, built into the binary: `minternet run` with no file
// writes it out (examples/seeds.yaml and the DNS data it names) and runs it,
// so the main job works from any directory, with nothing installed beside
// the binary.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace cli {

struct BuiltinFile {
    std::string_view path;  // relative to the scenario's folder: "seeds.yaml", "dns/root.zone"
    std::string_view text;
};

// The files, the topology first.
const std::vector<BuiltinFile>& builtin_scenario();

// Writes them under `dir`; returns the topology file's path.
base::Expected<std::string, std::string> write_builtin_scenario(const std::string& dir);

}  // namespace cli
