// Timers: retransmission (RFC 6298, with black-hole detection), delayed
// ACK, persist, keep-alive, the tail loss probe's, TIME-WAIT, TCP_CORK's
// ceiling, TCP_USER_TIMEOUT.
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

void Connection::arm_retransmit(base::Time now) {
    timers_.retransmit = now + rto_.rto();
    // A connect ends when its time is up, not at the next backed-off SYN;
    // so does a user timeout (as Linux's tcp_clamp_rto_to_user_timeout).
    if (state_ == State::syn_sent) {
        const base::Duration limit = config_.user_timeout > base::Duration::zero()
                                         ? config_.user_timeout
                                         : config_.connect_timeout;
        timers_.retransmit = std::min(timers_.retransmit, opened_at_ + limit);
    } else if (config_.user_timeout > base::Duration::zero()) {
        timers_.retransmit =
            std::min(timers_.retransmit, std::max(progress_at_ + config_.user_timeout, now));
    }
}

bool Connection::user_timeout_expired(base::Time since, base::Time now) const {
    return config_.user_timeout > base::Duration::zero() && now - since >= config_.user_timeout;
}

base::Time Connection::next_deadline() const {
    return std::min({timers_.retransmit, timers_.persist, timers_.reorder, timers_.delayed_ack,
                     timers_.time_wait_until, timers_.keepalive, timers_.loss_probe,
                     timers_.cork_flush});
}

void Connection::poll(base::Time now) {
    if (now >= timers_.time_wait_until) {
        set_state(State::closed, now);
        return;
    }
    if (now >= timers_.delayed_ack) send_ack(Reason::delayed_ack, now);
    if (now >= timers_.loss_probe) {
        timers_.loss_probe = base::Time::never();
        send_loss_probe(now);
    }
    if (now >= timers_.retransmit) {
        ++stats_.timeouts;
        const int limit = state_ == State::syn_received ? config_.max_syn_retransmissions
                                                        : config_.max_retransmissions;
        // TCP_USER_TIMEOUT, when set, replaces both limits (as in Linux).
        bool give_up;
        if (state_ == State::syn_sent) {
            give_up = config_.user_timeout > base::Duration::zero()
                          ? user_timeout_expired(opened_at_, now)
                          : now - opened_at_ >= config_.connect_timeout;
        } else if (config_.user_timeout > base::Duration::zero() && synchronized()) {
            give_up = user_timeout_expired(progress_at_, now);
        } else {
            give_up = retransmissions_ >= limit;
        }
        if (give_up) {
            // The connection is deleted without a word (RFC 9293 §3.10.8,
            // and Linux's tcp_write_err): a peer that stopped answering is
            // unlikely to hear a RST either.
            fail(soft_error_.value_or(Error::timed_out), now);
            return;
        }
        ++retransmissions_;
        rto_.back_off();
        if (synchronized()) {
            // Everything not SACKed is presumed lost ("send again from packet
            // 2"): the first segment now, the rest as the collapsed window
            // opens again in slow start.
            if (!undo_) {
                undo_ = Undo{.cwnd = congestion_.cwnd(),
                             .ssthresh = congestion_.ssthresh(),
                             .resent_ts = std::nullopt,
                             .resent_seq = snd_.una};
            }
            undo_->resent_ts.reset();
            pmtu_recover_.reset();
            // Black-hole detection (RFC 4821 §7.7, as Linux's tcp_mtu_probing
            // after tcp_retries1 = 3 timeouts): large segments that time out
            // again and again may be dropped by a router whose "fragmentation
            // needed" never comes back. Try smaller ones: 1024 bytes first
            // (Linux's tcp_base_mss), then halve, down to 536.
            const SentSegment* head = scoreboard_.first();
            if (config_.mtu_probing && retransmissions_ >= 3 && head && head->len > min_path_mss) {
                const uint16_t smaller = stats_.black_holes == 0
                                             ? std::min<uint16_t>(snd_.path_mss, black_hole_mss)
                                             : static_cast<uint16_t>(std::max<uint32_t>(
                                                   snd_.path_mss / 2, min_path_mss));
                if (smaller < snd_.path_mss) {
                    ++stats_.black_holes;
                    snd_.path_mss = smaller;
                    congestion_.set_mss(send_mss());
                    scoreboard_.resegment(send_mss());
                }
            }
            // A timeout while the last one's data is still being resent is
            // a back-off of the same episode (RFC 5681 §3.1).
            congestion_.on_timeout(flight(), rto_recover_.has_value());
            report_window(now);
            timers_.loss_probe = base::Time::never();
            tlp_high_seq_.reset();
            in_recovery_ = false;
            duplicate_acks_ = 0;
            rto_recover_ = snd_.nxt;
            scoreboard_.mark_all_lost();
            if (SentSegment* lost = scoreboard_.first_lost()) resend(*lost, now);
        } else {
            resend_syn(now);
        }
        arm_retransmit(now);
    }
    if (now >= timers_.reorder) {
        timers_.reorder = base::Time::never();
        detect_losses(now);
    }
    if (now >= timers_.persist) {
        timers_.persist = base::Time::never();
        const size_t unsent = unsent_data();
        if (unsent > 0 && flight() == 0) {
            if (snd_.wnd == 0) {
                // TCP_USER_TIMEOUT bounds how long a window may stay shut
                // too (Linux's tcp_probe_timer): counted from the first probe.
                if (zero_window_since_.is_never()) zero_window_since_ = now;
                if (user_timeout_expired(zero_window_since_, now)) {
                    fail(Error::timed_out, now);  // without a RST, as above
                    return;
                }
                // A window probe: one octet of new data beyond the closed window
                // (RFC 9293 §3.8.6.1). It does not advance snd_nxt unless the
                // receiver takes it (see process_ack).
                ++stats_.window_probes;
                probe_seq_ = snd_.nxt;
                send_segment(snd_.nxt, ack, 0, 1, Reason::window_probe, now);
                persist_backoff_ = std::min(persist_backoff_ * 2, config_.persist_max);
                timers_.persist = now + persist_backoff_;
            } else {
                // A small window held the data back (silly window avoidance):
                // the override timer has run out, so send what fits.
                send_new_data(std::min<size_t>({unsent, snd_.wnd, send_mss()}), false, now);
                if (timers_.retransmit.is_never()) arm_retransmit(now);
            }
        }
    }
    if (now >= timers_.keepalive) {
        // With a user timeout, the peer's silence ends it rather than a count.
        const bool silent_too_long =
            config_.user_timeout > base::Duration::zero()
                ? keepalives_unanswered_ > 0 && user_timeout_expired(last_heard_, now)
                : keepalives_unanswered_ >= config_.keepalive->probes;
        if (silent_too_long) {
            send_active_reset(now);  // as Linux's tcp_keepalive_timer
            fail(soft_error_.value_or(Error::timed_out), now);
            return;
        }
        ++keepalives_unanswered_;
        // A keep-alive: an old sequence number, so the peer must ACK.
        send_segment(snd_.una - 1, ack, 0, 0, Reason::keepalive, now);
        timers_.keepalive = now + config_.keepalive->interval;
    }
    output(now);
}

}  // namespace tcp
