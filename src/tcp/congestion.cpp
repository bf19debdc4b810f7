#include "tcp/congestion.hpp"

#include <algorithm>
#include <limits>

namespace tcp {

NewReno::NewReno(uint32_t smss)
    : smss_(smss),
      // RFC 6928: min(10 SMSS, max(2 SMSS, 14600 bytes)).
      initial_window_(std::min(10 * smss, std::max(2 * smss, uint32_t{14600}))),
      cwnd_(initial_window_),
      ssthresh_(std::numeric_limits<uint32_t>::max()) {}

void NewReno::on_ack(uint32_t acked) {
    if (in_slow_start()) {
        cwnd_ += std::min(acked, smss_);
        return;
    }
    acked_in_avoidance_ += acked;
    if (acked_in_avoidance_ >= cwnd_) {
        acked_in_avoidance_ -= cwnd_;
        cwnd_ += smss_;
    }
}

void NewReno::enter_recovery(uint32_t flight) {
    ssthresh_ = std::max(flight / 2, 2 * smss_);
    cwnd_ = ssthresh_ + 3 * smss_;
    acked_in_avoidance_ = 0;
}

void NewReno::on_duplicate_in_recovery() {
    cwnd_ += smss_;
}

void NewReno::on_partial_ack(uint32_t acked) {
    // Deflate by what was acked, then add back one SMSS (RFC 6582 §3.2 step 5).
    cwnd_ = (cwnd_ > acked ? cwnd_ - acked : 0) + smss_;
}

void NewReno::exit_recovery(uint32_t flight) {
    cwnd_ = std::min(ssthresh_, std::max(flight, smss_) + smss_);
}

void NewReno::reduce(uint32_t flight) {
    ssthresh_ = std::max(flight / 2, 2 * smss_);
    cwnd_ = ssthresh_;
    acked_in_avoidance_ = 0;
}

void NewReno::restore(uint32_t cwnd, uint32_t ssthresh) {
    cwnd_ = std::max(cwnd_, cwnd);
    ssthresh_ = std::max(ssthresh_, ssthresh);
}

void NewReno::on_timeout(uint32_t flight) {
    ssthresh_ = std::max(flight / 2, 2 * smss_);
    cwnd_ = smss_;
    acked_in_avoidance_ = 0;
}

void NewReno::restart_after_idle(uint32_t rtos_idle) {
    // RFC 5681 §4.1 asks for cwnd at most the restart window; Linux decays it
    // by half per RTO of idleness instead, which ends at the same place after
    // a long pause and keeps more of the window after a short one.
    const uint32_t restart = std::min(initial_window_, cwnd_);
    ssthresh_ = std::max(ssthresh_, cwnd_ / 2 + cwnd_ / 4);
    for (uint32_t i = 0; i < rtos_idle && cwnd_ > restart; ++i)
        cwnd_ /= 2;
    cwnd_ = std::max(cwnd_, restart);
    acked_in_avoidance_ = 0;
}

}  // namespace tcp
