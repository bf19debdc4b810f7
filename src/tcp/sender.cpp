// The sender: segments built and sent (new data, again, ACKs, RSTs), what
// the windows allow (output), and what an ACK tells it (process_ack).
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

uint32_t Connection::send_mss() const {
    // MSS counts data only; options in every segment come out of it (RFC 6691),
    // or segments would not fit the MTU and IP would fragment them.
    const uint32_t mss = std::min({snd_.peer_mss, config_.mss, snd_.path_mss});
    const uint32_t options = timestamps_ok_ ? 12 : 0;
    return mss > options + 64 ? mss - options : mss;
}

void Connection::send_segment(SeqNum seq, uint16_t flags, size_t data_offset, size_t data_len,
                              Reason reason, base::Time now) {
    wire::TcpRepr seg{.src_port = tuple_.local_port,
                      .dst_port = tuple_.remote_port,
                      .seq = seq,
                      .ack = (flags & ack) ? rcv_.nxt : SeqNum{0},
                      .flags = TcpFlags{flags}};
    const bool opening = (flags & syn) != 0;
    if (opening) {
        // Windows in SYNs are not scaled (RFC 7323 §2.2).
        seg.window = static_cast<uint16_t>(std::min<size_t>(rcv_.buffer.free(), 0xffff));
        rcv_.adv = rcv_.nxt + seg.window;
        seg.mss = config_.mss;
        if (config_.window_scale && (!passive_ || snd_.wscale != 0 || rcv_.wscale != 0)) {
            seg.window_scale = window_scale_for(config_.receive_buffer);
        }
        if (config_.sack && (!passive_ || sack_ok_)) seg.sack_permitted = true;
        if (config_.timestamps && (!passive_ || timestamps_ok_)) {
            seg.timestamps =
                wire::TcpTimestamps{static_cast<uint32_t>(now.ns() / 1'000'000), ts_recent_};
        }
    } else if (flags & ack) {
        seg.window = advertised_window();
        if (timestamps_ok_)
            seg.timestamps =
                wire::TcpTimestamps{static_cast<uint32_t>(now.ns() / 1'000'000), ts_recent_};
        // SACK blocks ride on pure ACKs only, so a data segment's options stay
        // the size send_mss() allows for. A D-SACK goes first (RFC 2883 §4).
        if (sack_ok_ && data_len == 0 && rcv_.dsack) {
            seg.sack_blocks.push_back(*rcv_.dsack);
            rcv_.dsack.reset();
        }
        if (sack_ok_ && !rcv_.out_of_order.empty() && data_len == 0) {
            for (const OutOfOrder::Block& b :
                 rcv_.out_of_order.blocks(wire::tcp::max_sack_blocks)) {
                seg.sack_blocks.push_back({rcv_.nxt + static_cast<uint32_t>(b.begin - rcv_.offset),
                                           rcv_.nxt + static_cast<uint32_t>(b.end - rcv_.offset)});
            }
        }
    }
    if (data_len > 0) {
        // The data straight from the send buffer when it lies in one piece
        // (emit copies it into the frame); a copy only where the ring wraps.
        seg.payload = snd_.buffer.contiguous(data_offset, data_len);
        if (seg.payload.empty()) {
            scratch_.resize(data_len);
            snd_.buffer.copy_out(data_offset, scratch_);
            seg.payload = scratch_;
        }
        last_data_sent_at_ = now;
    }
    ++stats_.segments_sent;
    if (flags & ack) {
        timers_.delayed_ack = base::Time::never();
        rcv_.acked_up_to = rcv_.nxt;
    }
    if (observer_) observer_->segment_sent(now, tuple_, seg, reason);
    emit_(seg);
}

// A pure ACK carries snd_nxt, the highest sequence number sent: a timeout
// resends lost segments from the scoreboard and never winds snd_nxt back, so
// an ACK is never numbered below the peer's rcv_nxt (which would fail its
// acceptability test and be dropped unread).
void Connection::send_ack(Reason reason, base::Time now) {
    send_segment(snd_.nxt, ack, 0, 0, reason, now);
}

