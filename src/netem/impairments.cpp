#include "netem/impairments.hpp"

#include <cmath>

namespace netem {

std::string_view to_string(JitterDistribution d) {
    switch (d) {
        case JitterDistribution::uniform:
            return "uniform";
        case JitterDistribution::normal:
            return "normal";
        case JitterDistribution::pareto:
            return "pareto";
        case JitterDistribution::paretonormal:
            return "paretonormal";
    }
    return "unknown";
}

double ImpairmentState::Correlated::next(base::RandomStream& rng) {
    const double fresh = rng.uniform_real();
    if (rho <= 0) return fresh;
    last = (1 - rho) * fresh + rho * last;
    return last;
}

ImpairmentState::ImpairmentState(const Impairments& config, base::Seed seed)
    : config_(config), rng_(seed) {
    loss_.rho = config.loss_correlation;
    reorder_.rho = config.reorder_correlation;
    duplicate_.rho = config.duplicate_correlation;
    corrupt_.rho = config.corrupt_correlation;
    jitter_uniform_.rho = config.jitter_correlation;
}

double ImpairmentState::jitter_sample() {
    // A sample with mean 0 and standard deviation 1 (uniform: range ±1), scaled
    // by the configured jitter. Normal samples are correlated as an AR(1)
    // series so that the spread stays the same at any correlation.
    auto normal = [&] {
        const double rho = config_.jitter_correlation;
        jitter_last_normal_ = rho * jitter_last_normal_ + std::sqrt(1 - rho * rho) * rng_.normal();
        return jitter_last_normal_;
    };
    // Pareto with shape 3 and scale 1 has mean 1.5 and deviation sqrt(3)/2.
    auto pareto = [&] {
        const double x = 1.0 / std::cbrt(1.0 - rng_.uniform_real());
        return (x - 1.5) / (std::sqrt(3.0) / 2);
    };
    switch (config_.jitter_distribution) {
        case JitterDistribution::uniform:
            return 2 * jitter_uniform_.next(rng_) - 1;
        case JitterDistribution::normal:
            return normal();
        case JitterDistribution::pareto:
            return pareto();
        case JitterDistribution::paretonormal: {
            // netem's mix: three quarters Pareto, one quarter normal, rescaled.
            const double mix = 0.75 * pareto() + 0.25 * normal();
            return mix / std::sqrt(0.75 * 0.75 + 0.25 * 0.25);
        }
    }
    return 0;
}

ImpairmentState::FrameFate ImpairmentState::decide_frame() {
    FrameFate fate{.frame = decide(), .duplicate = std::nullopt};
    if (fate.frame.duplicate) {
        Decision second = decide();
        second.duplicate = false;
        fate.duplicate = second;
    }
    return fate;
}

ImpairmentState::Decision ImpairmentState::decide() {
    Decision d;
    if (config_.duplicate > 0) d.duplicate = duplicate_.next(rng_) < config_.duplicate;

    if (const auto& ge = config_.gilbert_elliott) {
        ge_bad_ = ge_bad_ ? !rng_.chance(ge->r) : rng_.chance(ge->p);
        d.lose = rng_.chance(ge_bad_ ? ge->bad_loss : ge->good_loss);
    } else if (config_.loss > 0) {
        d.lose = loss_.next(rng_) < config_.loss;
    }
    if (d.lose) return d;

    if (config_.corrupt > 0) d.corrupt = corrupt_.next(rng_) < config_.corrupt;

    if (config_.reorder > 0) {
        // netem: with a gap of N, frames are counted and only the N-th may jump.
        ++since_reorder_;
        if (since_reorder_ >= config_.reorder_gap && reorder_.next(rng_) < config_.reorder) {
            d.reorder = true;
            since_reorder_ = 0;
            return d;
        }
    }
    if (config_.jitter > base::Duration::zero()) {
        d.jitter = base::Duration::from_seconds(jitter_sample() * config_.jitter.seconds_f());
    }
    return d;
}

size_t ImpairmentState::corrupt(base::MutableByteSpan frame) {
    if (frame.empty()) return 0;
    const size_t bit = rng_.uniform(frame.size() * 8);
    frame[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    return bit;
}

}  // namespace netem
