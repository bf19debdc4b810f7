// Where a program's lines go: the terminal, a test, a report.
#pragma once

#include <functional>
#include <string>

#include <fmt/format.h>

#include "base/time.hpp"

namespace apps {

using Output = std::function<void(const std::string& line)>;

// A duration as the programs print it: "12.0 ms".
inline std::string in_ms(base::Duration d) {
    return fmt::format("{:.1f} ms", d.seconds_f() * 1000);
}

}  // namespace apps
