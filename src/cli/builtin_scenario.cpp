#include "cli/builtin_scenario.hpp"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace cli {

base::Expected<std::string, std::string> write_builtin_scenario(const std::string& dir) {
    std::string topology;
    for (const BuiltinFile& f : builtin_scenario()) {
        const std::filesystem::path path = std::filesystem::path(dir) / f.path;
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec)
            return base::fail(
                fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(f.text.data(), static_cast<std::streamsize>(f.text.size()));
        if (!out) return base::fail(fmt::format("cannot write {}", path.string()));
        if (topology.empty()) topology = path.string();
    }
    return topology;
}

}  // namespace cli
