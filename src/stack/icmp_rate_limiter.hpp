// Rate limit for ICMP error messages (RFC 1812 §4.3.2.8, RFC 1122 §3.2.2):
// a token bucket for the whole host and one per destination, as Linux has
// (icmp_msgs_per_sec with its burst, and icmp_ratelimit per peer). Echo replies
// are not limited. ICMPv6 errors (RFC 4443 §2.4 (f)) share the host's bucket;
// an IPv4 destination is kept as its IPv4-mapped IPv6 address.
#pragma once

#include <map>

#include "base/time.hpp"
#include "wire/address.hpp"

namespace stack {

struct IcmpRateLimit {
    double host_per_second = 1000;
    double host_burst = 50;
    double per_destination_per_second = 1;  // Linux: one per icmp_ratelimit (1 s)
    double per_destination_burst = 6;       // Linux: XRLIM_BURST_FACTOR
    size_t max_destinations = 1024;         // oldest-used evicted beyond this
};

class IcmpRateLimiter {
  public:
    explicit IcmpRateLimiter(IcmpRateLimit limits) : limits_(limits) {}

    // Takes a token for an error to `dst`; false means the error must not be sent.
    bool allow(wire::Ipv4Address dst, base::Time now) {
        return allow(wire::Ipv6Address::mapped(dst), now);
    }
    bool allow(const wire::Ipv6Address& dst, base::Time now);

  private:
    struct Bucket {
        double tokens;
        base::Time last;  // of the last refill
    };
    struct Destination {
        Bucket bucket;
        base::Time last_asked;  // for eviction: refused requests count as use
    };
    static bool take(Bucket& b, double rate, double burst, base::Time now);

    IcmpRateLimit limits_;
    Bucket host_{limits_.host_burst, base::Time::zero()};
    std::map<wire::Ipv6Address, Destination> destinations_;
};

}  // namespace stack
