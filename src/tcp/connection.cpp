#include "tcp/connection.hpp"

#include <algorithm>
#include <cassert>

namespace tcp {
namespace {

using wire::TcpFlags;

constexpr uint16_t syn = TcpFlags::syn;
constexpr uint16_t ack = TcpFlags::ack;
constexpr uint16_t fin = TcpFlags::fin;
constexpr uint16_t rst = TcpFlags::rst;
constexpr uint16_t psh = TcpFlags::psh;
constexpr uint8_t max_window_shift = 14;  // RFC 7323 §2.3

}  // namespace

uint8_t window_scale_for(size_t buffer) {
    uint8_t shift = 0;
    while (shift < max_window_shift && (buffer >> shift) > 0xffff)
        ++shift;
    return shift;
}

wire::TcpRepr stateless_syn_ack(const Config& config, const wire::TcpRepr& syn, SeqNum iss,
                                std::optional<uint32_t> tsval) {
    wire::TcpRepr seg{
        .src_port = syn.dst_port,
        .dst_port = syn.src_port,
        .seq = iss,
        .ack = syn.seq + 1,
        .flags = TcpFlags{static_cast<uint16_t>(TcpFlags::syn | ack)},
        .window = static_cast<uint16_t>(std::min<size_t>(config.receive_buffer, 0xffff)),
        .mss = config.mss};
    // The options only a timestamp can remember (see stack/syn_cookie.hpp).
    if (tsval && syn.timestamps && config.timestamps) {
        seg.timestamps = wire::TcpTimestamps{*tsval, syn.timestamps->value};
        if (syn.window_scale && config.window_scale)
            seg.window_scale = window_scale_for(config.receive_buffer);
        if (syn.sack_permitted && config.sack) seg.sack_permitted = true;
    }
    return seg;
}

std::string_view to_string(State s) {
    switch (s) {
        case State::closed:
            return "CLOSED";
        case State::listen:
            return "LISTEN";
        case State::syn_sent:
            return "SYN-SENT";
        case State::syn_received:
            return "SYN-RECEIVED";
        case State::established:
            return "ESTABLISHED";
        case State::fin_wait_1:
            return "FIN-WAIT-1";
        case State::fin_wait_2:
            return "FIN-WAIT-2";
        case State::close_wait:
            return "CLOSE-WAIT";
        case State::closing:
            return "CLOSING";
        case State::last_ack:
            return "LAST-ACK";
        case State::time_wait:
            return "TIME-WAIT";
    }
    return "?";
}

std::string_view to_string(Error e) {
    switch (e) {
        case Error::refused:
            return "connection refused";
        case Error::reset:
            return "connection reset by peer";
        case Error::timed_out:
            return "connection timed out";
        case Error::aborted:
            return "connection aborted";
        case Error::host_unreachable:
            return "no route to host";
        case Error::network_unreachable:
            return "network is unreachable";
    }
    return "?";
}

std::string_view to_string(Reason r) {
    switch (r) {
        case Reason::syn:
            return "SYN";
        case Reason::syn_ack:
            return "SYN+ACK";
        case Reason::new_data:
            return "new data";
        case Reason::ack:
            return "ACK";
        case Reason::delayed_ack:
            return "delayed ACK";
        case Reason::duplicate_ack:
            return "duplicate ACK";
        case Reason::retransmission_rto:
            return "retransmission after RTO";
        case Reason::fast_retransmit:
            return "fast retransmit";
        case Reason::loss_probe:
            return "tail loss probe";
        case Reason::path_mtu:
            return "path MTU";
        case Reason::window_probe:
            return "window probe";
        case Reason::keepalive:
            return "keep-alive";
        case Reason::challenge_ack:
            return "challenge ACK";
        case Reason::rst:
            return "RST";
        case Reason::in_order:
            return "in order";
        case Reason::out_of_order:
            return "out of order";
        case Reason::duplicate:
            return "duplicate";
        case Reason::outside_window:
            return "outside the window";
        case Reason::old_timestamp:
            return "old timestamp";
        case Reason::old_ack:
            return "ACK too old";
        case Reason::after_close:
            return "data after close";
    }
    return "?";
}

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

Connection::Connection(Config config, Tuple tuple, Emit emit, Observer* observer)
    : config_(config),
      tuple_(tuple),
      emit_(std::move(emit)),
      observer_(observer),
      send_buffer_(config.send_buffer),
      receive_buffer_(config.receive_buffer),
      out_of_order_(config.receive_buffer),
      rto_(config.rto),
      congestion_(config.congestion, config.mss) {}

bool Connection::synchronized() const {
    return state_ != State::closed && state_ != State::listen && state_ != State::syn_sent &&
           state_ != State::syn_received;
}

size_t Connection::send_space() const {
    if (fin_queued_ || error_ || state_ == State::closed) return 0;
    return send_buffer_.free();
}

int64_t Connection::stream_offset(SeqNum seq) const {
    return static_cast<int64_t>(rcv_offset_) + (seq - rcv_nxt_);
}

void Connection::set_state(State s, base::Time now) {
    if (s == state_) return;
    const State from = state_;
    state_ = s;
    if (observer_) observer_->state_changed(now, tuple_, from, s);
    if (s == State::time_wait) {
        time_wait_until_ = now + config_.msl * 2;
        retransmit_at_ = persist_at_ = reorder_at_ = keepalive_at_ = probe_at_ =
            base::Time::never();
    }
    if (s == State::closed) {
        retransmit_at_ = persist_at_ = reorder_at_ = delayed_ack_at_ = time_wait_until_ =
            probe_at_ = keepalive_at_ = cork_flush_at_ = base::Time::never();
    }
}

void Connection::fail(Error e, base::Time now) {
    if (!error_) error_ = e;
    set_state(State::closed, now);
}

// ---- opening ---------------------------------------------------------------

void Connection::connect(SeqNum iss, base::Time now) {
    iss_ = snd_una_ = iss;
    snd_nxt_ = iss + 1;  // the SYN takes one sequence number
    rcv_wscale_ = config_.window_scale ? window_scale_for(config_.receive_buffer) : 0;
    rtt_started_ = opened_at_ = now;
    stats_.active_open = true;
    set_state(State::syn_sent, now);
    send_segment(iss_, syn, 0, 0, Reason::syn, now);
    arm_retransmit(now);
}

void Connection::accept(const wire::TcpRepr& seg, SeqNum iss, base::Time now) {
    open_passive(seg, iss, now);
    send_segment(iss_, syn | ack, 0, 0, Reason::syn_ack, now);
    arm_retransmit(now);
}

void Connection::accept_cookie(const wire::TcpRepr& syn, SeqNum iss, const wire::TcpRepr& ack_seg,
                               base::Time now) {
    open_passive(syn, iss, now);
    // When the SYN-ACK left is unknown: no handshake RTT sample.
    handshake_timed_ = false;
    rcv_adv_ = rcv_nxt_ + static_cast<uint32_t>(std::min<size_t>(receive_buffer_.free(), 0xffff));
    process(ack_seg, now);
}

void Connection::open_passive(const wire::TcpRepr& seg, SeqNum iss, base::Time now) {
    passive_ = true;
    irs_ = seg.seq;
    rcv_nxt_ = seg.seq + 1;
    take_options(seg, now);
    snd_wnd_ = seg.window;  // windows in a SYN are never scaled
    max_snd_wnd_ = snd_wnd_;
    snd_wl1_ = seg.seq;
    snd_wl2_ = iss;
    iss_ = snd_una_ = iss;
    snd_nxt_ = iss + 1;
    last_heard_ = now;
    rtt_started_ = now;
    set_state(State::syn_received, now);
}

void Connection::take_options(const wire::TcpRepr& seg, base::Time now) {
    if (seg.mss) peer_mss_ = std::max<uint16_t>(*seg.mss, 64);
    // Window scaling, SACK and timestamps hold only if both sides offered them.
    if (seg.window_scale && config_.window_scale) {
        snd_wscale_ = std::min(*seg.window_scale, max_window_shift);
        rcv_wscale_ = window_scale_for(config_.receive_buffer);
    } else {
        snd_wscale_ = rcv_wscale_ = 0;
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

// ---- output ----------------------------------------------------------------

uint32_t Connection::send_mss() const {
    // MSS counts data only; options in every segment come out of it (RFC 6691),
    // or segments would not fit the MTU and IP would fragment them.
    const uint32_t mss = std::min({peer_mss_, config_.mss, path_mss_});
    const uint32_t options = timestamps_ok_ ? 12 : 0;
    return mss > options + 64 ? mss - options : mss;
}

uint16_t Connection::advertised_window() {
    // RFC 9293 §3.8.6.2.2: offer more only when it grows by a full segment or
    // half the buffer (receiver-side silly window avoidance), and never take
    // back what was offered.
    const uint32_t free = static_cast<uint32_t>(receive_buffer_.free());
    const uint32_t offered = rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
    uint32_t window = offered;
    if (free >= offered + std::min<uint32_t>(config_.mss,
                                             static_cast<uint32_t>(config_.receive_buffer / 2)) ||
        free == receive_buffer_.capacity()) {
        window = free;
    }
    window = std::max(window, offered);
    const uint32_t scaled = std::min<uint32_t>(window >> rcv_wscale_, 0xffff);
    rcv_adv_ = wire::max(rcv_adv_, rcv_nxt_ + (scaled << rcv_wscale_));
    return static_cast<uint16_t>(scaled);
}

void Connection::send_segment(SeqNum seq, uint16_t flags, size_t data_offset, size_t data_len,
                              Reason reason, base::Time now) {
    wire::TcpRepr seg{.src_port = tuple_.local_port,
                      .dst_port = tuple_.remote_port,
                      .seq = seq,
                      .ack = (flags & ack) ? rcv_nxt_ : SeqNum{0},
                      .flags = TcpFlags{flags}};
    const bool opening = (flags & syn) != 0;
    if (opening) {
        // Windows in SYNs are not scaled (RFC 7323 §2.2).
        seg.window = static_cast<uint16_t>(std::min<size_t>(receive_buffer_.free(), 0xffff));
        rcv_adv_ = rcv_nxt_ + seg.window;
        seg.mss = config_.mss;
        if (config_.window_scale && (!passive_ || snd_wscale_ != 0 || rcv_wscale_ != 0)) {
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
        // the size send_mss() allows for.
        if (sack_ok_ && !out_of_order_.empty() && data_len == 0) {
            for (const OutOfOrder::Block& b : out_of_order_.blocks(wire::tcp::max_sack_blocks)) {
                seg.sack_blocks.push_back({rcv_nxt_ + static_cast<uint32_t>(b.begin - rcv_offset_),
                                           rcv_nxt_ + static_cast<uint32_t>(b.end - rcv_offset_)});
            }
        }
    }
    scratch_.resize(data_len);
    if (data_len > 0) {
        send_buffer_.copy_out(data_offset, scratch_);
        last_data_sent_at_ = now;
    }
    seg.payload = scratch_;
    ++stats_.segments_sent;
    if (flags & ack) {
        delayed_ack_at_ = base::Time::never();
        acked_up_to_ = rcv_nxt_;
    }
    if (observer_) observer_->segment_sent(now, tuple_, seg, reason);
    emit_(seg);
}

// A pure ACK carries snd_nxt, the highest sequence number sent: a timeout
// resends lost segments from the scoreboard and never winds snd_nxt back, so
// an ACK is never numbered below the peer's rcv_nxt (which would fail its
// acceptability test and be dropped unread).
void Connection::send_ack(Reason reason, base::Time now) {
    send_segment(snd_nxt_, ack, 0, 0, reason, now);
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

void Connection::arm_retransmit(base::Time now) {
    retransmit_at_ = now + rto_.rto();
    // A connect ends when its time is up, not at the next backed-off SYN;
    // so does a user timeout (as Linux's tcp_clamp_rto_to_user_timeout).
    if (state_ == State::syn_sent) {
        const base::Duration limit = config_.user_timeout > base::Duration::zero()
                                         ? config_.user_timeout
                                         : config_.connect_timeout;
        retransmit_at_ = std::min(retransmit_at_, opened_at_ + limit);
    } else if (config_.user_timeout > base::Duration::zero()) {
        retransmit_at_ =
            std::min(retransmit_at_, std::max(progress_at_ + config_.user_timeout, now));
    }
}

bool Connection::user_timeout_expired(base::Time since, base::Time now) const {
    return config_.user_timeout > base::Duration::zero() && now - since >= config_.user_timeout;
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
    const SeqNum sent_before = snd_nxt_;
    while (true) {
        const uint32_t in_flight = flight();
        const uint32_t pipe = scoreboard_.pipe();
        const size_t unsent = unsent_data();
        const uint32_t cwnd_room = congestion_.cwnd() > pipe ? congestion_.cwnd() - pipe : 0;
        const uint32_t peer_room = snd_wnd_ > in_flight ? snd_wnd_ - in_flight : 0;
        const uint32_t usable = std::min(cwnd_room, peer_room);
        const size_t len = std::min<size_t>({unsent, usable, smss});
        // Sender-side silly window avoidance and Nagle (RFC 9293 §3.8.6.2.1):
        // send a full segment, or everything left when nothing is in flight (or
        // Nagle is off), or at least half the largest window seen. A cork
        // holds back anything short of a full segment, until the FIN or its
        // ceiling.
        const bool corked = config_.cork && now < cork_flush_at_ && !fin_queued_;
        const bool worth_it =
            len == smss || (!corked && ((len == unsent && (in_flight == 0 || !config_.nagle)) ||
                                        (max_snd_wnd_ > 0 && len >= max_snd_wnd_ / 2)));
        if (corked && unsent > 0 && usable > 0 && !worth_it && cork_flush_at_.is_never())
            cork_flush_at_ = now + cork_ceiling;
        if (unsent > 0 && usable > 0 && worth_it) {
            if (in_flight == 0) progress_at_ = now;  // data waits for an ACK from now
            if (!rtt_seq_) {
                rtt_seq_ = snd_nxt_;
                rtt_started_ = now;
            }
            send_new_data(len, true, now);
            if (retransmit_at_.is_never()) arm_retransmit(now);
            persist_at_ = base::Time::never();
            continue;
        }
        if (unsent == 0 && fin_queued_ && !fin_sent_) {
            // The FIN alone; it needs no window.
            send_segment(snd_nxt_, fin | ack, 0, 0, Reason::new_data, now);
            scoreboard_.sent(snd_nxt_, 0, true, false, now);
            snd_nxt_ += 1;
            fin_sent_ = true;
            if (retransmit_at_.is_never()) arm_retransmit(now);
        }
        // Data waits, nothing is in flight, and the window kept it back (zero,
        // or too small to be worth a segment): the persist timer will probe it.
        if (unsent > 0 && in_flight == 0 && persist_at_.is_never()) {
            persist_backoff_ = rto_.rto();
            persist_at_ = now + persist_backoff_;
        }
        break;
    }
    if (snd_nxt_ != sent_before) schedule_loss_probe(now);
    // The ceiling has passed (what the windows allowed went): a new one
    // starts with the next partial segment.
    if (cork_flush_at_ <= now || unsent_data() == 0) cork_flush_at_ = base::Time::never();
}

void Connection::resend_syn(base::Time now) {
    if (state_ == State::syn_sent) {
        send_segment(iss_, syn, 0, 0, Reason::syn, now);
    } else {
        send_segment(iss_, syn | ack, 0, 0, Reason::syn_ack, now);
    }
    ++stats_.retransmissions;
}

void Connection::resend(SentSegment& s, base::Time now) {
    if (undo_ && !undo_->resent_ts && timestamps_ok_) {
        undo_->resent_ts = static_cast<uint32_t>(now.ns() / 1'000'000);
        undo_->resent_seq = s.seq;
    }
    const Reason why = pmtu_recover_  ? Reason::path_mtu
                       : rto_recover_ ? Reason::retransmission_rto
                                      : Reason::fast_retransmit;
    send_again(s, why, now);
}

void Connection::reduce_path_mss(uint16_t mss, base::Time now) {
    mss = std::max(mss, min_path_mss);
    if (mss >= path_mss_) return;
    const uint32_t before = send_mss();
    path_mss_ = mss;
    ++stats_.path_mtu_reductions;
    if (send_mss() >= before || !synchronized()) return;
    congestion_.set_mss(send_mss());
    // What went out too large was dropped on the way: send it again in
    // pieces that fit, at once and without a reduction of the window (it
    // was no sign of congestion), as Linux's tcp_simple_retransmit.
    if (scoreboard_.resegment(send_mss()) == 0) return;
    rtt_seq_.reset();
    if (!in_recovery_ && !rto_recover_) rto_recover_ = snd_nxt_;
    pmtu_recover_ = snd_nxt_;
    output(now);
}

void Connection::send_again(SentSegment& s, Reason reason, base::Time now) {
    // With the flags it first had (PSH included, as Linux, BSD and lwIP).
    const uint16_t flags = static_cast<uint16_t>(ack | (s.fin ? fin : 0) | (s.psh ? psh : 0));
    send_segment(s.seq, flags, static_cast<size_t>(s.seq - snd_una_), s.len, reason, now);
    scoreboard_.resent(s, now);
    if (in_recovery_) congestion_.on_recovery_sent(s.len);
    ++stats_.retransmissions;
    rtt_seq_.reset();  // Karn: no samples across a retransmission
}

size_t Connection::unsent_data() const {
    // Data bytes sent beyond snd_una (a sent FIN is not data).
    const size_t sent = flight() - (fin_sent_ ? 1u : 0u);
    return send_buffer_.size() > sent ? send_buffer_.size() - sent : 0;
}

void Connection::send_new_data(size_t len, bool fin_allowed, base::Time now) {
    const size_t unsent = unsent_data();
    const size_t offset = send_buffer_.size() - unsent;
    const bool push = len == unsent;
    const bool with_fin = fin_allowed && fin_queued_ && !fin_sent_ && push;
    const auto flags = static_cast<uint16_t>(ack | (push ? psh : 0) | (with_fin ? fin : 0));
    send_segment(snd_nxt_, flags, offset, len, Reason::new_data, now);
    scoreboard_.sent(snd_nxt_, static_cast<uint32_t>(len), with_fin, push, now);
    if (in_recovery_) congestion_.on_recovery_sent(static_cast<uint32_t>(len));
    count_sent(len, now);
    snd_nxt_ += static_cast<uint32_t>(len) + (with_fin ? 1 : 0);
    if (with_fin) fin_sent_ = true;
}

// A loss found before the RTO: reduce once for the whole episode (until
// everything sent so far is acknowledged) and resend the first lost segment
// at once, whatever the window (RFC 6675 §5 step 4.2, RFC 5681 §3.2).
void Connection::enter_recovery(base::Time now) {
    in_recovery_ = true;
    probe_at_ = base::Time::never();
    recover_ = snd_nxt_;
    undo_ = Undo{.cwnd = congestion_.cwnd(),
                 .ssthresh = congestion_.ssthresh(),
                 .resent_ts = std::nullopt,
                 .resent_seq = snd_una_};
    congestion_.enter_recovery(flight(), sack_ok_);
    // With SACK, PRR sets cwnd from here on; the first ACK lets the fast
    // retransmission out.
    if (sack_ok_) congestion_.on_recovery_ack(0, scoreboard_.pipe());
    report_window(now);
    scoreboard_.recovery_started();
    ++stats_.fast_retransmits;
    if (SentSegment* lost = scoreboard_.first_lost()) resend(*lost, now);
    arm_retransmit(now);
}

// Tail loss probe (RFC 8985 §7.2): while data is out and no loss is being
// repaired, a probe is due two smoothed RTTs after the last transmission or
// ACK (plus the worst delayed ACK when one segment is out), or at the RTO if
// that comes first. Linux probes only with SACK, as here.
void Connection::schedule_loss_probe(base::Time now) {
    probe_at_ = base::Time::never();
    if (!sack_ok_ || !synchronized() || flight() == 0 || in_recovery_ || rto_recover_ ||
        tlp_high_seq_) {
        return;
    }
    base::Duration pto = base::Duration::seconds(1);
    if (const auto srtt = rto_.srtt()) {
        pto = *srtt * 2;
        if (flight() <= send_mss()) pto = pto + worst_delayed_ack;
    }
    probe_at_ = std::min(now + pto, retransmit_at_);
}

// RFC 8985 §7.3: no ACK for a PTO. One segment draws an ACK whose SACK blocks
// let RACK find what the tail lost, instead of waiting for the RTO: new data
// if the peer's window takes it, else the last segment sent, again.
void Connection::send_loss_probe(base::Time now) {
    if (tlp_high_seq_ || flight() == 0) return;
    const uint32_t in_flight = flight();
    const size_t unsent = unsent_data();
    const uint32_t peer_room = snd_wnd_ > in_flight ? snd_wnd_ - in_flight : 0;
    if (unsent > 0 && peer_room > 0 && !fin_sent_) {
        send_new_data(std::min<size_t>({unsent, peer_room, send_mss()}), true, now);
        tlp_resent_ = false;
    } else if (SentSegment* last = scoreboard_.last(); last && !last->sacked) {
        send_again(*last, Reason::loss_probe, now);
        tlp_resent_ = true;
    } else {
        return;
    }
    ++stats_.loss_probes;
    tlp_high_seq_ = snd_nxt_;
    arm_retransmit(now);
}

// RFC 8985 §7.4, as Linux: a probe that sent a segment again may have
// repaired a loss nothing else revealed. If an ACK beyond the probe comes
// before any sign that both copies arrived (a D-SACK, or a pure duplicate
// ACK), it did, and the window is reduced as for any loss.
void Connection::check_loss_probe(const wire::TcpRepr& seg, bool advanced, bool dsack,
                                  base::Time now) {
    if (!tlp_high_seq_ || seg.ack < *tlp_high_seq_) return;
    if (!tlp_resent_ || dsack) {
        tlp_high_seq_.reset();
    } else if (seg.ack > *tlp_high_seq_) {
        tlp_high_seq_.reset();
        congestion_.reduce_now(congestion_.cwnd());
        ++stats_.loss_probe_recoveries;
        report_window(now);
    } else if (!advanced && seg.payload.empty() && seg.sack_blocks.empty()) {
        tlp_high_seq_.reset();
    }
}

// The window and RTT, for whoever watches (the event log, the report's
// congestion-window graph): after every change.
void Connection::report_window(base::Time now) {
    if (observer_)
        observer_->window(now, tuple_, congestion_.cwnd(), congestion_.ssthresh(), rto_.srtt());
}

// RACK, after every ACK with SACK and when its timer fires.
void Connection::detect_losses(base::Time now) {
    if (!sack_ok_) return;
    reorder_at_ = scoreboard_.detect_losses(now, in_recovery_, rto_.srtt());
    if (!in_recovery_ && !rto_recover_ && scoreboard_.first_lost()) enter_recovery(now);
}

// Eifel (RFC 3522): the first ACK past the first segment resent in a
// recovery echoes the timestamp of whichever copy arrived first. Older than
// the resend means the original made it (it was late, not lost): the
// reduction is undone (RFC 4015) and what was marked lost is not resent.
void Connection::check_spurious(const wire::TcpRepr& seg, base::Time now) {
    if (!undo_ || !undo_->resent_ts || !(undo_->resent_seq < seg.ack)) return;
    const Undo undo = *undo_;
    undo_.reset();
    if (!seg.timestamps || seg.timestamps->echo_reply == 0 ||
        static_cast<int32_t>(seg.timestamps->echo_reply - *undo.resent_ts) >= 0) {
        return;
    }
    ++stats_.spurious_recoveries;
    congestion_.restore(undo.cwnd, undo.ssthresh);
    in_recovery_ = false;
    rto_recover_.reset();
    duplicate_acks_ = 0;
    scoreboard_.forget_losses();
    report_window(now);
}

// ---- input -----------------------------------------------------------------

bool Connection::acceptable(const wire::TcpRepr& seg) const {
    // RFC 9293 §3.10.7.4, first check: the segment overlaps the window.
    const uint32_t window = rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
    const uint32_t len = seg.sequence_len();
    const SeqNum end = rcv_nxt_ + window;
    if (len == 0) {
        if (window == 0) return seg.seq == rcv_nxt_;
        return rcv_nxt_ <= seg.seq && seg.seq < end;
    }
    if (window == 0) return false;
    const SeqNum last = seg.seq + (len - 1);
    return (rcv_nxt_ <= seg.seq && seg.seq < end) || (rcv_nxt_ <= last && last < end);
}

void Connection::process(const wire::TcpRepr& seg, base::Time now) {
    ++stats_.segments_received;
    last_heard_ = now;
    keepalives_unanswered_ = 0;
    if (config_.keepalive && synchronized()) keepalive_at_ = now + config_.keepalive->idle;
    if (state_ == State::closed) return;

    if (state_ == State::syn_sent) {
        // §3.10.7.3.
        const bool has_ack = seg.flags.has(ack);
        if (has_ack && (seg.ack <= iss_ || seg.ack > snd_nxt_)) {
            if (!seg.flags.has(rst)) send_rst(seg.ack, now);
            return;
        }
        if (seg.flags.has(rst)) {
            if (has_ack) fail(Error::refused, now);
            return;
        }
        if (!seg.flags.has(syn)) return;
        irs_ = seg.seq;
        rcv_nxt_ = seg.seq + 1;
        rcv_adv_ = rcv_nxt_;
        take_options(seg, now);
        snd_wl1_ = seg.seq;
        snd_wl2_ = seg.ack;
        if (has_ack) {
            snd_una_ = seg.ack;
            snd_wnd_ = seg.window;  // unscaled in a SYN
            max_snd_wnd_ = snd_wnd_;
            if (retransmissions_ == 0) sample_rtt(now - rtt_started_);  // Karn
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::syn_ack);
            retransmit_at_ = base::Time::never();
            retransmissions_ = 0;
            set_state(State::established, now);
            send_ack(Reason::ack, now);
            output(now);
        } else {
            // Simultaneous open: both sent SYNs.
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::syn);
            snd_wnd_ = seg.window;
            set_state(State::syn_received, now);
            send_segment(iss_, syn | ack, 0, 0, Reason::syn_ack, now);
        }
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
    if (timestamps_ok_ && seg.timestamps && seg.seq <= rcv_nxt_ &&
        static_cast<int32_t>(seg.timestamps->value - ts_recent_) >= 0) {
        ts_recent_ = seg.timestamps->value;
        ts_recent_at_ = now;
    }

    // First: is the segment within the window?
    if (!acceptable(seg)) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::outside_window);
        if (!seg.flags.has(rst)) {
            if (state_ == State::time_wait && seg.flags.has(fin))
                time_wait_until_ = now + config_.msl * 2;
            send_ack(Reason::duplicate_ack, now);
        }
        ++stats_.duplicate_segments;
        return;
    }

    // Second: RST (RFC 5961 §3: only an exact match resets; the rest of the
    // window gets a challenge ACK).
    if (seg.flags.has(rst)) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::rst);
        if (seg.seq != rcv_nxt_) {
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
        if (state_ == State::syn_received && passive_ && seg.seq == irs_) {
            // Our SYN+ACK was lost: the peer sends its SYN again.
            send_segment(iss_, syn | ack, 0, 0, Reason::syn_ack, now);
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
    if (synchronized() && seg.ack < snd_una_ - max_snd_wnd_) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::old_ack);
        send_ack(Reason::challenge_ack, now);
        return;
    }

    process_ack(seg, now);
    if (state_ == State::closed) return;

    // RFC 1122 §4.2.2.13: new data for a program that has closed its socket
    // can never be read; the peer learns it with a RST (as Linux and BSD).
    if (released_ && !seg.payload.empty() &&
        seg.seq + static_cast<uint32_t>(seg.payload.size()) > rcv_nxt_) {
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
        if (at >= 0 && !fin_received_ && state_ != State::close_wait && state_ != State::closing &&
            state_ != State::last_ack && state_ != State::time_wait) {
            fin_offset_ = static_cast<uint64_t>(at);
        }
        if (state_ == State::time_wait) {
            // A retransmitted FIN: our last ACK was lost.
            send_ack(Reason::ack, now);
            time_wait_until_ = now + config_.msl * 2;
        }
    }
    if (fin_offset_ && !fin_received_ && *fin_offset_ == rcv_offset_) process_fin(now);

    output(now);
}

void Connection::process_ack(const wire::TcpRepr& seg, base::Time now) {
    if (state_ == State::syn_received) {
        if (!(snd_una_ < seg.ack && seg.ack <= snd_nxt_)) {
            send_rst(seg.ack, now);
            return;
        }
        // The handshake's third step; data may ride on it.
        if (retransmissions_ == 0 && handshake_timed_) sample_rtt(now - rtt_started_);  // Karn
        snd_wnd_ = static_cast<uint32_t>(seg.window) << snd_wscale_;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        snd_wl1_ = seg.seq;
        snd_wl2_ = seg.ack;
        snd_una_ = seg.ack;
        retransmit_at_ = base::Time::never();
        retransmissions_ = 0;
        set_state(State::established, now);
        // Closed before the handshake finished: the FIN goes now.
        if (fin_queued_) set_state(State::fin_wait_1, now);
        if (config_.keepalive) keepalive_at_ = now + config_.keepalive->idle;
        // Fall through: the same ACK may carry data and a FIN.
    }

    // The receiver took a window probe's octet: it counts as sent.
    if (probe_seq_ && seg.ack == *probe_seq_ + 1 && snd_nxt_ == *probe_seq_) {
        snd_nxt_ += 1;
        count_sent(1, now);
        if (retransmit_at_.is_never()) arm_retransmit(now);
    }
    probe_seq_.reset();

    if (seg.ack > snd_nxt_) {
        // ACK for something never sent.
        send_ack(Reason::ack, now);
        return;
    }

    // Window update (RFC 9293 §3.10.7.4, fifth check).
    const uint32_t window = static_cast<uint32_t>(seg.window) << snd_wscale_;
    const bool newer = snd_wl1_ < seg.seq || (snd_wl1_ == seg.seq && snd_wl2_ <= seg.ack);
    const bool window_changed = newer && window != snd_wnd_;

    const bool advanced = seg.ack > snd_una_;
    std::optional<base::Duration> rtt;  // the sample this ACK gives
    const SeqNum una_before = snd_una_;
    const uint32_t sacked_before = scoreboard_.sacked_bytes();
    const bool duplicate = !advanced && seg.ack == snd_una_ && seg.payload.empty() &&
                           !seg.flags.has(fin) && flight() > 0 && !window_changed;
    if (advanced) {
        uint32_t acked = seg.ack - snd_una_;
        // A FIN we sent is acknowledged along with the data before it.
        if (fin_sent_ && seg.ack == snd_nxt_ && !fin_acked_) {
            fin_acked_ = true;
            acked -= 1;
        }
        const uint32_t data_acked =
            std::min<uint32_t>(acked, static_cast<uint32_t>(send_buffer_.size()));
        send_buffer_.pop(data_acked);
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
        const SeqNum previous_una = snd_una_;
        snd_una_ = seg.ack;
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
        } else {
            congestion_.on_ack(AckSample{.acked = static_cast<uint32_t>(seg.ack - previous_una),
                                         .snd_una = snd_una_,
                                         .snd_nxt = snd_nxt_,
                                         .rtt = rtt,
                                         .min_rtt = scoreboard_.min_rtt(),
                                         .now = now});
        }
        duplicate_acks_ = 0;
        report_window(now);
        // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
        if (snd_una_ == snd_nxt_) {
            retransmit_at_ = base::Time::never();
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
        snd_wnd_ = window;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        snd_wl1_ = seg.seq;
        snd_wl2_ = seg.ack;
        if (snd_wnd_ > 0) persist_at_ = base::Time::never();
    }

    // Our FIN acknowledged moves the closing states on.
    if (fin_acked_) {
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

void Connection::process_data(const wire::TcpRepr& seg, base::Time now) {
    // Trim what is before rcv_nxt (already received) and beyond the window.
    const int64_t signed_at = stream_offset(seg.seq);
    base::ByteSpan data = seg.payload;
    uint64_t at = static_cast<uint64_t>(std::max<int64_t>(signed_at, 0));
    if (signed_at < static_cast<int64_t>(rcv_offset_)) {
        const uint64_t old = static_cast<uint64_t>(static_cast<int64_t>(rcv_offset_) - signed_at);
        if (old >= data.size()) {
            ++stats_.duplicate_segments;
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::duplicate);
            send_ack(Reason::duplicate_ack, now);
            return;
        }
        data = data.subspan(static_cast<size_t>(old));
        at = rcv_offset_;
    }
    const uint64_t window_end =
        rcv_offset_ + (rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0);
    if (at + data.size() > window_end)
        data = data.first(window_end > at ? static_cast<size_t>(window_end - at) : 0);

    if (at == rcv_offset_) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::in_order);
        const bool filled_gap = !out_of_order_.empty();
        const size_t taken = receive_buffer_.push(data);
        rcv_offset_ += taken;
        rcv_nxt_ += static_cast<uint32_t>(taken);
        count_received(taken, now);
        deliver_in_order(now);
        // The peer's segment size as Linux estimates it (icsk_ack.rcv_mss):
        // the largest segment seen, from 536 bytes, up to what we accept.
        if (taken >= rcv_mss_)
            rcv_mss_ = static_cast<uint32_t>(std::min<size_t>(taken, config_.mss));
        // Quick-ACK, as Linux: the first data of a connection, and data after
        // more than an RTO of silence, are ACKed at once — up to 16 segments,
        // at most half the window's worth — so that a sender in slow start
        // (or restarting it) is not held back by delayed ACKs.
        if (!data_received_ || now - last_data_at_ > rto_.rto()) {
            const size_t segment = std::max<size_t>(std::min<size_t>(config_.mss, peer_mss_), 1);
            const size_t half_window = receive_buffer_.free() / (2 * segment);
            quick_acks_ =
                std::max(quick_acks_,
                         static_cast<uint8_t>(std::clamp<size_t>(half_window, 2, max_quick_acks)));
        }
        data_received_ = true;
        last_data_at_ = now;
        // At once when more than one segment's worth of bytes is unacknowledged
        // (RFC 9293 §3.8.6.3's "every second full-sized segment", counted in
        // bytes as Linux does, so small segments count too), when a gap has
        // just been filled (so the sender learns fast), when out-of-order data
        // remains, or in quick-ACK mode; otherwise a delayed ACK.
        if (rcv_nxt_ - acked_up_to_ > static_cast<int32_t>(rcv_mss_) || filled_gap ||
            !out_of_order_.empty() || quick_acks_ > 0) {
            if (quick_acks_ > 0) --quick_acks_;
            send_ack(Reason::ack, now);
        } else if (delayed_ack_at_.is_never()) {
            delayed_ack_at_ = now + config_.delayed_ack;
        }
    } else {
        ++stats_.out_of_order_segments;
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::out_of_order);
        out_of_order_.add(at, data);
        // An immediate duplicate ACK tells the sender what is missing.
        send_ack(Reason::duplicate_ack, now);
    }
}

