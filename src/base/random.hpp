// Seeded random streams, one per component.
//
// A run has one root `Seed`. Each component derives its own seed from the root by
// a label ("host/client", "link/r1-r2/loss"), and draws from its own stream. The
// derivation depends only on the root and the label, never on how much another
// stream has drawn, so adding a host does not change what any other host draws.
//
// The generator is xoshiro256** (Blackman and Vigna): 32 bytes of state, fast, and
// good enough for simulation. It is not for secrets; security-relevant values in
// live mode come from a keyed source.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"

namespace base {

class Seed {
  public:
    constexpr explicit Seed(uint64_t value) : value_(value) {}

    // The seed for the component named `label` below this one.
    Seed derive(std::string_view label) const;
    Seed derive(uint64_t index) const;

    constexpr uint64_t value() const { return value_; }
    constexpr bool operator==(const Seed&) const = default;

  private:
    uint64_t value_;
};

class RandomStream {
  public:
    explicit RandomStream(Seed seed);

    uint64_t next_u64();
    uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }
    // Uniform in [0, bound), without modulo bias. `bound` must be > 0.
    uint64_t uniform(uint64_t bound);
    // Uniform in [lo, hi], inclusive. Precondition: lo <= hi.
    uint64_t uniform_in(uint64_t lo, uint64_t hi);
    // Uniform in [0, 1), 53 bits of precision.
    double uniform_real();
    // True with probability p (p <= 0: never, p >= 1: always).
    bool chance(double p);
    // Standard normal variate (Box–Muller; one draw per call, no cached pair,
    // so the stream position does not depend on call parity).
    double normal();
    void fill(MutableByteSpan out);

    // UniformRandomBitGenerator, so std::shuffle and friends accept the stream.
    using result_type = uint64_t;
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }
    result_type operator()() { return next_u64(); }

  private:
    std::array<uint64_t, 4> s_;
};

}  // namespace base
