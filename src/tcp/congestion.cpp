#include "tcp/congestion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tcp {

namespace {

// RFC 9438 §5: the multiplicative decrease factor and the curve's scale
// (segments per second cubed).
constexpr double beta_cubic = 0.7;
constexpr double c_cubic = 0.4;
// RFC 9438 §4.3: the additive increase that makes the Reno-friendly estimate
// as fair to standard TCP as CUBIC's gentler decrease allows.
constexpr double alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic);

// RFC 9406 §4.3's constants.
constexpr base::Duration min_rtt_thresh = base::Duration::milliseconds(4);
constexpr base::Duration max_rtt_thresh = base::Duration::milliseconds(16);
constexpr int64_t min_rtt_divisor = 8;
constexpr int n_rtt_sample = 8;
constexpr uint32_t css_growth_divisor = 4;
constexpr int css_rounds = 5;
constexpr uint32_t slow_start_burst = 8;  // L, for a sender that does not pace

constexpr uint32_t no_threshold = std::numeric_limits<uint32_t>::max();

}  // namespace

std::string_view to_string(CongestionAlgorithm a) {
    switch (a) {
        case CongestionAlgorithm::cubic:
            return "cubic";
        case CongestionAlgorithm::new_reno:
            return "newreno";
    }
    return "?";
}

std::optional<CongestionAlgorithm> congestion_algorithm_named(std::string_view name) {
    if (name == "cubic") return CongestionAlgorithm::cubic;
    if (name == "newreno" || name == "reno") return CongestionAlgorithm::new_reno;
    return std::nullopt;
}

Congestion::Congestion(CongestionAlgorithm algorithm, uint32_t smss)
    : algorithm_(algorithm),
      smss_(smss),
      // RFC 6928: min(10 SMSS, max(2 SMSS, 14600 bytes)).
      initial_window_(std::min(10 * smss, std::max(2 * smss, uint32_t{14600}))),
      cwnd_(initial_window_),
      ssthresh_(no_threshold) {}

void Congestion::set_algorithm(CongestionAlgorithm algorithm) {
    if (algorithm == algorithm_) return;
    algorithm_ = algorithm;
    cubic_ = Cubic{};
    hystart_ = HyStart{};
    // HyStart++ serves the first slow start only.
    if (ssthresh_ != no_threshold) hystart_.phase = HyStartPhase::done;
    acked_in_avoidance_ = 0;
}

// ---- growth ------------------------------------------------------------------

void Congestion::on_ack(const AckSample& ack) {
    uint32_t acked = ack.acked;
    if (in_slow_start()) {
        acked = slow_start(ack);
        if (acked == 0) return;
    }
    if (algorithm_ == CongestionAlgorithm::cubic) {
        cubic_avoidance(ack, acked);
    } else {
        reno_avoidance(acked);
    }
}

uint32_t Congestion::slow_start(const AckSample& ack) {
    if (algorithm_ == CongestionAlgorithm::new_reno) {
        cwnd_ += std::min(ack.acked, smss_);
        return 0;
    }
    if (hystart_.phase != HyStartPhase::done) hystart_on_ack(ack);
    if (!in_slow_start()) return ack.acked;  // HyStart++ ended it
    uint32_t grow = std::min(ack.acked, slow_start_burst * smss_);
    if (hystart_.phase == HyStartPhase::css) grow /= css_growth_divisor;
    // Up to ssthresh; what the ACK covers beyond it counts for avoidance (as Linux).
    const uint32_t room = ssthresh_ - cwnd_;
    if (grow < room) {
        cwnd_ += grow;
        return 0;
    }
    cwnd_ = ssthresh_;
    return ack.acked > room ? ack.acked - room : 0;
}