void Connection::deliver_in_order(base::Time now) {
    const size_t taken =
        out_of_order_.take(rcv_offset_, [&](base::ByteSpan b) { return receive_buffer_.push(b); });
    rcv_offset_ += taken;
    rcv_nxt_ += static_cast<uint32_t>(taken);
    count_received(taken, now);
}

void Connection::sample_rtt(base::Duration rtt) {
    rto_.sample(rtt);
    stats_.add_rtt_sample(rtt);
}

void Connection::count_sent(size_t bytes, base::Time now) {
    if (bytes > 0 && stats_.bytes_sent == 0) stats_.first_data_sent = now;
    stats_.bytes_sent += bytes;
}

void Connection::count_received(size_t bytes, base::Time now) {
    if (bytes == 0) return;
    stats_.bytes_received += bytes;
    stats_.last_data_received = now;
}

void Connection::process_fin(base::Time now) {
    fin_received_ = true;
    rcv_nxt_ += 1;
    send_ack(Reason::ack, now);
    switch (state_) {
        case State::syn_received:
        case State::established:
            set_state(State::close_wait, now);
            break;
        case State::fin_wait_1:
            set_state(fin_acked_ ? State::time_wait : State::closing, now);
            break;
        case State::fin_wait_2:
            set_state(State::time_wait, now);
            break;
        default:
            break;
    }
}

