#include "tcp/scoreboard.hpp"

#include <algorithm>

namespace tcp {
namespace {

constexpr int duplicate_threshold = 3;      // RFC 6675's DupThresh, in segments
constexpr int recoveries_to_forget = 16;    // RFC 8985 §6.2 step 4
constexpr int max_reorder_multiplier = 64;  // the window is capped by SRTT long before

uint32_t ms_of(base::Time t) {
    return static_cast<uint32_t>(t.ns() / 1'000'000);
}

}  // namespace

void Scoreboard::sent(SeqNum seq, uint32_t len, bool fin, bool psh, base::Time now) {
    segments_.push_back({.seq = seq, .len = len, .fin = fin, .psh = psh, .sent = now});
    total_ += segments_.back().space();
}

void Scoreboard::pop_front() {
    ++head_;
    if (head_ == segments_.size()) {
        segments_.clear();
        head_ = 0;
    } else if (head_ >= 64 && head_ * 2 >= segments_.size()) {
        segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(head_));
        head_ = 0;
    }
}

void Scoreboard::resent(SentSegment& s, base::Time now) {
    if (s.lost) {
        s.lost = false;
        lost_ -= s.space();
    }
    if (s.transmissions == 1) ++resent_held_;
    ++s.transmissions;
    s.sent = now;
}

void Scoreboard::mark_lost(SentSegment& s) {
    if (s.lost || s.sacked) return;
    s.lost = true;
    lost_ += s.space();
}

void Scoreboard::delivered(const SentSegment& s, std::optional<uint32_t> echo_ms, base::Time now) {
    // RFC 8985 §6.2 step 2: an ACK of a retransmitted segment may be for the
    // original; if the echoed timestamp predates the retransmission, or the
    // ACK came back faster than any round trip, it says nothing about the
    // latest transmission.
    if (s.transmissions > 1) {
        if (echo_ms && static_cast<int32_t>(*echo_ms - ms_of(s.sent)) < 0) return;
        if (min_rtt_ && now - s.sent < *min_rtt_) return;
    }
    const base::Duration rtt = now - s.sent;
    if (!min_rtt_ || rtt < *min_rtt_) min_rtt_ = rtt;
    // Step 3: a segment sent once, delivered below one delivered before it,
    // was overtaken: the path reorders.
    if (s.transmissions == 1 && fack_valid_ && s.end() < fack_) reordering_seen_ = true;
    if (!fack_valid_ || fack_ < s.end()) {
        fack_ = s.end();
        fack_valid_ = true;
    }
    if (!rack_valid_ || rack_sent_ < s.sent || (rack_sent_ == s.sent && rack_end_ < s.end())) {
        rack_valid_ = true;
        rack_sent_ = s.sent;
        rack_end_ = s.end();
        rack_rtt_ = rtt;
    }
}

AckOutcome Scoreboard::on_ack(SeqNum ack, std::span<const wire::TcpSackBlock> blocks,
                              std::optional<uint32_t> echo_ms, base::Time now) {
    AckOutcome outcome;
    // A D-SACK (RFC 2883 §4): the first block lies below the cumulative ACK,
    // or inside the second block. It reports a duplicate, not new data.
    if (!blocks.empty() &&
        (blocks[0].right <= ack || (blocks.size() > 1 && blocks[1].left <= blocks[0].left &&
                                    blocks[0].right <= blocks[1].right))) {
        outcome.dsack = true;
        blocks = blocks.subspan(1);
        reordering_seen_ = true;
        if (!dsack_round_end_ || *dsack_round_end_ <= ack) {
            reorder_multiplier_ = std::min(reorder_multiplier_ + 1, max_reorder_multiplier);
            recoveries_since_growth_ = 0;
            dsack_round_end_ = empty() ? ack : segments_.back().end();
        }
    }

    // Cumulatively acknowledged segments leave the board.
    while (!empty() && segments_[head_].end() <= ack) {
        SentSegment& s = segments_[head_];
        if (!s.sacked) {
            delivered(s, echo_ms, now);
            outcome.delivered = true;
        }
        total_ -= s.space();
        if (s.sacked) sacked_ -= s.space();
        if (s.lost) lost_ -= s.space();
        if (s.transmissions > 1) --resent_held_;
        pop_front();
    }
    // An ACK inside a segment (the peer took part of it): trim the front.
    if (!empty() && segments_[head_].seq < ack) {
        SentSegment& s = segments_[head_];
        const uint32_t cut = ack - s.seq;
        s.seq = ack;
        s.len -= std::min(cut, s.len);
        total_ -= cut;
        if (s.sacked) sacked_ -= cut;
        if (s.lost) lost_ -= cut;
    }

    // SACKed segments stay until the cumulative ACK passes them (the peer may
    // renege), but no longer count in the pipe.
    for (const wire::TcpSackBlock& b : blocks) {
        if (!(b.left < b.right)) continue;
        const std::span<SentSegment> all = held();
        auto it = std::lower_bound(all.begin(), all.end(), b.left,
                                   [](const SentSegment& s, SeqNum at) { return s.seq < at; });
        for (; it != all.end() && it->end() <= b.right; ++it) {
            if (it->sacked) continue;
            it->sacked = true;
            sacked_ += it->space();
            if (it->lost) {
                it->lost = false;
                lost_ -= it->space();
            }
            delivered(*it, echo_ms, now);
            outcome.delivered = true;
        }
    }
    return outcome;
}

