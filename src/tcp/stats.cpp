#include "tcp/stats.hpp"

#include <algorithm>

namespace tcp {

void Stats::add_rtt_sample(base::Duration rtt) {
    rtt_min = rtt_samples == 0 ? rtt : std::min(rtt_min, rtt);
    rtt_max = rtt_samples == 0 ? rtt : std::max(rtt_max, rtt);
    rtt_sum = rtt_sum + rtt;
    ++rtt_samples;
}

Stats& Stats::operator+=(const Stats& o) {
    segments_sent += o.segments_sent;
    segments_received += o.segments_received;
    bytes_sent += o.bytes_sent;
    bytes_received += o.bytes_received;
    retransmissions += o.retransmissions;
    fast_retransmits += o.fast_retransmits;
    spurious_recoveries += o.spurious_recoveries;
    timeouts += o.timeouts;
    duplicate_acks_received += o.duplicate_acks_received;
    out_of_order_segments += o.out_of_order_segments;
    duplicate_segments += o.duplicate_segments;
    window_probes += o.window_probes;
    paws_rejected += o.paws_rejected;
    loss_probes += o.loss_probes;
    loss_probe_recoveries += o.loss_probe_recoveries;
    path_mtu_reductions += o.path_mtu_reductions;
    black_holes += o.black_holes;
    if (o.rtt_samples > 0) {
        rtt_min = rtt_samples == 0 ? o.rtt_min : std::min(rtt_min, o.rtt_min);
        rtt_max = rtt_samples == 0 ? o.rtt_max : std::max(rtt_max, o.rtt_max);
        rtt_sum = rtt_sum + o.rtt_sum;
        rtt_samples += o.rtt_samples;
    }
    first_data_sent = std::min(first_data_sent, o.first_data_sent);
    if (o.last_data_received != base::Time::never())
        last_data_received = last_data_received == base::Time::never()
                                 ? o.last_data_received
                                 : std::max(last_data_received, o.last_data_received);
    return *this;
}

}  // namespace tcp