// ---- timers ----------------------------------------------------------------

base::Time Connection::next_deadline() const {
    return std::min({retransmit_at_, persist_at_, reorder_at_, delayed_ack_at_, time_wait_until_,
                     keepalive_at_, probe_at_, cork_flush_at_});
}

void Connection::poll(base::Time now) {
    if (now >= time_wait_until_) {
        set_state(State::closed, now);
        return;
    }
    if (now >= delayed_ack_at_) send_ack(Reason::delayed_ack, now);
    if (now >= probe_at_) {
        probe_at_ = base::Time::never();
        send_loss_probe(now);
    }
    if (now >= retransmit_at_) {
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
            // A peer that never answered has nothing to reset (Linux sends
            // no RST either when a connect times out).
            if (synchronized() || (state_ == State::syn_received && !passive_))
                send_rst(snd_nxt_, now);
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
                             .resent_seq = snd_una_};
            }
            undo_->resent_ts.reset();
            pmtu_recover_.reset();
            // Black-hole detection (RFC 4821 §7.7, as Linux's tcp_mtu_probing
            // after tcp_retries1 = 3 timeouts): large segments that time out
            // again and again may be dropped by a router whose "fragmentation
            // needed" never comes back. Try smaller ones: 1024 bytes first
            // (Linux's tcp_base_mss), then halve, down to 536.
            const SentSegment* head = scoreboard_.empty() ? nullptr : scoreboard_.first();
            if (config_.mtu_probing && retransmissions_ >= 3 && head && head->len > min_path_mss) {
                const uint16_t smaller =
                    stats_.black_holes == 0
                        ? std::min<uint16_t>(path_mss_, black_hole_mss)
                        : static_cast<uint16_t>(std::max<uint32_t>(path_mss_ / 2, min_path_mss));
                if (smaller < path_mss_) {
                    ++stats_.black_holes;
                    path_mss_ = smaller;
                    congestion_.set_mss(send_mss());
                    scoreboard_.resegment(send_mss());
                }
            }
            // A timeout while the last one's data is still being resent is
            // a back-off of the same episode (RFC 5681 §3.1).
            congestion_.on_timeout(flight(), rto_recover_.has_value());
            report_window(now);
            probe_at_ = base::Time::never();
            tlp_high_seq_.reset();
            in_recovery_ = false;
            duplicate_acks_ = 0;
            rto_recover_ = snd_nxt_;
            scoreboard_.mark_all_lost();
            if (SentSegment* lost = scoreboard_.first_lost()) resend(*lost, now);
        } else {
            resend_syn(now);
        }
        arm_retransmit(now);
    }
    if (now >= reorder_at_) {
        reorder_at_ = base::Time::never();
        detect_losses(now);
    }
    if (now >= persist_at_) {
        persist_at_ = base::Time::never();
        const size_t unsent = unsent_data();
        if (unsent > 0 && flight() == 0) {
            if (snd_wnd_ == 0) {
                // A window probe: one octet of new data beyond the closed window
                // (RFC 9293 §3.8.6.1). It does not advance snd_nxt unless the
                // receiver takes it (see process_ack).
                ++stats_.window_probes;
                probe_seq_ = snd_nxt_;
                send_segment(snd_nxt_, ack, 0, 1, Reason::window_probe, now);
                persist_backoff_ = std::min(persist_backoff_ * 2, config_.persist_max);
                persist_at_ = now + persist_backoff_;
            } else {
                // A small window held the data back (silly window avoidance):
                // the override timer has run out, so send what fits.
                send_new_data(std::min<size_t>({unsent, snd_wnd_, send_mss()}), false, now);
                if (retransmit_at_.is_never()) arm_retransmit(now);
            }
        }
    }
    if (now >= keepalive_at_) {
        // With a user timeout, the peer's silence ends it rather than a count.
        const bool silent_too_long =
            config_.user_timeout > base::Duration::zero()
                ? keepalives_unanswered_ > 0 && user_timeout_expired(last_heard_, now)
                : keepalives_unanswered_ >= config_.keepalive->probes;
        if (silent_too_long) {
            send_rst(snd_nxt_, now);
            fail(soft_error_.value_or(Error::timed_out), now);
            return;
        }
        ++keepalives_unanswered_;
        // A keep-alive: an old sequence number, so the peer must ACK.
        send_segment(snd_una_ - 1, ack, 0, 0, Reason::keepalive, now);
        keepalive_at_ = now + config_.keepalive->interval;
    }
    output(now);
}

