// A connection's counters: what it sent and received, what it had to send
// again, the round-trip times it measured. The socket API, the flow
// statistics and the benchmarks read them.
#pragma once

#include <cstdint>

#include "base/time.hpp"

namespace tcp {

struct Stats {
    uint64_t segments_sent = 0;
    uint64_t segments_received = 0;
    uint64_t bytes_sent = 0;      // new data, once
    uint64_t bytes_received = 0;  // in order, once
    uint64_t retransmissions = 0;
    uint64_t fast_retransmits = 0;     // loss recoveries begun before the RTO
    uint64_t spurious_recoveries = 0;  // undone: the original had arrived after all
    uint64_t timeouts = 0;
    uint64_t duplicate_acks_received = 0;
    uint64_t out_of_order_segments = 0;
    uint64_t duplicate_segments = 0;
    uint64_t paws_rejected = 0;  // old timestamps (RFC 7323 §5.3 R1)
    uint64_t window_probes = 0;
    uint64_t loss_probes = 0;            // tail loss probes sent (RFC 8985 §7)
    uint64_t loss_probe_recoveries = 0;  // probes that repaired a loss
    uint64_t path_mtu_reductions = 0;    // the segment size lowered by ICMP "fragmentation needed"
    uint64_t black_holes = 0;            // ... or by timeouts of large segments (RFC 4821)

    // Round-trip samples (each one RFC 6298 takes: Karn's rule, or an echoed
    // timestamp): how many, their sum, the least and the most.
    uint64_t rtt_samples = 0;
    base::Duration rtt_sum{};
    base::Duration rtt_min{};
    base::Duration rtt_max{};
    // When the first byte of data went out, and when the last new byte came
    // in (never: not yet).
    base::Time first_data_sent = base::Time::never();
    base::Time last_data_received = base::Time::never();
    // This side opened the connection (sent the first SYN).
    bool active_open = false;

    void add_rtt_sample(base::Duration rtt);
    // Adds the counters of `o`; the RTT extremes and times combine as min/max.
    Stats& operator+=(const Stats& o);
};

}  // namespace tcp
