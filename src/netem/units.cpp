#include "netem/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace netem {
namespace {

struct Quantity {
    double number;
    std::string_view unit;
};

// Splits "12.5ms" into 12.5 and "ms". The number must be non-negative.
Parsed<Quantity> split(std::string_view text, std::string_view what) {
    if (!text.empty() && text.front() == '-') {
        return base::fail(fmt::format("'{}' is negative; a {} cannot be", text, what));
    }
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        ++i;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + i, value);
    if (i == 0 || ec != std::errc{} || end != text.data() + i || !std::isfinite(value)) {
        return base::fail(fmt::format("'{}' is not a {} (expected a number and a unit, like {})",
                                      text, what,
                                      what == "duration"    ? "10ms"
                                      : what == "bandwidth" ? "100Mbit"
                                                            : "64KB"));
    }
    std::string_view unit = text.substr(i);
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    return Quantity{value, unit};
}

}  // namespace

Parsed<base::Duration> parse_duration(std::string_view text) {
    auto q = split(text, "duration");
    if (!q) return base::fail(q.error());
    struct Unit {
        std::string_view name;
        double ns;
    };
    constexpr Unit units[] = {{"ns", 1},  {"us", 1e3},   {"µs", 1e3},  {"ms", 1e6},
                              {"s", 1e9}, {"min", 60e9}, {"h", 3600e9}};
    if (q->unit.empty() && q->number == 0) return base::Duration::zero();
    for (const Unit& u : units) {
        if (q->unit == u.name) {
            const double ns = q->number * u.ns;
            if (ns > 9.2e18) return base::fail(fmt::format("duration '{}' is too long", text));
            return base::Duration::nanoseconds(static_cast<int64_t>(std::llround(ns)));
        }
    }
    return base::fail(
        fmt::format("'{}' has no time unit it understands (use ns, us, ms, s, min or h)", text));
}

Parsed<uint64_t> parse_bandwidth(std::string_view text) {
    auto q = split(text, "bandwidth");
    if (!q) return base::fail(q.error());
    struct Unit {
        std::string_view a;
        std::string_view b;
        double bps;
    };
    constexpr Unit units[] = {{"bit", "bps", 1},
                              {"kbit", "kbps", 1e3},
                              {"Mbit", "Mbps", 1e6},
                              {"Gbit", "Gbps", 1e9},
                              {"Tbit", "Tbps", 1e12}};
    for (const Unit& u : units) {
        if (q->unit == u.a || q->unit == u.b) {
            const double bps = q->number * u.bps;
            // At least 1 bit/s, and below 2^63 so that it fits a signed count.
            if (bps < 1 || bps >= 9.2e18) {
                return base::fail(
                    fmt::format("bandwidth '{}' is out of range (1 bit/s to 9.2 Ebit/s)", text));
            }
            return static_cast<uint64_t>(std::llround(bps));
        }
    }
    return base::fail(fmt::format(
        "'{}' has no bandwidth unit it understands (use bit, kbit, Mbit, Gbit or Tbit per second)",
        text));
}

Parsed<double> parse_probability(std::string_view text) {
    const bool percent = !text.empty() && text.back() == '%';
    const std::string_view digits = percent ? text.substr(0, text.size() - 1) : text;
    double value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() ||
        !std::isfinite(value)) {
        return base::fail(fmt::format(
            "'{}' is not a probability (expected a percentage like 1.5% or a number from 0 to 1)",
            text));
    }
    if (percent) value /= 100;
    if (value < 0 || value > 1) {
        return base::fail(fmt::format("probability '{}' is outside 0%..100%", text));
    }
    return value;
}

Parsed<uint64_t> parse_size(std::string_view text) {
    auto q = split(text, "size");
    if (!q) return base::fail(q.error());
    struct Unit {
        std::string_view name;
        double bytes;
    };
    constexpr Unit units[] = {
        {"", 1},     {"B", 1},        {"KB", 1e3},        {"MB", 1e6},
        {"GB", 1e9}, {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
    for (const Unit& u : units) {
        if (q->unit == u.name) {
            const double bytes = q->number * u.bytes;
            if (bytes > 1.8e19 || bytes != std::floor(bytes)) {
                return base::fail(
                    fmt::format("size '{}' is not a whole number of bytes in range", text));
            }
            return static_cast<uint64_t>(bytes);
        }
    }
    return base::fail(fmt::format(
        "'{}' has no size unit it understands (use B, KB, MB, GB, KiB, MiB or GiB)", text));
}

}  // namespace netem