void Connection::send_active_reset(base::Time now) {
    wire::TcpRepr seg{.src_port = tuple_.local_port,
                      .dst_port = tuple_.remote_port,
                      .seq = snd_.nxt,
                      .ack = rcv_.nxt,
                      .flags = TcpFlags{static_cast<uint16_t>(rst | ack)}};
    ++stats_.segments_sent;
    if (observer_) observer_->segment_sent(now, tuple_, seg, Reason::rst);
    emit_(seg);
}

void Connection::send_rst(SeqNum seq, base::Time now) {
    wire::TcpRepr seg{.src_port = tuple_.local_port,
                      .dst_port = tuple_.remote_port,
                      .seq = seq,
                      .flags = TcpFlags{rst}};
    ++stats_.segments_sent;
    if (observer_) observer_->segment_sent(now, tuple_, seg, Reason::rst);
    emit_(seg);
}

// Sends what the windows allow: segments judged lost first (RFC 6675 §5,
// NextSeg rule 1), then new data, then the FIN. The congestion window bounds
// the pipe (what is really in the network), the peer's window the sequence
// space beyond snd_una.
void Connection::output(base::Time now) {
    if (state_ != State::established && state_ != State::close_wait &&
        state_ != State::fin_wait_1 && state_ != State::closing && state_ != State::last_ack) {
        return;
    }
    while (SentSegment* lost = scoreboard_.first_lost()) {
        if (scoreboard_.pipe() + lost->space() > congestion_.cwnd()) return;
        resend(*lost, now);
    }
    const uint32_t smss = send_mss();
    const SeqNum sent_before = snd_.nxt;
    bool cwnd_blocked = false;
    while (true) {
        const uint32_t in_flight = flight();
        const uint32_t pipe = scoreboard_.pipe();
        const size_t unsent = unsent_data();
        const uint32_t cwnd_room = congestion_.cwnd() > pipe ? congestion_.cwnd() - pipe : 0;
        const uint32_t peer_room = snd_.wnd > in_flight ? snd_.wnd - in_flight : 0;
        const uint32_t usable = std::min(cwnd_room, peer_room);
        const size_t len = std::min<size_t>({unsent, usable, smss});
        // Sender-side silly window avoidance and Nagle (RFC 9293 §3.8.6.2.1):
        // send a full segment, or everything left when no short segment is
        // unacknowledged (or Nagle is off), or at least half the largest
        // window seen. The short-segment test is Minshall's refinement of
        // Nagle's rule, as Linux's tcp_nagle_check: a write's short tail goes
        // at once behind full segments still in flight; only a second short
        // segment waits. A cork holds back anything short of a full segment,
        // until the FIN or its ceiling.
        const bool corked = config_.cork && now < timers_.cork_flush && !snd_.fin_queued;
        const bool short_in_flight = in_flight > 0 && snd_.sml > snd_.una && snd_.sml <= snd_.nxt;
        const bool worth_it =
            len == smss || (!corked && ((len == unsent && (!short_in_flight || !config_.nagle)) ||
                                        (snd_.max_wnd > 0 && len >= snd_.max_wnd / 2)));
        if (corked && unsent > 0 && usable > 0 && !worth_it && timers_.cork_flush.is_never())
            timers_.cork_flush = now + cork_ceiling;
        if (unsent > 0 && usable > 0 && worth_it) {
            if (!rtt_seq_) {
                rtt_seq_ = snd_.nxt;
                rtt_started_ = now;
            }
            send_new_data(len, true, now);
            if (timers_.retransmit.is_never()) arm_retransmit(now);
            timers_.persist = base::Time::never();
            continue;
        }
        if (unsent == 0 && snd_.fin_queued && !snd_.fin_sent) {
            // The FIN alone; it needs no window.
            if (flight() == 0) progress_at_ = now;  // it waits for an ACK from now
            send_segment(snd_.nxt, fin | ack, 0, 0, Reason::new_data, now);
            scoreboard_.sent(snd_.nxt, 0, true, false, now);
            snd_.nxt += 1;
            snd_.fin_sent = true;
            if (timers_.retransmit.is_never()) arm_retransmit(now);
        }
        // Data waits, nothing is in flight, and the window kept it back (zero,
        // or too small to be worth a segment): the persist timer will probe it.
        if (unsent > 0 && in_flight == 0 && timers_.persist.is_never()) {
            persist_backoff_ = rto_.rto();
            timers_.persist = now + persist_backoff_;
        }
        // Was it cwnd that stopped us (data waiting that the peer's window
        // would take)?
        cwnd_blocked = unsent > 0 && cwnd_room < std::min<size_t>({unsent, peer_room, smss});
        break;
    }
    if (snd_.nxt != sent_before || cwnd_blocked) note_cwnd_usage(cwnd_blocked);
    if (snd_.nxt != sent_before) schedule_loss_probe(now);
    // The ceiling has passed (what the windows allowed went): a new one
    // starts with the next partial segment.
    if (timers_.cork_flush <= now || unsent_data() == 0) timers_.cork_flush = base::Time::never();
}

