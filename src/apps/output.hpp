// Where a program's lines go: the terminal, a test, a report.
#pragma once

#include <cstdint>
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

// A longer duration, as a transfer's: "5.477 s".
inline std::string in_seconds(base::Duration d) {
    return fmt::format("{:.3f} s", d.seconds_f());
}

// Bytes moved in a time, as goodput: "12.34 Mbit/s" ("- Mbit/s" for no time).
inline std::string format_goodput(uint64_t bytes, base::Duration d) {
    if (d <= base::Duration::zero()) return "- Mbit/s";
    return fmt::format("{:.2f} Mbit/s", static_cast<double>(bytes) * 8 / d.seconds_f() / 1e6);
}

}  // namespace apps
