// The connection's life: opening (RFC 9293 §3.5), the program's side
// (send, receive, close, options), ICMP errors. The rest of the control
// block's work is by job: input.cpp (the checks of RFC 9293 §3.10.7),
// sender.cpp, receiver.cpp, recovery.cpp (loss recovery), timers.cpp.
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

uint8_t window_scale_for(size_t buffer) {
    uint8_t shift = 0;
    while (shift < max_window_shift && (buffer >> shift) > 0xffff)
        ++shift;
    return shift;
}

wire::TcpRepr stateless_syn_ack(const Config& config, const wire::TcpRepr& request, SeqNum iss,
                                std::optional<uint32_t> tsval) {
    wire::TcpRepr seg{
        .src_port = request.dst_port,
        .dst_port = request.src_port,
        .seq = iss,
        .ack = request.seq + 1,
        .flags = TcpFlags{static_cast<uint16_t>(TcpFlags::syn | ack)},
        .window = static_cast<uint16_t>(std::min<size_t>(config.receive_buffer, 0xffff)),
        .mss = config.mss};
    // The options only a timestamp can remember (see stack/syn_cookie.hpp).
    if (tsval && request.timestamps && config.timestamps) {
        seg.timestamps = wire::TcpTimestamps{*tsval, request.timestamps->value};
        if (request.window_scale && config.window_scale)
            seg.window_scale = window_scale_for(config.receive_buffer);
        if (request.sack_permitted && config.sack) seg.sack_permitted = true;
    }
    return seg;
}

Connection::Connection(Config config, Tuple tuple, Emit emit, Observer* observer)
    : config_(config),
      tuple_(tuple),
      emit_(std::move(emit)),
      observer_(observer),
      snd_{.buffer = ByteRing(config.send_buffer)},
      rcv_{.buffer = ByteRing(config.receive_buffer),
           .out_of_order = OutOfOrder(config.receive_buffer)},
      rto_(config.rto),
      congestion_(config.congestion, config.mss) {}

bool Connection::synchronized() const {
    return state_ != State::closed && state_ != State::listen && state_ != State::syn_sent &&
           state_ != State::syn_received;
}

size_t Connection::send_space() const {
    if (snd_.fin_queued || error_ || state_ == State::closed) return 0;
    return snd_.buffer.free();
}

int64_t Connection::stream_offset(SeqNum seq) const {
    return static_cast<int64_t>(rcv_.offset) + (seq - rcv_.nxt);
}

void Connection::set_state(State s, base::Time now) {
    if (s == state_) return;
    const State from = state_;
    state_ = s;
    if (observer_) observer_->state_changed(now, tuple_, from, s);
    if (s == State::time_wait) {
        timers_.time_wait_until = now + config_.msl * 2;
        timers_.retransmit = timers_.persist = timers_.reorder = timers_.keepalive =
            timers_.loss_probe = base::Time::never();
    }
    if (s == State::closed) {
        timers_.retransmit = timers_.persist = timers_.reorder = timers_.delayed_ack =
            timers_.time_wait_until = timers_.loss_probe = timers_.keepalive = timers_.cork_flush =
                base::Time::never();
    }
}

void Connection::fail(Error e, base::Time now) {
    if (!error_) error_ = e;
    set_state(State::closed, now);
}

void Connection::connect(SeqNum iss, base::Time now) {
    snd_.iss = snd_.una = snd_.sml = iss;
    snd_.nxt = iss + 1;  // the SYN takes one sequence number
    rcv_.wscale = config_.window_scale ? window_scale_for(config_.receive_buffer) : 0;
    rtt_started_ = opened_at_ = now;
    stats_.active_open = true;
    set_state(State::syn_sent, now);
    send_segment(snd_.iss, syn, 0, 0, Reason::syn, now);
    arm_retransmit(now);
}

void Connection::accept(const wire::TcpRepr& seg, SeqNum iss, base::Time now) {
    open_passive(seg, iss, now);
    send_segment(snd_.iss, syn | ack, 0, 0, Reason::syn_ack, now);
    arm_retransmit(now);
}

void Connection::accept_cookie(const wire::TcpRepr& recalled, SeqNum iss,
                               const wire::TcpRepr& ack_seg, base::Time now) {
    open_passive(recalled, iss, now);
    // When the SYN-ACK left is unknown: no handshake RTT sample.
    handshake_timed_ = false;
    rcv_.adv = rcv_.nxt + static_cast<uint32_t>(std::min<size_t>(rcv_.buffer.free(), 0xffff));
    process(ack_seg, now);
}