// RFC 9406 §4.2: the minimum RTT of each round (a window's worth of data)
// against the last round's. Delay rising by more than the threshold means a
// queue is building: slow down (CSS); if the RTT falls back it was noise,
// else slow start ends after CSS_ROUNDS rounds.
void Congestion::hystart_on_ack(const AckSample& ack) {
    HyStart& h = hystart_;
    if (!h.round_started || ack.snd_una > h.window_end) {
        if (h.round_started && h.phase == HyStartPhase::css && ++h.css_rounds >= css_rounds) {
            ssthresh_ = cwnd_;
            h.phase = HyStartPhase::done;
            return;
        }
        h.round_started = true;
        h.last_min = h.current_min;
        h.current_min = base::Duration::max();
        h.samples = 0;
        h.window_end = ack.snd_nxt;
    }
    if (ack.rtt) {
        h.current_min = std::min(h.current_min, *ack.rtt);
        if (h.samples < n_rtt_sample) ++h.samples;
    }
    if (h.samples < n_rtt_sample || h.current_min == base::Duration::max() ||
        h.last_min == base::Duration::max()) {
        return;
    }
    if (h.phase == HyStartPhase::slow_start) {
        const base::Duration thresh =
            std::clamp(h.last_min / min_rtt_divisor, min_rtt_thresh, max_rtt_thresh);
        if (h.current_min >= h.last_min + thresh) {
            h.css_baseline = h.current_min;
            h.css_rounds = 0;
            h.phase = HyStartPhase::css;
        }
    } else if (h.current_min < h.css_baseline) {
        h.css_baseline = base::Duration::max();
        h.phase = HyStartPhase::slow_start;
    }
}

void Congestion::reno_avoidance(uint32_t acked) {
    acked_in_avoidance_ += acked;
    if (acked_in_avoidance_ >= cwnd_) {
        acked_in_avoidance_ -= cwnd_;
        cwnd_ += smss_;
    }
}

// RFC 9438 §4.2-4.4, in bytes: the window follows the cubic curve through
// the plateau W_max, K seconds after the epoch began, aimed one RTT ahead and
// at most 1.5 cwnd; below the window standard TCP would have, that instead.
void Congestion::cubic_avoidance(const AckSample& ack, uint32_t acked) {
    const double smss = smss_;
    Cubic& c = cubic_;
    if (c.epoch.is_never()) {
        c.epoch = ack.now;
        acked_in_avoidance_ = 0;
        c.w_est = cwnd_;
        if (c.w_max <= cwnd_) {
            // No congestion event yet (slow start ended by ssthresh or
            // HyStart++), or the window is past the old plateau: the curve
            // starts flat here and only climbs (as Linux).
            c.k = base::Duration::zero();
            c.origin = cwnd_;
        } else {
            c.k = base::Duration::from_seconds(std::cbrt((c.w_max - cwnd_) / smss / c_cubic));
            c.origin = c.w_max;
        }
    }
    // Linux aims a minimum RTT ahead (RFC 9438 says the RTT); both keep the
    // aim from racing ahead when a queue inflates the RTT.
    const base::Duration rtt = ack.min_rtt.value_or(base::Duration::zero());
    auto w_cubic = [&](base::Duration since_epoch) {
        const double d = (since_epoch - c.k).seconds_f();
        return c.origin + c_cubic * d * d * d * smss;
    };
    const double cwnd = cwnd_;
    const double target = std::clamp(w_cubic(ack.now - c.epoch + rtt), cwnd, 1.5 * cwnd);

    // The Reno-friendly estimate: α per window acked until it reaches the
    // window before the last reduction, then one SMSS like standard TCP.
    const double alpha = c.w_est < c.w_max ? alpha_cubic : 1.0;
    c.w_est += alpha * acked * smss / cwnd;
    if (w_cubic(ack.now - c.epoch) < c.w_est) {
        cwnd_ = std::max(cwnd_, static_cast<uint32_t>(c.w_est));
        return;
    }
    if (target <= cwnd) return;
    // cwnd grows by (target - cwnd) / cwnd per SMSS acked: one SMSS for
    // every `per_smss` bytes acked.
    const auto per_smss = static_cast<uint32_t>(
        std::max(1.0, std::min(cwnd * smss / (target - cwnd), static_cast<double>(no_threshold))));
    acked_in_avoidance_ += acked;
    while (acked_in_avoidance_ >= per_smss) {
        acked_in_avoidance_ -= per_smss;
        cwnd_ += smss_;
    }
}

// ---- reduction -----------------------------------------------------------------

void Congestion::on_congestion_event(uint32_t flight) {
    hystart_.phase = HyStartPhase::done;
    acked_in_avoidance_ = 0;
    if (algorithm_ == CongestionAlgorithm::new_reno) {
        ssthresh_ = std::max(flight / 2, 2 * smss_);
        return;
    }
    // CUBIC reduces from cwnd, not the flight (RFC 9438 §4.6, as Linux):
    // an application-limited sender keeps the window it earned.
    Cubic& c = cubic_;
    c.w_max = cwnd_ < c.w_max ? static_cast<uint32_t>(cwnd_ * (1 + beta_cubic) / 2) : cwnd_;
    c.epoch = base::Time::never();
    ssthresh_ = std::max(static_cast<uint32_t>(cwnd_ * beta_cubic), 2 * smss_);
}