// Linux's tcp_cwnd_validate: for each window of data, whether cwnd held the
// sender back, else the most it had in flight. Growth needs one or the
// other (cwnd_limited), so a program that writes little never earns a window
// it does not use (RFC 7661's concern).
void Connection::note_cwnd_usage(bool blocked) {
    if (snd_.una >= cwnd_usage_seq_ || blocked || (!cwnd_limited_ && flight() > max_flight_)) {
        cwnd_limited_ = blocked;
        max_flight_ = flight();
        cwnd_usage_seq_ = snd_.nxt;
    }
}

bool Connection::cwnd_limited() const {
    if (cwnd_limited_) return true;
    // In slow start cwnd may grow to twice what was in flight (Linux's
    // tcp_is_cwnd_limited).
    return congestion_.in_slow_start() && congestion_.cwnd() < 2 * max_flight_;
}

void Connection::resend_syn(base::Time now) {
    if (state_ == State::syn_sent) {
        send_segment(snd_.iss, syn, 0, 0, Reason::syn, now);
    } else {
        send_segment(snd_.iss, syn | ack, 0, 0, Reason::syn_ack, now);
    }
    ++stats_.retransmissions;
}

void Connection::reduce_path_mss(uint16_t mss, base::Time now) {
    mss = std::max(mss, min_path_mss);
    if (mss >= snd_.path_mss) return;
    const uint32_t before = send_mss();
    snd_.path_mss = mss;
    ++stats_.path_mtu_reductions;
    if (send_mss() >= before || !synchronized()) return;
    congestion_.set_mss(send_mss());
    // What went out too large was dropped on the way: send it again in
    // pieces that fit, at once and without a reduction of the window (it
    // was no sign of congestion), as Linux's tcp_simple_retransmit.
    if (scoreboard_.resegment(send_mss()) == 0) return;
    rtt_seq_.reset();
    if (!in_recovery_ && !rto_recover_) rto_recover_ = snd_.nxt;
    pmtu_recover_ = snd_.nxt;
    output(now);
}

void Connection::send_again(SentSegment& s, Reason reason, base::Time now) {
    // With the flags it first had (PSH included, as Linux, BSD and lwIP).
    const uint16_t flags = static_cast<uint16_t>(ack | (s.fin ? fin : 0) | (s.psh ? psh : 0));
    send_segment(s.seq, flags, static_cast<size_t>(s.seq - snd_.una), s.len, reason, now);
    scoreboard_.resent(s, now);
    if (in_recovery_) congestion_.on_recovery_sent(s.len);
    ++stats_.retransmissions;
    rtt_seq_.reset();  // Karn: no samples across a retransmission
}

size_t Connection::unsent_data() const {
    // Data bytes sent beyond snd_una (a sent FIN is not data).
    const size_t sent = flight() - (snd_.fin_sent ? 1u : 0u);
    return snd_.buffer.size() > sent ? snd_.buffer.size() - sent : 0;
}

void Connection::send_new_data(size_t len, bool fin_allowed, base::Time now) {
    // With nothing in flight, what goes now waits for an ACK from now on
    // (TCP_USER_TIMEOUT counts from here).
    if (flight() == 0) progress_at_ = now;
    const size_t unsent = unsent_data();
    const size_t offset = snd_.buffer.size() - unsent;
    const bool push = len == unsent;
    const bool with_fin = fin_allowed && snd_.fin_queued && !snd_.fin_sent && push;
    const auto flags = static_cast<uint16_t>(ack | (push ? psh : 0) | (with_fin ? fin : 0));
    send_segment(snd_.nxt, flags, offset, len, Reason::new_data, now);
    if (len < send_mss()) snd_.sml = snd_.nxt + static_cast<uint32_t>(len) + (with_fin ? 1 : 0);
    scoreboard_.sent(snd_.nxt, static_cast<uint32_t>(len), with_fin, push, now);
    if (in_recovery_) congestion_.on_recovery_sent(static_cast<uint32_t>(len));
    count_sent(len, now);
    snd_.nxt += static_cast<uint32_t>(len) + (with_fin ? 1 : 0);
    if (with_fin) snd_.fin_sent = true;
}