void Connection::open_passive(const wire::TcpRepr& seg, SeqNum iss, base::Time now) {
    passive_ = true;
    rcv_.irs = seg.seq;
    rcv_.nxt = seg.seq + 1;
    take_options(seg, now);
    snd_.wnd = seg.window;  // windows in a SYN are never scaled
    snd_.max_wnd = snd_.wnd;
    snd_.wl1 = seg.seq;
    snd_.wl2 = iss;
    snd_.iss = snd_.una = snd_.sml = iss;
    snd_.nxt = iss + 1;
    last_heard_ = now;
    rtt_started_ = now;
    set_state(State::syn_received, now);
}

void Connection::take_options(const wire::TcpRepr& seg, base::Time now) {
    if (seg.mss) snd_.peer_mss = std::max<uint16_t>(*seg.mss, 64);
    // Window scaling, SACK and timestamps hold only if both sides offered them.
    if (seg.window_scale && config_.window_scale) {
        snd_.wscale = std::min(*seg.window_scale, max_window_shift);
        rcv_.wscale = window_scale_for(config_.receive_buffer);
    } else {
        snd_.wscale = rcv_.wscale = 0;
    }
    sack_ok_ = seg.sack_permitted && config_.sack;
    timestamps_ok_ = seg.timestamps.has_value() && config_.timestamps;
    if (timestamps_ok_) {
        ts_recent_ = seg.timestamps->value;
        ts_recent_at_ = now;
    }
    // Our segments carry at most what the peer takes and we can carry.
    congestion_ = Congestion(congestion_.algorithm(), send_mss());
}

size_t Connection::send(base::ByteSpan data, base::Time now) {
    if (send_space() == 0) return 0;
    if (state_ != State::established && state_ != State::close_wait && state_ != State::syn_sent &&
        state_ != State::syn_received) {
        return 0;
    }
    // Slow-start restart (RFC 5681 §4.1): after more than an RTO with
    // nothing in flight the network may have changed, and a whole old window
    // sent at once would be a burst it never agreed to.
    if (synchronized() && flight() == 0 && stats_.bytes_sent > 0 &&
        now - last_data_sent_at_ > rto_.rto()) {
        const int64_t idle = (now - last_data_sent_at_).ns();
        const int64_t rto = rto_.rto().ns();
        congestion_.restart_after_idle(static_cast<uint32_t>((idle + rto - 1) / rto - 1));
        report_window(now);
    }
    const size_t n = snd_.buffer.push(data);
    output(now);
    return n;
}

size_t Connection::consume(size_t max, std::byte* out, base::Time now) {
    const size_t n = std::min(max, rcv_.buffer.size());
    if (n == 0) return 0;
    const uint32_t window_before =
        rcv_.adv > rcv_.nxt ? static_cast<uint32_t>(rcv_.adv - rcv_.nxt) : 0;
    if (out) rcv_.buffer.copy_out(0, {out, n});
    rcv_.buffer.pop(n);
    // More room: pull in out-of-order data that now fits, and tell the peer
    // when the window opens by a worthwhile amount (a window update). As in
    // Linux, only once the advertised window had fallen to half the buffer:
    // a reader that keeps up is acknowledged by the data's own ACKs, and an
    // update for every read would double the segments of a bulk transfer.
    deliver_in_order(now);
    const uint32_t threshold =
        std::min<uint32_t>(config_.mss, static_cast<uint32_t>(config_.receive_buffer / 2));
    const bool window_was_low = window_before <= config_.receive_buffer / 2;
    if (synchronized() && window_was_low && rcv_.buffer.free() >= window_before + threshold &&
        state_ != State::time_wait && state_ != State::closed) {
        send_ack(Reason::ack, now);
    }
    if (rcv_.fin_offset && !rcv_.fin_received && *rcv_.fin_offset == rcv_.offset) process_fin(now);
    return n;
}

void Connection::shutdown(base::Time now) {
    if (snd_.fin_queued) return;
    switch (state_) {
        case State::syn_sent:
        case State::listen:
            set_state(State::closed, now);
            return;
        case State::syn_received:
        case State::established:
            snd_.fin_queued = true;
            if (state_ == State::established) set_state(State::fin_wait_1, now);
            break;
        case State::close_wait:
            snd_.fin_queued = true;
            set_state(State::last_ack, now);
            break;
        default:
            return;
    }
    output(now);
}

void Connection::close(base::Time now) {
    released_ = true;
    // SO_LINGER with a zero time: the program asks for a reset, not a close.
    if (config_.linger && *config_.linger == base::Duration::zero()) {
        abort(now);
        return;
    }
    // Data received and never read is lost: RST, not FIN, so that the peer
    // knows (RFC 1122 §4.2.2.13, RFC 2525 §2.17; Linux does the same).
    if (!rcv_.buffer.empty() && state_ != State::closed && state_ != State::time_wait) {
        send_active_reset(now);
        fail(Error::aborted, now);
        return;
    }
    shutdown(now);
}

