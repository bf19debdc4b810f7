// What a link does to the frames that cross it, modelled on Linux netem:
// independent or correlated loss, Gilbert–Elliott bursty loss, jitter with a
// distribution, reordering with a gap, duplication and bit corruption.
//
// `ImpairmentState` makes the per-frame decisions for one direction of a link
// from its own random stream. The order of decisions follows netem: duplicate,
// lose, corrupt, then delay or reorder. A reordered frame skips the delay (and
// the jitter) and so overtakes the frames still in flight; reordering therefore
// needs a delay, as with netem.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/random.hpp"
#include "base/time.hpp"

namespace netem {

enum class JitterDistribution : uint8_t { uniform, normal, pareto, paretonormal };

std::string_view to_string(JitterDistribution d);

// netem's "loss gemodel p r 1-h 1-k": a good and a bad state.
struct GilbertElliott {
    double p = 0;          // good → bad, per frame
    double r = 1;          // bad → good, per frame
    double bad_loss = 1;   // loss probability in the bad state (1 - h)
    double good_loss = 0;  // loss probability in the good state (1 - k)
};

struct Impairments {
    double loss = 0;                                // probability, 0..1
    double loss_correlation = 0;                    // 0..1, as netem's
    std::optional<GilbertElliott> gilbert_elliott;  // replaces `loss` when set
    base::Duration jitter{};                        // spread around the link delay
    JitterDistribution jitter_distribution = JitterDistribution::uniform;
    double jitter_correlation = 0;
    double reorder = 0;  // probability a frame skips the delay
    double reorder_correlation = 0;
    uint32_t reorder_gap = 1;  // only every gap-th frame may be reordered
    double duplicate = 0;
    double duplicate_correlation = 0;
    double corrupt = 0;  // probability one random bit of the frame flips
    double corrupt_correlation = 0;

    bool any() const {
        return loss > 0 || gilbert_elliott || jitter > base::Duration::zero() || reorder > 0 ||
               duplicate > 0 || corrupt > 0;
    }
};

class ImpairmentState {
  public:
    struct Decision {
        bool duplicate = false;
        bool lose = false;
        bool corrupt = false;
        bool reorder = false;
        base::Duration jitter{};  // added to the link delay (may be negative)
    };

    // What happens to one frame, in netem's order: a duplicate, when there
    // is one, has its own decisions (and is not duplicated again) and goes
    // first; then the frame itself.
    struct FrameFate {
        Decision frame;
        std::optional<Decision> duplicate;
    };

    ImpairmentState(const Impairments& config, base::Seed seed);

    Decision decide();
    FrameFate decide_frame();
    // Flips one uniformly chosen bit of `frame`; returns its bit index.
    size_t corrupt(base::MutableByteSpan frame);

  private:
    // netem's correlated uniform: (1 - rho) * fresh + rho * previous.
    struct Correlated {
        double rho = 0;
        double last = 0;
        double next(base::RandomStream& rng);
    };
    double jitter_sample();

    Impairments config_;
    base::RandomStream rng_;
    Correlated loss_, reorder_, duplicate_, corrupt_, jitter_uniform_;
    double jitter_last_normal_ = 0;
    bool ge_bad_ = false;
    uint32_t since_reorder_ = 0;
};

}  // namespace netem
