// Time as a value: nanoseconds in a signed 64-bit integer.
//
// Nothing below the drivers (sim/, live/) reads a clock. The driver hands `Time`
// values in: the simulator's virtual clock or CLOCK_MONOTONIC. 2^63 ns is about
// 292 years, so overflow is not a concern for any run; `Time::never()` is the
// sentinel for "no deadline".
#pragma once

#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace base {

class Duration {
  public:
    constexpr Duration() = default;

    static constexpr Duration nanoseconds(int64_t n) { return Duration{n}; }
    static constexpr Duration microseconds(int64_t n) { return Duration{n * 1'000}; }
    static constexpr Duration milliseconds(int64_t n) { return Duration{n * 1'000'000}; }
    static constexpr Duration seconds(int64_t n) { return Duration{n * 1'000'000'000}; }
    static constexpr Duration zero() { return Duration{0}; }
    static constexpr Duration max() { return Duration{std::numeric_limits<int64_t>::max()}; }
    // Rounds to the nearest nanosecond.
    static constexpr Duration from_seconds(double s) {
        return Duration{static_cast<int64_t>(s * 1e9 + (s >= 0 ? 0.5 : -0.5))};
    }

    constexpr int64_t ns() const { return ns_; }
    constexpr int64_t us() const { return ns_ / 1'000; }
    constexpr int64_t ms() const { return ns_ / 1'000'000; }
    constexpr double seconds_f() const { return static_cast<double>(ns_) / 1e9; }

    constexpr auto operator<=>(const Duration&) const = default;

    constexpr Duration operator+(Duration o) const { return Duration{ns_ + o.ns_}; }
    constexpr Duration operator-(Duration o) const { return Duration{ns_ - o.ns_}; }
    constexpr Duration operator-() const { return Duration{-ns_}; }
    constexpr Duration operator*(int64_t k) const { return Duration{ns_ * k}; }
    friend constexpr Duration operator*(int64_t k, Duration d) { return d * k; }
    constexpr Duration operator/(int64_t k) const { return Duration{ns_ / k}; }
    constexpr int64_t operator/(Duration o) const { return ns_ / o.ns_; }
    constexpr Duration& operator+=(Duration o) {
        ns_ += o.ns_;
        return *this;
    }
    constexpr Duration& operator-=(Duration o) {
        ns_ -= o.ns_;
        return *this;
    }

  private:
    constexpr explicit Duration(int64_t ns) : ns_(ns) {}
    int64_t ns_ = 0;
};

// A point on the driver's clock. The epoch is the driver's: zero at the start of
// a simulation, or CLOCK_MONOTONIC's origin in live mode.
class Time {
  public:
    constexpr Time() = default;

    static constexpr Time from_ns(int64_t ns) { return Time{ns}; }
    static constexpr Time zero() { return Time{0}; }
    static constexpr Time never() { return Time{std::numeric_limits<int64_t>::max()}; }

    constexpr int64_t ns() const { return ns_; }
    constexpr Duration since_epoch() const { return Duration::nanoseconds(ns_); }
    constexpr bool is_never() const { return *this == never(); }

    constexpr auto operator<=>(const Time&) const = default;

    // Adding to never() stays never(), so deadlines can be offset safely.
    constexpr Time operator+(Duration d) const {
        if (is_never()) return never();
        return Time{ns_ + d.ns()};
    }
    constexpr Time operator-(Duration d) const { return Time{ns_ - d.ns()}; }
    constexpr Duration operator-(Time o) const { return Duration::nanoseconds(ns_ - o.ns_); }
    constexpr Time& operator+=(Duration d) { return *this = *this + d; }

  private:
    constexpr explicit Time(int64_t ns) : ns_(ns) {}
    int64_t ns_ = 0;
};

// In the largest unit not above the value, with as many decimals as it takes to
// be exact: "2s", "1.5ms", "20us", "1.000000001s", "999ns".
std::string to_string(Duration d);
// Seconds since the epoch with nanosecond precision: "12.000345678".
std::string to_string(Time t);

namespace literals {
constexpr Duration operator""_ns(unsigned long long n) {
    return Duration::nanoseconds(static_cast<int64_t>(n));
}
constexpr Duration operator""_us(unsigned long long n) {
    return Duration::microseconds(static_cast<int64_t>(n));
}
constexpr Duration operator""_ms(unsigned long long n) {
    return Duration::milliseconds(static_cast<int64_t>(n));
}
constexpr Duration operator""_s(unsigned long long n) {
    return Duration::seconds(static_cast<int64_t>(n));
}
}  // namespace literals

}  // namespace base
