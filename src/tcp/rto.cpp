#include "tcp/rto.hpp"

#include <algorithm>

namespace tcp {

base::Duration RtoEstimator::bounded(base::Duration d) const {
    return std::clamp(d, config_.min, config_.max);
}

void RtoEstimator::sample(base::Duration rtt) {
    if (rtt < base::Duration::zero()) return;
    if (!srtt_) {
        srtt_ = rtt;
        rttvar_ = rtt / 2;
    } else {
        const base::Duration error = *srtt_ > rtt ? *srtt_ - rtt : rtt - *srtt_;
        rttvar_ = (rttvar_ * 3 + error) / 4;
        srtt_ = (*srtt_ * 7 + rtt) / 8;
    }
    rto_ = bounded(*srtt_ + std::max(config_.granularity, rttvar_ * 4));
    backoffs_ = 0;
}

void RtoEstimator::handshake_fallback() {
    if (srtt_) return;
    rto_ = std::min(std::max(config_.initial, fallback), config_.max);
    backoffs_ = 0;
}

void RtoEstimator::back_off() {
    rto_ = bounded(rto_ * 2);
    ++backoffs_;
}

}  // namespace tcp