// ---- the application's side -------------------------------------------------

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
    const size_t n = send_buffer_.push(data);
    output(now);
    return n;
}

size_t Connection::receive(base::MutableByteSpan out, base::Time now) {
    const size_t n = std::min(out.size(), receive_buffer_.size());
    if (n == 0) return 0;
    const uint32_t window_before =
        rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
    receive_buffer_.copy_out(0, out.first(n));
    receive_buffer_.pop(n);
    // More room: pull in out-of-order data that now fits, and tell the peer
    // when the window opens by a worthwhile amount (a window update). As in
    // Linux, only once the advertised window had fallen to half the buffer:
    // a reader that keeps up is acknowledged by the data's own ACKs, and an
    // update for every read would double the segments of a bulk transfer.
    deliver_in_order(now);
    const uint32_t threshold =
        std::min<uint32_t>(config_.mss, static_cast<uint32_t>(config_.receive_buffer / 2));
    const bool window_was_low = window_before <= config_.receive_buffer / 2;
    if (synchronized() && window_was_low && receive_buffer_.free() >= window_before + threshold &&
        state_ != State::time_wait && state_ != State::closed) {
        send_ack(Reason::ack, now);
    }
    if (fin_offset_ && !fin_received_ && *fin_offset_ == rcv_offset_) process_fin(now);
    return n;
}

