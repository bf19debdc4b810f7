#include "base/time.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace base {

std::string to_string(Duration d) {
    struct Unit {
        int64_t ns;
        int digits;  // decimals needed to show every nanosecond
        const char* name;
    };
    constexpr Unit units[] = {{1'000'000'000, 9, "s"}, {1'000'000, 6, "ms"}, {1'000, 3, "us"}};
    const int64_t n = d.ns();
    const int64_t mag = n < 0 ? -n : n;
    for (const Unit& u : units) {
        if (mag < u.ns) continue;
        int64_t frac = mag % u.ns;
        const char* sign = n < 0 ? "-" : "";
        if (frac == 0) return fmt::format("{}{}{}", sign, mag / u.ns, u.name);
        int digits = u.digits;
        while (frac % 10 == 0) {
            frac /= 10;
            --digits;
        }
        return fmt::format("{}{}.{:0{}}{}", sign, mag / u.ns, frac, digits, u.name);
    }
    return fmt::format("{}ns", n);
}

std::string to_string(Time t) {
    const int64_t n = t.ns();
    if (t.is_never()) return "never";
    const char* sign = n < 0 ? "-" : "";
    const int64_t mag = n < 0 ? -n : n;
    return fmt::format("{}{}.{:09}", sign, mag / 1'000'000'000, mag % 1'000'000'000);
}

}  // namespace base
