#include "base/random.hpp"

#include <cmath>
#include <numbers>

namespace base {
namespace {

__extension__ typedef unsigned __int128 uint128;

// SplitMix64's output function: a strong 64-bit mixer, used to turn related
// inputs (seed and label hash, or consecutive counters) into unrelated outputs.
uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// 64-bit FNV-1a over the label's bytes.
uint64_t hash_label(std::string_view label) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : label) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

}  // namespace

Seed Seed::derive(std::string_view label) const {
    return Seed{mix64(value_ ^ mix64(hash_label(label)))};
}

Seed Seed::derive(uint64_t index) const {
    return Seed{mix64(value_ ^ mix64(index + 0x9e3779b97f4a7c15ULL))};
}

RandomStream::RandomStream(Seed seed) {
    // Fill the state with SplitMix64 steps, as the xoshiro authors recommend; this
    // never yields the all-zero state.
    uint64_t x = seed.value();
    for (uint64_t& word : s_) {
        x += 0x9e3779b97f4a7c15ULL;
        word = mix64(x);
    }
}

uint64_t RandomStream::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

uint64_t RandomStream::uniform(uint64_t bound) {
    // Lemire's multiply-and-reject: the high word of x * bound is uniform once the
    // few low-word values that would bias it are rejected.
    uint64_t x = next_u64();
    uint128 m = static_cast<uint128>(x) * bound;
    auto low = static_cast<uint64_t>(m);
    if (low < bound) {
        const uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            x = next_u64();
            m = static_cast<uint128>(x) * bound;
            low = static_cast<uint64_t>(m);
        }
    }
    return static_cast<uint64_t>(m >> 64);
}

uint64_t RandomStream::uniform_in(uint64_t lo, uint64_t hi) {
    const uint64_t span = hi - lo;
    if (span == ~uint64_t{0}) return next_u64();
    return lo + uniform(span + 1);
}

double RandomStream::uniform_real() {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

bool RandomStream::chance(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return uniform_real() < p;
}

double RandomStream::normal() {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const double u1 = 1.0 - uniform_real();
    const double u2 = uniform_real();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

void RandomStream::fill(MutableByteSpan out) {
    size_t i = 0;
    while (i < out.size()) {
        uint64_t w = next_u64();
        for (int k = 0; k < 8 && i < out.size(); ++k, ++i) {
            out[i] = static_cast<std::byte>(w);
            w >>= 8;
        }
    }
}

}  // namespace base