void Connection::abort(base::Time now) {
    if (state_ != State::closed && state_ != State::listen && state_ != State::syn_sent &&
        state_ != State::time_wait) {
        send_active_reset(now);
    }
    fail(Error::aborted, now);
}

bool Connection::icmp_packet_too_big(uint16_t mss, SeqNum quoted, base::Time now) {
    if (state_ == State::closed || state_ == State::listen || state_ == State::time_wait)
        return false;
    if (quoted < snd_.una || quoted >= snd_.nxt) return false;  // not in flight: forged or stale
    reduce_path_mss(mss, now);
    return true;
}

void Connection::icmp_unreachable(Error e, SeqNum quoted, base::Time now) {
    if (state_ == State::closed || state_ == State::listen || state_ == State::time_wait) return;
    if (quoted < snd_.una || quoted >= snd_.nxt) return;  // not in flight: forged or stale
    if (state_ == State::syn_sent) return fail(e, now);
    soft_error_ = e;
}

bool Connection::set_options(const Options& o, base::Time now) {
    if (o.changes_handshake() && state_ != State::closed) return false;
    const Config before = config_;
    o.apply(config_);
    if (o.send_buffer) snd_.buffer.set_capacity(config_.send_buffer);
    if (o.receive_buffer) {
        rcv_.buffer = ByteRing(config_.receive_buffer);
        rcv_.out_of_order = OutOfOrder(config_.receive_buffer);
    }
    if (o.keepalive || o.keepalive_off) {
        keepalives_unanswered_ = 0;
        // Idle time counts from the last segment heard, as in Linux.
        const bool live = synchronized() && state_ != State::time_wait && state_ != State::closed;
        timers_.keepalive = config_.keepalive && live
                                ? std::max(last_heard_ + config_.keepalive->idle, now)
                                : base::Time::never();
    }
    if (config_.congestion != before.congestion) {
        congestion_.set_algorithm(config_.congestion);
        report_window(now);
    }
    if (!config_.cork) timers_.cork_flush = base::Time::never();
    // What Nagle or the cork held back goes now.
    const bool released = (before.nagle && !config_.nagle) || (before.cork && !config_.cork);
    if (released && synchronized()) output(now);
    return true;
}

size_t Connection::peek(base::MutableByteSpan out) const {
    const size_t n = std::min(out.size(), rcv_.buffer.size());
    rcv_.buffer.copy_out(0, out.first(n));
    return n;
}

Info Connection::info(base::Time now) const {
    Info i{.state = state_,
           .congestion = congestion_.algorithm(),
           .in_recovery = in_recovery_ || rto_recover_.has_value(),
           .sack = sack_ok_,
           .timestamps = timestamps_ok_,
           .send_window_scale = snd_.wscale,
           .receive_window_scale = rcv_.wscale,
           .send_mss = send_mss(),
           .receive_mss = rcv_.mss,
           .rtt = rto_.srtt(),
           .rtt_variance = rto_.rttvar(),
           .min_rtt = scoreboard_.min_rtt(),
           .rto = rto_.rto(),
           .backoffs = rto_.backoffs(),
           .retransmits = retransmissions_,
           .cwnd = congestion_.cwnd(),
           .ssthresh = congestion_.ssthresh(),
           .unacked = flight(),
           .sacked = scoreboard_.sacked_bytes(),
           .lost = scoreboard_.lost_bytes(),
           .send_window = snd_.wnd,
           .receive_window = rcv_.adv > rcv_.nxt ? static_cast<uint32_t>(rcv_.adv - rcv_.nxt) : 0,
           .send_queue = snd_.buffer.size(),
           .receive_queue = rcv_.buffer.size(),
           // Data sent less what is sent and still unacknowledged.
           .bytes_acked = stats_.bytes_sent - (snd_.buffer.size() - unsent_data()),
           .bytes_received = stats_.bytes_received,
           .segments_sent = stats_.segments_sent,
           .segments_received = stats_.segments_received,
           .total_retransmissions = stats_.retransmissions,
           .since_data_sent = std::nullopt,
           .since_data_received = std::nullopt};
    if (stats_.bytes_sent > 0) i.since_data_sent = now - last_data_sent_at_;
    if (rcv_.data_received) i.since_data_received = now - rcv_.last_data_at;
    return i;
}

}  // namespace tcp
