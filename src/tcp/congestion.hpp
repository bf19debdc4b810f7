// Congestion control: NewReno (RFC 5681, with RFC 6582's fast recovery and
// RFC 6928's initial window). It only keeps the arithmetic of cwnd and
// ssthresh; the connection decides when a loss is detected (three duplicate
// ACKs, or the retransmission timer) and tells it.
//
//   slow start            cwnd < ssthresh: cwnd grows by the bytes acked, at
//                          most one SMSS per ACK (appropriate byte counting)
//   congestion avoidance  cwnd grows by one SMSS per cwnd of bytes acked
//   fast recovery         on 3 duplicate ACKs: ssthresh = max(flight/2, 2 SMSS),
//                          cwnd = ssthresh + 3 SMSS, inflated by one SMSS per
//                          further duplicate, deflated by partial ACKs, and set
//                          to min(ssthresh, flight + SMSS) when recovery ends
//   SACK recovery         on a loss found with SACK (RFC 6675 §5): ssthresh =
//                          cwnd = max(flight/2, 2 SMSS), held through the
//                          recovery; the pipe, not inflation, paces what is sent
//   undo                  a recovery found spurious gets the window before it
//                          back (RFC 4015)
//   timeout               ssthresh = max(flight/2, 2 SMSS), cwnd = 1 SMSS
//   restart after idle    nothing in flight for more than an RTO (RFC 5681
//                          §4.1): ssthresh = max(ssthresh, 3/4 cwnd), cwnd
//                          halved for each RTO idle, down to the restart
//                          window min(IW, cwnd) (Linux's tcp_cwnd_restart)
#pragma once

#include <cstdint>

namespace tcp {

class NewReno {
  public:
    explicit NewReno(uint32_t smss);

    uint32_t cwnd() const { return cwnd_; }
    uint32_t ssthresh() const { return ssthresh_; }
    bool in_slow_start() const { return cwnd_ < ssthresh_; }

    // New data acknowledged outside fast recovery.
    void on_ack(uint32_t acked);
    // Three duplicate ACKs: enter fast recovery.
    void enter_recovery(uint32_t flight);
    // Another duplicate ACK during fast recovery.
    void on_duplicate_in_recovery();
    // An ACK during recovery that acknowledges some but not all of it.
    void on_partial_ack(uint32_t acked);
    // The ACK that covers everything outstanding when recovery began.
    void exit_recovery(uint32_t flight);
    // A loss found with SACK's help: halve and hold (RFC 6675 §5).
    void reduce(uint32_t flight);
    // A reduction that was not needed (the retransmission was spurious).
    void restore(uint32_t cwnd, uint32_t ssthresh);
    // The retransmission timer expired.
    void on_timeout(uint32_t flight);
    // Sending again after `rtos_idle` whole RTOs with nothing in flight.
    void restart_after_idle(uint32_t rtos_idle);

  private:
    uint32_t smss_;
    uint32_t initial_window_;
    uint32_t cwnd_;
    uint32_t ssthresh_;
    uint32_t acked_in_avoidance_ = 0;
};

}  // namespace tcp
