// Congestion control: the arithmetic of cwnd and ssthresh. The connection
// decides when data is acknowledged, when a loss is found (RACK with SACK,
// three duplicate ACKs without) and when the retransmission timer expires,
// and tells this class; it answers with the window.
//
// Two algorithms, chosen per connection (Linux's TCP_CONGESTION):
//
//   CUBIC (RFC 9438, the default, as in Linux)
//     slow start           HyStart++ (RFC 9406) in the first slow start:
//                          cwnd grows by the bytes acked, at most 8 SMSS per
//                          ACK; when a round's minimum RTT rises by an eighth
//                          (4 to 16 ms) over the last round's, growth drops to
//                          a quarter (conservative slow start) and, unless
//                          the RTT falls back, slow start ends 5 rounds later
//     avoidance            W(t) = C (t - K)^3 + W_max, C = 0.4, aimed one
//                          minimum RTT ahead, never below the window standard
//                          TCP would have reached (the Reno-friendly region)
//     loss                 ssthresh = cwnd x 0.7; W_max = cwnd, less when the
//                          window had not regained the last W_max (fast
//                          convergence)
//   NewReno (RFC 5681, RFC 6582)
//     slow start           cwnd grows by the bytes acked, at most one SMSS
//                          per ACK (appropriate byte counting, L = 1)
//     avoidance            one SMSS per cwnd of bytes acked
//     loss                 ssthresh = max(flight / 2, 2 SMSS)
//
// Shared by both:
//   recovery with SACK     Proportional Rate Reduction (RFC 6937, reduction
//                          bound SSRB): each ACK lets out data in proportion
//                          to what it delivered, so cwnd comes down to
//                          ssthresh smoothly instead of at once, and climbs
//                          back to it (by at most what was delivered, plus
//                          one SMSS) when losses drained the pipe below it;
//                          cwnd = ssthresh when recovery ends
//   recovery without SACK  RFC 6582: cwnd = ssthresh + 3 SMSS, inflated by
//                          each further duplicate, deflated by partial ACKs
//   timeout                cwnd = 1 SMSS, ssthresh from the loss rule (once
//                          per timeout episode, not again on its back-offs)
//   undo                   a reduction found spurious gets the window before
//                          it back (RFC 4015)
//   restart after idle     nothing in flight for more than an RTO (RFC 5681
//                          §4.1): ssthresh = max(ssthresh, 3/4 cwnd), cwnd
//                          halved for each RTO idle, down to min(IW, cwnd)
//                          (Linux's tcp_cwnd_restart)
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/time.hpp"
#include "wire/seq_num.hpp"

namespace tcp {

enum class CongestionAlgorithm : uint8_t { cubic, new_reno };

std::string_view to_string(CongestionAlgorithm a);  // "cubic", "newreno" (Linux's names)
// "cubic", "newreno" (or "reno", Linux's name for it); nullopt for anything else.
std::optional<CongestionAlgorithm> congestion_algorithm_named(std::string_view name);

// What an ACK that advanced snd_una tells congestion control.
struct AckSample {
    uint32_t acked = 0;                 // bytes newly acknowledged cumulatively
    wire::SeqNum snd_una;               // after the ACK
    wire::SeqNum snd_nxt;               // the round HyStart++ measures ends here
    std::optional<base::Duration> rtt;  // the RTT sample the ACK gave, if any
    std::optional<base::Duration> min_rtt;
    base::Time now;
};

class Congestion {
  public:
    Congestion(CongestionAlgorithm algorithm, uint32_t smss);

    CongestionAlgorithm algorithm() const { return algorithm_; }
    // The segment size shrank (path MTU discovery): growth steps follow it.
    void set_mss(uint32_t smss) { smss_ = smss; }
    // Another algorithm from now on: cwnd and ssthresh stay, the new one
    // starts its own state afresh (as Linux when TCP_CONGESTION changes).
    void set_algorithm(CongestionAlgorithm algorithm);