base::Duration Scoreboard::reorder_window(bool in_recovery,
                                          std::optional<base::Duration> srtt) const {
    if (!srtt) return base::Duration::zero();
    if (!reordering_seen_) {
        // No reordering seen: as soon as DupThresh segments are SACKed above a
        // hole, or in recovery, there is no reason to wait.
        if (in_recovery) return base::Duration::zero();
        const uint32_t typical = empty() ? 1 : std::max(segments_[head_].len, 1u);
        if (sacked_ >= duplicate_threshold * typical) return base::Duration::zero();
    }
    // A quarter of the smoothed RTT per step, where RFC 8985 takes a quarter
    // of the minimum: under emulated reordering (a frame that skips the
    // path's delay) the minimum RTT is near zero and the window would never
    // open. Never more than the smoothed RTT.
    return std::min(*srtt * reorder_multiplier_ / 4, *srtt);
}

base::Time Scoreboard::detect_losses(base::Time now, bool in_recovery,
                                     std::optional<base::Duration> srtt) {
    // Nothing SACKed and nothing resent: every segment held was sent after the
    // last one delivered, so none can be judged yet.
    if (!rack_valid_ || (sacked_ == 0 && resent_held_ == 0)) return base::Time::never();
    const base::Duration window = reorder_window(in_recovery, srtt);
    base::Time recheck = base::Time::never();
    for (SentSegment& s : held()) {
        if (s.sacked || s.lost) continue;
        const bool sent_before =
            s.sent < rack_sent_ || (s.sent == rack_sent_ && s.end() < rack_end_);
        if (!sent_before) continue;
        const base::Time due = s.sent + rack_rtt_ + window;
        if (due <= now) {
            mark_lost(s);
        } else {
            recheck = std::min(recheck, due);
        }
    }
    return recheck;
}

void Scoreboard::mark_all_lost() {
    for (SentSegment& s : held())
        mark_lost(s);
}

size_t Scoreboard::resegment(uint32_t max_len) {
    if (max_len == 0) return 0;
    std::vector<SentSegment> pieces;
    pieces.reserve(size());
    size_t split = 0;
    for (const SentSegment& s : held()) {
        if (s.len <= max_len) {
            pieces.push_back(s);
            continue;
        }
        ++split;
        // Counters leave with the whole and come back with its pieces.
        total_ -= s.space();
        if (s.sacked) sacked_ -= s.space();
        if (s.lost) lost_ -= s.space();
        if (s.transmissions > 1) --resent_held_;
        for (uint32_t at = 0; at < s.len; at += max_len) {
            SentSegment p = s;
            p.seq = s.seq + at;
            p.len = std::min(max_len, s.len - at);
            const bool last = at + p.len == s.len;
            p.fin = s.fin && last;
            p.psh = s.psh && last;
            p.lost = false;
            total_ += p.space();
            if (p.transmissions > 1) ++resent_held_;
            if (p.sacked) {
                sacked_ += p.space();
            } else {
                p.lost = true;
                lost_ += p.space();
            }
            pieces.push_back(p);
        }
    }
    if (split > 0) {
        segments_ = std::move(pieces);
        head_ = 0;
    }
    return split;
}

void Scoreboard::mark_first_lost() {
    if (!empty()) mark_lost(segments_[head_]);
}

void Scoreboard::forget_losses() {
    for (SentSegment& s : held())
        s.lost = false;
    lost_ = 0;
}

void Scoreboard::recovery_started() {
    if (++recoveries_since_growth_ >= recoveries_to_forget) {
        reorder_multiplier_ = 1;
        recoveries_since_growth_ = 0;
    }
}

SentSegment* Scoreboard::first_lost() {
    if (lost_ == 0) return nullptr;
    for (SentSegment& s : held()) {
        if (s.lost) return &s;
    }
    return nullptr;
}

}  // namespace tcp
