#include "base/time.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace base {

std::string to_string(Duration d) {
    struct Unit {
        int64_t ns;
        const char* name;
    };
    constexpr Unit units[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}};
    const int64_t n = d.ns();
    const int64_t mag = n < 0 ? -n : n;
    for (const Unit& u : units) {
        // Exact with three decimals: divisible by a thousandth of the unit.
        if (mag >= u.ns && n % (u.ns / 1000) == 0) {
            const int64_t whole = n / u.ns;
            int64_t frac = mag % u.ns / (u.ns / 1000);
            if (frac == 0) return fmt::format("{}{}", whole, u.name);
            int digits = 3;
            while (frac % 10 == 0) {
                frac /= 10;
                --digits;
            }
            return fmt::format("{}{}.{:0{}}{}", n < 0 && whole == 0 ? "-" : "", whole, frac, digits,
                               u.name);
        }
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