void Congestion::enter_recovery(uint32_t flight, bool prr) {
    on_congestion_event(flight);
    if (prr) {
        recover_fs_ = flight;
        prr_delivered_ = 0;
        prr_out_ = 0;
    } else {
        cwnd_ = ssthresh_ + 3 * smss_;
    }
}

// RFC 6937 §3.1, in bytes, with the slow-start reduction bound.
void Congestion::on_recovery_ack(uint32_t delivered, uint32_t pipe) {
    if (delivered == 0 && prr_out_ > 0) return;
    prr_delivered_ += delivered;
    int64_t sndcnt;
    if (pipe > ssthresh_) {
        // Proportional: send ssthresh/RecoverFS of what was delivered.
        // Rounded up to whole segments, as Linux counts PRR in packets: a
        // share of 1.5 segments lets two go, not one and a remnant too small
        // to send.
        const uint64_t fs = std::max(recover_fs_, uint32_t{1});
        const uint64_t share = (uint64_t{prr_delivered_} * ssthresh_ + fs - 1) / fs;
        const uint64_t whole = (share + smss_ - 1) / smss_ * smss_;
        sndcnt = static_cast<int64_t>(whole) - static_cast<int64_t>(prr_out_);
    } else {
        // Losses took the pipe below ssthresh: grow back towards it, no
        // faster than slow start would.
        const int64_t limit =
            std::max(static_cast<int64_t>(prr_delivered_) - static_cast<int64_t>(prr_out_),
                     static_cast<int64_t>(delivered)) +
            smss_;
        sndcnt = std::min(static_cast<int64_t>(ssthresh_ - pipe), limit);
    }
    // The first retransmission goes at once, whatever the proportion says.
    if (prr_out_ == 0) sndcnt = std::max<int64_t>(sndcnt, smss_);
    cwnd_ = pipe + static_cast<uint32_t>(std::max<int64_t>(sndcnt, 0));
}

void Congestion::on_duplicate_in_recovery() {
    cwnd_ += smss_;
}

void Congestion::on_partial_ack(uint32_t acked) {
    // Deflate by what was acked, then add back one SMSS (RFC 6582 §3.2 step 5).
    cwnd_ = (cwnd_ > acked ? cwnd_ - acked : 0) + smss_;
}

void Congestion::exit_recovery(uint32_t flight, bool prr) {
    if (prr) {
        cwnd_ = ssthresh_;
    } else {
        cwnd_ = std::min(ssthresh_, std::max(flight, smss_) + smss_);
    }
}

void Congestion::reduce_now(uint32_t flight) {
    on_congestion_event(flight);
    cwnd_ = ssthresh_;
}

void Congestion::restore(uint32_t cwnd, uint32_t ssthresh) {
    cwnd_ = std::max(cwnd_, cwnd);
    ssthresh_ = std::max(ssthresh_, ssthresh);
}

void Congestion::on_timeout(uint32_t flight, bool repeated) {
    // RFC 5681 §3.1: a segment already resent by the timer keeps ssthresh.
    if (!repeated) on_congestion_event(flight);
    hystart_.phase = HyStartPhase::done;
    cwnd_ = smss_;
    acked_in_avoidance_ = 0;
    // Linux's CUBIC forgets its plateau in the loss state; the curve starts
    // afresh from wherever slow start ends.
    cubic_ = Cubic{};
}

void Congestion::restart_after_idle(uint32_t rtos_idle) {
    // RFC 5681 §4.1 asks for cwnd at most the restart window; Linux decays it
    // by half per RTO of idleness instead, which ends at the same place after
    // a long pause and keeps more of the window after a short one.
    const uint32_t restart = std::min(initial_window_, cwnd_);
    ssthresh_ = std::max(ssthresh_, cwnd_ / 2 + cwnd_ / 4);
    for (uint32_t i = 0; i < rtos_idle && cwnd_ > restart; ++i)
        cwnd_ /= 2;
    cwnd_ = std::max(cwnd_, restart);
    acked_in_avoidance_ = 0;
    // The curve's clock did not run while nothing was sent: a new epoch.
    cubic_.epoch = base::Time::never();
}

}  // namespace tcp
