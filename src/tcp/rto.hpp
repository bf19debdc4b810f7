// The retransmission timeout (RFC 6298).
//
// Before any measurement RTO is the initial value (1 s). The first RTT sample R
// sets SRTT = R and RTTVAR = R/2; each later one updates
//   RTTVAR = (1 - 1/4) RTTVAR + 1/4 |SRTT - R|
//   SRTT   = (1 - 1/8) SRTT   + 1/8 R
// and RTO = SRTT + max(G, 4 RTTVAR), bounded below and above. Samples come only
// from segments sent once (Karn's rule: the caller does not sample a
// retransmitted one). Each expiry of the timer doubles RTO (back-off) until a
// new sample arrives.
//
// RFC 6298 asks for a 1 s floor; like Linux, the default floor here is 200 ms
// (configurable), since networks inside one machine are much faster than the
// 1980s ones the floor was set for.
#pragma once

#include <optional>

#include "base/time.hpp"

namespace tcp {

// RFC 6298 §5.7's RTO after a handshake that had to be repeated.
inline constexpr base::Duration fallback = base::Duration::seconds(3);

struct RtoConfig {
    base::Duration initial = base::Duration::seconds(1);
    base::Duration min = base::Duration::milliseconds(200);
    base::Duration max = base::Duration::seconds(120);             // as Linux (TCP_RTO_MAX)
    base::Duration granularity = base::Duration::milliseconds(1);  // G, the clock's
};

class RtoEstimator {
  public:
    explicit RtoEstimator(RtoConfig config = {}) : config_(config), rto_(config.initial) {}

    // A round-trip sample from a segment that was not retransmitted.
    void sample(base::Duration rtt);
    // The timer expired: double RTO (up to the maximum).
    void back_off();
    // The handshake completed without a sample because its SYN (or SYN+ACK)
    // was sent again: RTO is 3 s from here until one comes (RFC 6298 §5.7,
    // a MUST; Linux's TCP_TIMEOUT_FALLBACK). Nothing changes if a sample
    // came after all.
    void handshake_fallback();

    base::Duration rto() const { return rto_; }
    std::optional<base::Duration> srtt() const { return srtt_; }
    base::Duration rttvar() const { return rttvar_; }
    int backoffs() const { return backoffs_; }

  private:
    base::Duration bounded(base::Duration d) const;

    RtoConfig config_;
    std::optional<base::Duration> srtt_;
    base::Duration rttvar_{};
    base::Duration rto_;
    int backoffs_ = 0;
};

}  // namespace tcp