    uint32_t cwnd() const { return cwnd_; }
    uint32_t ssthresh() const { return ssthresh_; }
    bool in_slow_start() const { return cwnd_ < ssthresh_; }
    // HyStart++ has seen the RTT rise and slows the growth (RFC 9406 §4.2).
    bool in_conservative_slow_start() const { return hystart_.phase == HyStartPhase::css; }

    // New data acknowledged outside loss recovery.
    void on_ack(const AckSample& ack);

    // A loss found before the timer: recovery begins. With `prr` (SACK),
    // cwnd is left to on_recovery_ack; without, RFC 6582's inflation.
    void enter_recovery(uint32_t flight, bool prr);
    // PRR: an ACK during recovery delivered `delivered` bytes (cumulatively
    // or by SACK) and `pipe` bytes are in the network: cwnd becomes pipe
    // plus what may be sent now.
    void on_recovery_ack(uint32_t delivered, uint32_t pipe);
    // PRR: `bytes` went out during recovery (new or sent again).
    void on_recovery_sent(uint32_t bytes) { prr_out_ += bytes; }
    // Without SACK: another duplicate ACK, or an ACK that covers some but not all.
    void on_duplicate_in_recovery();
    void on_partial_ack(uint32_t acked);
    // The ACK that covers everything outstanding when recovery began.
    void exit_recovery(uint32_t flight, bool prr);
    // A loss repaired without a recovery (a tail loss probe's): the
    // reduction at once (Linux's CWR state, entered and left on one ACK).
    void reduce_now(uint32_t flight);
    // A reduction that was not needed (the retransmission was spurious).
    void restore(uint32_t cwnd, uint32_t ssthresh);
    // The retransmission timer expired; `repeated` when it already had
    // for the same data (a back-off), so the window was already reduced.
    void on_timeout(uint32_t flight, bool repeated);
    // Sending again after `rtos_idle` whole RTOs with nothing in flight.
    void restart_after_idle(uint32_t rtos_idle);

    // CUBIC's state, for tests and the curious.
    uint32_t w_max() const { return cubic_.w_max; }

  private:
    enum class HyStartPhase : uint8_t { slow_start, css, done };
    // RFC 9406's state: rounds end when snd_una passes window_end.
    struct HyStart {
        HyStartPhase phase = HyStartPhase::slow_start;
        bool round_started = false;
        uint8_t samples = 0;  // RTT samples this round
        uint8_t css_rounds = 0;
        wire::SeqNum window_end;
        base::Duration current_min = base::Duration::max();
        base::Duration last_min = base::Duration::max();
        base::Duration css_baseline = base::Duration::max();
    };
    // RFC 9438's state for the current congestion-avoidance epoch.
    struct Cubic {
        uint32_t w_max = 0;   // bytes; 0 until a congestion event
        uint32_t origin = 0;  // bytes: the curve's plateau
        base::Time epoch = base::Time::never();
        base::Duration k{};  // time from the epoch to the plateau
        double w_est = 0;    // bytes: what standard TCP would have by now
    };

    // ssthresh (and CUBIC's W_max) for a congestion event.
    void on_congestion_event(uint32_t flight);
    // Slow start; returns the bytes acked beyond ssthresh.
    uint32_t slow_start(const AckSample& ack);
    void hystart_on_ack(const AckSample& ack);
    void reno_avoidance(uint32_t acked);
    void cubic_avoidance(const AckSample& ack, uint32_t acked);

    CongestionAlgorithm algorithm_;
    uint32_t smss_;
    uint32_t initial_window_;
    uint32_t cwnd_;
    uint32_t ssthresh_;
    uint32_t acked_in_avoidance_ = 0;  // bytes towards the next SMSS of growth
    // PRR (RFC 6937 §3): the flight when recovery began, bytes delivered
    // and sent since.
    uint32_t recover_fs_ = 0;
    uint32_t prr_delivered_ = 0;
    uint32_t prr_out_ = 0;
    HyStart hystart_;
    Cubic cubic_;
};

}  // namespace tcp
