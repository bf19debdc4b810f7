// Segment arrival (RFC 9293 §3.10.7): the checks every segment passes, in
// the RFC's order (sequence number, RST, SYN, ACK, PAWS, RFC 5961's
// challenges), before the sender (process_ack) and the receiver
// (process_data, process_fin) take their parts.
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

bool Connection::acceptable(const wire::TcpRepr& seg) const {
    // RFC 9293 §3.10.7.4, first check: the segment overlaps the window.
    const uint32_t window = rcv_.adv > rcv_.nxt ? static_cast<uint32_t>(rcv_.adv - rcv_.nxt) : 0;
    const uint32_t len = seg.sequence_len();
    const SeqNum end = rcv_.nxt + window;
    if (len == 0) {
        if (window == 0) return seg.seq == rcv_.nxt;
        return rcv_.nxt <= seg.seq && seg.seq < end;
    }
    if (window == 0) return false;
    const SeqNum last = seg.seq + (len - 1);
    return (rcv_.nxt <= seg.seq && seg.seq < end) || (rcv_.nxt <= last && last < end);
}

void Connection::process(const wire::TcpRepr& seg, base::Time now) {
    ++stats_.segments_received;
    last_heard_ = now;
    keepalives_unanswered_ = 0;
    if (config_.keepalive && synchronized()) timers_.keepalive = now + config_.keepalive->idle;
    if (state_ == State::closed) return;

    if (state_ == State::syn_sent) {
        // §3.10.7.3.
        const bool has_ack = seg.flags.has(ack);
        if (has_ack && (seg.ack <= snd_.iss || seg.ack > snd_.nxt)) {
            if (!seg.flags.has(rst)) send_rst(seg.ack, now);
            return;
        }
        if (seg.flags.has(rst)) {
            if (has_ack) fail(Error::refused, now);
            return;
        }
        if (!seg.flags.has(syn)) return;
        rcv_.irs = seg.seq;
        rcv_.nxt = seg.seq + 1;
        rcv_.adv = rcv_.nxt;
        take_options(seg, now);
        snd_.wl1 = seg.seq;
        snd_.wl2 = seg.ack;
        if (has_ack) {
            snd_.una = seg.ack;
            snd_.wnd = seg.window;  // unscaled in a SYN
            snd_.max_wnd = snd_.wnd;
            if (retransmissions_ == 0) sample_rtt(now - rtt_started_);  // Karn
            if (retransmissions_ > 0) rto_.handshake_fallback();
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::syn_ack);
            timers_.retransmit = base::Time::never();
            retransmissions_ = 0;
            set_state(State::established, now);
            send_ack(Reason::ack, now);
            output(now);
        } else {
            // Simultaneous open: both sent SYNs.
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::syn);
            snd_.wnd = seg.window;
            set_state(State::syn_received, now);
            send_segment(snd_.iss, syn | ack, 0, 0, Reason::syn_ack, now);
        }
        return;
    }

    // Simultaneous open (RFC 9293 §3.5, figure 8): in SYN-RECEIVED the peer's
    // SYN+ACK repeats its SYN, so it starts before RCV.NXT and the window
    // check alone would refuse it. When it acknowledges exactly our SYN it is
    // the ACK that completes the handshake (Linux's tcp_validate_incoming
    // makes the same exception), and is taken as that ACK; its SYN, already
    // received, draws a duplicate ACK as any repeated sequence does (Linux's
    // tcp_data_queue).
    if (state_ == State::syn_received && !passive_ && seg.flags.has(syn) && seg.flags.has(ack) &&
        !seg.flags.has(rst) && !seg.flags.has(fin) && seg.payload.empty() &&
        seg.seq + 1 == rcv_.nxt && seg.ack == snd_.nxt) {
        wire::TcpRepr as_ack = seg;
        as_ack.flags = seg.flags.without(syn);
        as_ack.seq = rcv_.nxt;
        --stats_.segments_received;  // counted again below
        process(as_ack, now);
        if (state_ == State::established) send_ack(Reason::duplicate_ack, now);
        return;
    }

    // PAWS (RFC 7323 §5.3, R1): a segment stamped earlier than the last one
    // taken in order is an old duplicate from a previous use of the sequence
    // space — dropped, and answered with an ACK unless it is a RST. After 24
    // days of silence TS.Recent is stale (the peer's clock may have wrapped)
    // and the segment's TSval is taken instead. Strictly older, as the RFC
    // says; Linux forgives one tick (docs/tcp.md).
    if (timestamps_ok_ && seg.timestamps && !seg.flags.has(rst) &&
        static_cast<int32_t>(seg.timestamps->value - ts_recent_) < 0) {
        if (now - ts_recent_at_ > paws_idle) {
            ts_recent_ = seg.timestamps->value;
            ts_recent_at_ = now;
        } else {
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::old_timestamp);
            ++stats_.paws_rejected;
            send_ack(Reason::duplicate_ack, now);
            return;
        }
    }

    // RFC 7323 §5.3 (R2), before the window check: remember the timestamp to
    // echo from any segment that does not start beyond what we acknowledged —
    // duplicates included, so the ACK a retransmission draws echoes its fresh
    // TSval and the sender's RTT sample is right.
    if (timestamps_ok_ && seg.timestamps && seg.seq <= rcv_.nxt &&
        static_cast<int32_t>(seg.timestamps->value - ts_recent_) >= 0) {
        ts_recent_ = seg.timestamps->value;
        ts_recent_at_ = now;
    }

    // First: is the segment within the window?
    if (!acceptable(seg)) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::outside_window);
        if (!seg.flags.has(rst)) {
            if (state_ == State::time_wait && seg.flags.has(fin))
                timers_.time_wait_until = now + config_.msl * 2;
            note_duplicate(seg);
            send_ack(Reason::duplicate_ack, now);
        }
        ++stats_.duplicate_segments;
        return;
    }

    // Second: RST (RFC 5961 §3: only an exact match resets; the rest of the
    // window gets a challenge ACK).
    if (seg.flags.has(rst)) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::rst);
        if (seg.seq != rcv_.nxt) {
            send_ack(Reason::challenge_ack, now);
            return;
        }
        if (state_ == State::syn_received && passive_) {
            set_state(State::closed, now);  // back to the listener, which never saw it
            error_ = Error::reset;
            return;
        }
        if (state_ == State::closing || state_ == State::last_ack || state_ == State::time_wait) {
            set_state(State::closed, now);
            return;
        }
        fail(Error::reset, now);
        return;
    }

    // Fourth: a SYN in a synchronized state (RFC 5961 §4): challenge ACK.
    if (seg.flags.has(syn)) {
        if (state_ == State::syn_received && passive_ && seg.seq == rcv_.irs) {
            // Our SYN+ACK was lost: the peer sends its SYN again.
            send_segment(snd_.iss, syn | ack, 0, 0, Reason::syn_ack, now);
            return;
        }
        send_ack(Reason::challenge_ack, now);
        return;
    }

    // Fifth: without ACK, drop.
    if (!seg.flags.has(ack)) return;

    // RFC 5961 §5.2: an ACK further back than the largest window the peer
    // ever offered cannot come from the peer (blind data injection): the
    // segment is dropped, its data too, and answered with an ACK.
    if (synchronized() && seg.ack < snd_.una - snd_.max_wnd) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::old_ack);
        send_ack(Reason::challenge_ack, now);
        return;
    }

    process_ack(seg, now);
    if (state_ == State::closed) return;

    // RFC 1122 §4.2.2.13: new data for a program that has closed its socket
    // can never be read; the peer learns it with a RST (as Linux and BSD).
    if (released_ && !seg.payload.empty() &&
        seg.seq + static_cast<uint32_t>(seg.payload.size()) > rcv_.nxt) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::after_close);
        send_rst(seg.ack, now);
        fail(Error::aborted, now);
        return;
    }

    // Seventh: data.
    if (!seg.payload.empty() && (state_ == State::established || state_ == State::fin_wait_1 ||
                                 state_ == State::fin_wait_2)) {
        process_data(seg, now);
    } else if (observer_) {
        observer_->segment_received(now, tuple_, seg,
                                    seg.payload.empty() ? Reason::ack : Reason::duplicate);
    }

    // Eighth: FIN, in sequence (after the data it follows).
    if (seg.flags.has(fin)) {
        const int64_t at = stream_offset(seg.seq) + static_cast<int64_t>(seg.payload.size());
        if (at >= 0 && !rcv_.fin_received && state_ != State::close_wait &&
            state_ != State::closing && state_ != State::last_ack && state_ != State::time_wait) {
            rcv_.fin_offset = static_cast<uint64_t>(at);
        }
        if (state_ == State::time_wait) {
            // A retransmitted FIN: our last ACK was lost.
            send_ack(Reason::ack, now);
            timers_.time_wait_until = now + config_.msl * 2;
        }
    }
    if (rcv_.fin_offset && !rcv_.fin_received && *rcv_.fin_offset == rcv_.offset) process_fin(now);

    output(now);
}

}  // namespace tcp