void Connection::process_ack(const wire::TcpRepr& seg, base::Time now) {
    if (state_ == State::syn_received) {
        if (!(snd_.una < seg.ack && seg.ack <= snd_.nxt)) {
            send_rst(seg.ack, now);
            return;
        }
        // The handshake's third step; data may ride on it.
        if (retransmissions_ == 0 && handshake_timed_) sample_rtt(now - rtt_started_);  // Karn
        if (retransmissions_ > 0) rto_.handshake_fallback();
        snd_.wnd = static_cast<uint32_t>(seg.window) << snd_.wscale;
        snd_.max_wnd = std::max(snd_.max_wnd, snd_.wnd);
        snd_.wl1 = seg.seq;
        snd_.wl2 = seg.ack;
        snd_.una = seg.ack;
        timers_.retransmit = base::Time::never();
        retransmissions_ = 0;
        set_state(State::established, now);
        // Closed before the handshake finished: the FIN goes now.
        if (snd_.fin_queued) set_state(State::fin_wait_1, now);
        if (config_.keepalive) timers_.keepalive = now + config_.keepalive->idle;
        // Fall through: the same ACK may carry data and a FIN.
    }

    // The receiver took a window probe's octet: it counts as sent.
    if (probe_seq_ && seg.ack == *probe_seq_ + 1 && snd_.nxt == *probe_seq_) {
        snd_.nxt += 1;
        count_sent(1, now);
        if (timers_.retransmit.is_never()) arm_retransmit(now);
    }
    probe_seq_.reset();

    if (seg.ack > snd_.nxt) {
        // ACK for something never sent.
        send_ack(Reason::ack, now);
        return;
    }

    // Window update (RFC 9293 §3.10.7.4, fifth check).
    const uint32_t window = static_cast<uint32_t>(seg.window) << snd_.wscale;
    const bool newer = snd_.wl1 < seg.seq || (snd_.wl1 == seg.seq && snd_.wl2 <= seg.ack);
    const bool window_changed = newer && window != snd_.wnd;

    const bool advanced = seg.ack > snd_.una;
    std::optional<base::Duration> rtt;  // the sample this ACK gives
    const SeqNum una_before = snd_.una;
    const uint32_t sacked_before = scoreboard_.sacked_bytes();
    const bool duplicate = !advanced && seg.ack == snd_.una && seg.payload.empty() &&
                           !seg.flags.has(fin) && flight() > 0 && !window_changed;
    if (advanced) {
        uint32_t acked = seg.ack - snd_.una;
        // A FIN we sent is acknowledged along with the data before it.
        if (snd_.fin_sent && seg.ack == snd_.nxt && !snd_.fin_acked) {
            snd_.fin_acked = true;
            acked -= 1;
        }
        const uint32_t data_acked =
            std::min<uint32_t>(acked, static_cast<uint32_t>(snd_.buffer.size()));
        snd_.buffer.pop(data_acked);
        // An RTT sample: from the echoed timestamp when timestamps are on
        // (RFC 7323 §4: valid even for a retransmitted segment, so RTO
        // recovers after back-off), else from the one segment being timed
        // (Karn's rule: never a retransmitted one).
        const uint32_t now_ms = static_cast<uint32_t>(now.ns() / 1'000'000);
        if (timestamps_ok_ && seg.timestamps && seg.timestamps->echo_reply != 0 &&
            static_cast<int32_t>(now_ms - seg.timestamps->echo_reply) >= 0) {
            rtt = base::Duration::milliseconds(now_ms - seg.timestamps->echo_reply);
        } else if (rtt_seq_ && seg.ack > *rtt_seq_) {
            rtt = now - rtt_started_;
        }
        if (rtt) {
            sample_rtt(*rtt);
            rtt_seq_.reset();
        }
        check_spurious(seg, now);
    }
    AckOutcome outcome;
    if (advanced || duplicate || !seg.sack_blocks.empty()) {
        std::optional<uint32_t> echo;
        if (timestamps_ok_ && seg.timestamps) echo = seg.timestamps->echo_reply;
        outcome = scoreboard_.on_ack(
            seg.ack, sack_ok_ ? seg.sack_blocks.blocks() : std::span<const wire::TcpSackBlock>{},
            echo, now);
    }
    if (advanced) {
        const SeqNum previous_una = snd_.una;
        snd_.una = seg.ack;
        retransmissions_ = 0;
        progress_at_ = now;
        if (rto_recover_ && seg.ack >= *rto_recover_) rto_recover_.reset();
        if (pmtu_recover_ && seg.ack >= *pmtu_recover_) pmtu_recover_.reset();
        if (in_recovery_) {
            if (seg.ack >= recover_) {
                in_recovery_ = false;
                congestion_.exit_recovery(flight(), sack_ok_);
            } else if (!sack_ok_) {
                congestion_.on_partial_ack(seg.ack - previous_una);
                // NewReno: the next hole is lost too; resend it at once.
                scoreboard_.mark_first_lost();
                if (SentSegment* lost = scoreboard_.first_lost()) resend(*lost, now);
            }
        } else if (cwnd_limited()) {
            congestion_.on_ack(AckSample{.acked = static_cast<uint32_t>(seg.ack - previous_una),
                                         .snd_una = snd_.una,
                                         .snd_nxt = snd_.nxt,
                                         .rtt = rtt,
                                         .min_rtt = scoreboard_.min_rtt(),
                                         .now = now});
        }
        duplicate_acks_ = 0;
        report_window(now);
        // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
        if (snd_.una == snd_.nxt) {
            timers_.retransmit = base::Time::never();
        } else {
            arm_retransmit(now);
        }
    } else if (duplicate) {
        // A duplicate ACK: the receiver asks again for what it misses.
        ++stats_.duplicate_acks_received;
        ++duplicate_acks_;
        if (!sack_ok_) {
            if (in_recovery_) {
                congestion_.on_duplicate_in_recovery();
            } else if (duplicate_acks_ == 3 && !rto_recover_) {
                // Fast retransmit ("send again from packet 2"), then NewReno recovery.
                scoreboard_.mark_first_lost();
                enter_recovery(now);
            }
        }
    }
    check_loss_probe(seg, advanced, outcome.dsack, now);
    detect_losses(now);
    if (in_recovery_ && sack_ok_) {
        // PRR paces the recovery by what this ACK delivered, cumulatively or
        // by SACK (RFC 6937 §3: DeliveredData); an ACK that began the
        // recovery counts too.
        const int64_t delivered = static_cast<int64_t>(advanced ? seg.ack - una_before : 0) +
                                  static_cast<int64_t>(scoreboard_.sacked_bytes()) -
                                  static_cast<int64_t>(sacked_before);
        const uint32_t cwnd_before = congestion_.cwnd();
        congestion_.on_recovery_ack(static_cast<uint32_t>(std::max<int64_t>(delivered, 0)),
                                    scoreboard_.pipe());
        if (congestion_.cwnd() != cwnd_before) report_window(now);
    }
    if (advanced) schedule_loss_probe(now);
    if (newer) {
        snd_.wnd = window;
        snd_.max_wnd = std::max(snd_.max_wnd, snd_.wnd);
        snd_.wl1 = seg.seq;
        snd_.wl2 = seg.ack;
        if (snd_.wnd > 0) {
            timers_.persist = base::Time::never();
            zero_window_since_ = base::Time::never();
        }
    }

    // Our FIN acknowledged moves the closing states on.
    if (snd_.fin_acked) {
        switch (state_) {
            case State::fin_wait_1:
                set_state(State::fin_wait_2, now);
                break;
            case State::closing:
                set_state(State::time_wait, now);
                break;
            case State::last_ack:
                set_state(State::closed, now);
                break;
            default:
                break;
        }
    }
}

void Connection::sample_rtt(base::Duration rtt) {
    rto_.sample(rtt);
    stats_.add_rtt_sample(rtt);
}

void Connection::count_sent(size_t bytes, base::Time now) {
    if (bytes > 0 && stats_.bytes_sent == 0) stats_.first_data_sent = now;
    stats_.bytes_sent += bytes;
}

}  // namespace tcp
