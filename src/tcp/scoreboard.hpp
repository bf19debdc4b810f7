// The sender's record of every segment in flight: when it last went out,
// whether the peer has SACKed it (RFC 2018), whether it is judged lost and
// waits to be sent again. The connection asks it two things: how much is
// really in the network (`pipe`, RFC 6675 §2) and which segment to resend
// first.
//
// Loss is detected by RACK (RFC 8985), in time rather than by counting
// duplicate ACKs: a segment is lost when one sent after it has been delivered
// and more than an RTT plus a reordering window has passed since it went out.
// A frame that is merely overtaken by a later one (reordering) arrives inside
// the window and is not resent; a lost retransmission is detected the same
// way as a lost original (a later-sent segment is delivered first).
//
// The reordering window starts at a quarter of the minimum RTT and grows by
// that much each round trip in which the peer reports a spurious
// retransmission with a D-SACK (RFC 2883), up to the smoothed RTT; it falls
// back after 16 recoveries without one. Before any reordering has been seen
// it is zero once three segments' worth are SACKed above a hole (the duplicate
// threshold of RFC 6675), so a connection that never reorders repairs loss as
// fast as the classic rule.
//
// Without SACK the peer's ACKs say nothing about segments past the first
// hole; the connection then marks losses itself (`mark_first_lost`, NewReno).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/time.hpp"
#include "wire/seq_num.hpp"
#include "wire/tcp.hpp"

namespace tcp {

using wire::SeqNum;

struct SentSegment {
    SeqNum seq;
    uint32_t len = 0;  // data octets
    bool fin = false;
    bool psh = false;  // sent with PSH: a retransmission keeps it (as Linux, BSD, lwIP)
    base::Time sent;   // the latest transmission
    int transmissions = 1;
    bool sacked = false;
    bool lost = false;  // judged lost, not yet sent again

    uint32_t space() const { return len + (fin ? 1u : 0u); }  // sequence numbers taken
    SeqNum end() const { return seq + space(); }
};

struct AckOutcome {
    bool delivered = false;  // some segment was acknowledged or SACKed for the first time
    bool dsack = false;      // the peer reported data it received twice
};

class Scoreboard {
  public:
    // A segment went out for the first time.
    void sent(SeqNum seq, uint32_t len, bool fin, bool psh, base::Time now);
    // A lost segment went out again.
    void resent(SentSegment& s, base::Time now);

    // An ACK: everything before `ack` is delivered, and so is what the SACK
    // blocks cover. `echo_ms` is the timestamp the peer echoed, if any; it
    // tells an ACK of an original from one of its retransmission (RFC 8985
    // §6.2).
    AckOutcome on_ack(SeqNum ack, std::span<const wire::TcpSackBlock> blocks,
                      std::optional<uint32_t> echo_ms, base::Time now);

    // RACK: marks the segments now judged lost; returns when to look again
    // for the ones that may still be only late (never if none).
    base::Time detect_losses(base::Time now, bool in_recovery, std::optional<base::Duration> srtt);
    // The retransmission timer expired: everything not SACKed is lost.
    void mark_all_lost();
    // Without SACK: the first segment is lost (three duplicate ACKs, or a
    // partial ACK in NewReno recovery).
    void mark_first_lost();
    // A recovery turned out spurious: nothing waits to be resent.
    void forget_losses();
    // The path takes less than what was sent (path MTU discovery): every
    // segment with more than `max_len` data octets becomes segments of at
    // most that, and those not SACKed are lost (the network dropped them).
    // Returns how many segments were split.
    size_t resegment(uint32_t max_len);
    // A loss recovery began; for the reordering window's decay.
    void recovery_started();

    // The first segment judged lost, or null.
    SentSegment* first_lost();
    // The lowest segment not yet acknowledged, or null.
    const SentSegment* first() const { return empty() ? nullptr : &segments_[head_]; }
    // The highest segment sent, or null (a tail loss probe sends it again).
    SentSegment* last() { return empty() ? nullptr : &segments_.back(); }
    // RFC 6675's pipe: sequence space sent and neither SACKed nor lost.
    uint32_t pipe() const { return total_ - sacked_ - lost_; }
    uint32_t sacked_bytes() const { return sacked_; }
    uint32_t lost_bytes() const { return lost_; }
    bool empty() const { return head_ == segments_.size(); }
    size_t size() const { return segments_.size() - head_; }
    bool reordering_seen() const { return reordering_seen_; }
    std::optional<base::Duration> min_rtt() const { return min_rtt_; }
    base::Duration reorder_window(bool in_recovery, std::optional<base::Duration> srtt) const;

  private:
    void delivered(const SentSegment& s, std::optional<uint32_t> echo_ms, base::Time now);
    void mark_lost(SentSegment& s);
    std::span<SentSegment> held() { return std::span{segments_}.subspan(head_); }
    void pop_front();

    // In sequence order from head_ (a vector with a moving front, not a
    // deque: it takes no memory while empty, so idle connections cost none).
    std::vector<SentSegment> segments_;
    size_t head_ = 0;
    uint32_t total_ = 0;   // sequence space of all segments held
    uint32_t sacked_ = 0;  // of those SACKed
    uint32_t lost_ = 0;    // of those lost and not yet resent
    int resent_held_ = 0;  // segments held that went out more than once

    // RACK (RFC 8985 §6.1): the most recently sent segment known delivered.
    bool rack_valid_ = false;
    base::Time rack_sent_;
    SeqNum rack_end_;
    base::Duration rack_rtt_{};
    SeqNum fack_;  // the highest end delivered (cumulatively or by SACK)
    bool fack_valid_ = false;
    bool reordering_seen_ = false;
    std::optional<base::Duration> min_rtt_;
    int reorder_multiplier_ = 1;
    std::optional<SeqNum> dsack_round_end_;  // the multiplier grows once per round trip
    int recoveries_since_growth_ = 0;
};

}  // namespace tcp
