#include "stack/icmp_rate_limiter.hpp"

#include <algorithm>

namespace stack {

bool IcmpRateLimiter::take(Bucket& b, double rate, double burst, base::Time now) {
    const double elapsed = (now - b.last).seconds_f();
    if (elapsed > 0) b.tokens = std::min(burst, b.tokens + elapsed * rate);
    b.last = std::max(b.last, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
}

bool IcmpRateLimiter::allow(const wire::Ipv6Address& dst, base::Time now) {
    auto it = destinations_.find(dst);
    if (it == destinations_.end()) {
        if (destinations_.size() >= limits_.max_destinations) {
            auto oldest = std::min_element(destinations_.begin(), destinations_.end(),
                                           [](const auto& a, const auto& b) {
                                               return a.second.last_asked < b.second.last_asked;
                                           });
            destinations_.erase(oldest);
        }
        it = destinations_.emplace(dst, Destination{{limits_.per_destination_burst, now}, now})
                 .first;
    }
    it->second.last_asked = std::max(it->second.last_asked, now);
    // Check both before taking from either, so a refusal costs no token.
    Bucket host = host_;
    Bucket peer = it->second.bucket;
    if (!take(host, limits_.host_per_second, limits_.host_burst, now) ||
        !take(peer, limits_.per_destination_per_second, limits_.per_destination_burst, now)) {
        return false;
    }
    host_ = host;
    it->second.bucket = peer;
    return true;
}

}  // namespace stack