void Connection::shutdown(base::Time now) {
    if (fin_queued_) return;
    switch (state_) {
        case State::syn_sent:
        case State::listen:
            set_state(State::closed, now);
            return;
        case State::syn_received:
        case State::established:
            fin_queued_ = true;
            if (state_ == State::established) set_state(State::fin_wait_1, now);
            break;
        case State::close_wait:
            fin_queued_ = true;
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
    if (!receive_buffer_.empty() && state_ != State::closed && state_ != State::time_wait) {
        send_rst(snd_nxt_, now);
        fail(Error::aborted, now);
        return;
    }
    shutdown(now);
}

void Connection::abort(base::Time now) {
    if (state_ != State::closed && state_ != State::listen && state_ != State::syn_sent &&
        state_ != State::time_wait) {
        send_rst(snd_nxt_, now);
    }
    fail(Error::aborted, now);
}

bool Connection::icmp_packet_too_big(uint16_t mss, SeqNum quoted, base::Time now) {
    if (state_ == State::closed || state_ == State::listen || state_ == State::time_wait)
        return false;
    if (quoted < snd_una_ || quoted >= snd_nxt_) return false;  // not in flight: forged or stale
    reduce_path_mss(mss, now);
    return true;
}

void Connection::icmp_unreachable(Error e, SeqNum quoted, base::Time now) {
    if (state_ == State::closed || state_ == State::listen || state_ == State::time_wait) return;
    if (quoted < snd_una_ || quoted >= snd_nxt_) return;  // not in flight: forged or stale
    if (state_ == State::syn_sent) return fail(e, now);
    soft_error_ = e;
}

bool Connection::set_options(const Options& o, base::Time now) {
    if (o.changes_handshake() && state_ != State::closed) return false;
    const Config before = config_;
    o.apply(config_);
    if (o.send_buffer) send_buffer_.set_capacity(config_.send_buffer);
    if (o.receive_buffer) {
        receive_buffer_ = ByteRing(config_.receive_buffer);
        out_of_order_ = OutOfOrder(config_.receive_buffer);
    }
    if (o.keepalive || o.keepalive_off) {
        keepalives_unanswered_ = 0;
        // Idle time counts from the last segment heard, as in Linux.
        const bool live = synchronized() && state_ != State::time_wait && state_ != State::closed;
        keepalive_at_ = config_.keepalive && live
                            ? std::max(last_heard_ + config_.keepalive->idle, now)
                            : base::Time::never();
    }
    if (config_.congestion != before.congestion) {
        congestion_.set_algorithm(config_.congestion);
        report_window(now);
    }
    if (!config_.cork) cork_flush_at_ = base::Time::never();
    // What Nagle or the cork held back goes now.
    const bool released = (before.nagle && !config_.nagle) || (before.cork && !config_.cork);
    if (released && synchronized()) output(now);
    return true;
}

size_t Connection::peek(base::MutableByteSpan out) const {
    const size_t n = std::min(out.size(), receive_buffer_.size());
    receive_buffer_.copy_out(0, out.first(n));
    return n;
}

Info Connection::info(base::Time now) const {
    Info i{.state = state_,
           .congestion = congestion_.algorithm(),
           .in_recovery = in_recovery_ || rto_recover_.has_value(),
           .sack = sack_ok_,
           .timestamps = timestamps_ok_,
           .send_window_scale = snd_wscale_,
           .receive_window_scale = rcv_wscale_,
           .send_mss = send_mss(),
           .receive_mss = rcv_mss_,
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
           .send_window = snd_wnd_,
           .receive_window = rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0,
           .send_queue = send_buffer_.size(),
           .receive_queue = receive_buffer_.size(),
           // Data sent less what is sent and still unacknowledged.
           .bytes_acked = stats_.bytes_sent - (send_buffer_.size() - unsent_data()),
           .bytes_received = stats_.bytes_received,
           .segments_sent = stats_.segments_sent,
           .segments_received = stats_.segments_received,
           .total_retransmissions = stats_.retransmissions,
           .since_data_sent = std::nullopt,
           .since_data_received = std::nullopt};
    if (stats_.bytes_sent > 0) i.since_data_sent = now - last_data_sent_at_;
    if (data_received_) i.since_data_received = now - last_data_at_;
    return i;
}

}  // namespace tcp
