// The receiver: the window it offers, data taken in order or kept out of
// order, the FIN.
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

uint16_t Connection::advertised_window() {
    // RFC 9293 §3.8.6.2.2: offer more only when it grows by a full segment or
    // half the buffer (receiver-side silly window avoidance), and never take
    // back what was offered.
    const uint32_t free = static_cast<uint32_t>(rcv_.buffer.free());
    const uint32_t offered = rcv_.adv > rcv_.nxt ? static_cast<uint32_t>(rcv_.adv - rcv_.nxt) : 0;
    uint32_t window = offered;
    if (free >= offered + std::min<uint32_t>(config_.mss,
                                             static_cast<uint32_t>(config_.receive_buffer / 2)) ||
        free == rcv_.buffer.capacity()) {
        window = free;
    }
    window = std::max(window, offered);
    const uint32_t scaled = std::min<uint32_t>(window >> rcv_.wscale, 0xffff);
    rcv_.adv = wire::max(rcv_.adv, rcv_.nxt + (scaled << rcv_.wscale));
    return static_cast<uint16_t>(scaled);
}

void Connection::process_data(const wire::TcpRepr& seg, base::Time now) {
    // Trim what is before rcv_nxt (already received) and beyond the window.
    const int64_t signed_at = stream_offset(seg.seq);
    base::ByteSpan data = seg.payload;
    uint64_t at = static_cast<uint64_t>(std::max<int64_t>(signed_at, 0));
    if (signed_at < static_cast<int64_t>(rcv_.offset)) {
        const uint64_t old = static_cast<uint64_t>(static_cast<int64_t>(rcv_.offset) - signed_at);
        if (old >= data.size()) {
            note_duplicate(seg);
            ++stats_.duplicate_segments;
            if (observer_) observer_->segment_received(now, tuple_, seg, Reason::duplicate);
            send_ack(Reason::duplicate_ack, now);
            return;
        }
        data = data.subspan(static_cast<size_t>(old));
        at = rcv_.offset;
    }
    const uint64_t window_end =
        rcv_.offset + (rcv_.adv > rcv_.nxt ? static_cast<uint32_t>(rcv_.adv - rcv_.nxt) : 0);
    if (at + data.size() > window_end)
        data = data.first(window_end > at ? static_cast<size_t>(window_end - at) : 0);

    if (at == rcv_.offset) {
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::in_order);
        const bool filled_gap = !rcv_.out_of_order.empty();
        const size_t taken = rcv_.buffer.push(data);
        rcv_.offset += taken;
        rcv_.nxt += static_cast<uint32_t>(taken);
        count_received(taken, now);
        deliver_in_order(now);
        // The peer's segment size as Linux estimates it (icsk_ack.rcv_mss):
        // the largest segment seen, from 536 bytes, up to what we accept.
        if (taken >= rcv_.mss)
            rcv_.mss = static_cast<uint32_t>(std::min<size_t>(taken, config_.mss));
        // Quick-ACK, as Linux: the first data of a connection, and data after
        // more than an RTO of silence, are ACKed at once — up to 16 segments,
        // at most half the window's worth — so that a sender in slow start
        // (or restarting it) is not held back by delayed ACKs.
        if (!rcv_.data_received || now - rcv_.last_data_at > rto_.rto()) {
            const size_t segment =
                std::max<size_t>(std::min<size_t>(config_.mss, snd_.peer_mss), 1);
            const size_t half_window = rcv_.buffer.free() / (2 * segment);
            rcv_.quick_acks =
                std::max(rcv_.quick_acks,
                         static_cast<uint8_t>(std::clamp<size_t>(half_window, 2, max_quick_acks)));
        }
        rcv_.data_received = true;
        rcv_.last_data_at = now;
        // At once when more than one segment's worth of bytes is unacknowledged
        // (RFC 9293 §3.8.6.3's "every second full-sized segment", counted in
        // bytes as Linux does, so small segments count too), when a gap has
        // just been filled (so the sender learns fast), when out-of-order data
        // remains, or in quick-ACK mode; otherwise a delayed ACK.
        // With a FIN right behind the data (in ESTABLISHED), process_fin
        // decides for both.
        const bool fin_follows = seg.flags.has(fin) && state_ == State::established &&
                                 rcv_.out_of_order.empty() &&
                                 static_cast<size_t>(taken) == data.size();
        if (fin_follows) {
            if (timers_.delayed_ack.is_never()) timers_.delayed_ack = now + config_.delayed_ack;
        } else if (rcv_.nxt - rcv_.acked_up_to > static_cast<int32_t>(rcv_.mss) || filled_gap ||
                   !rcv_.out_of_order.empty() || rcv_.quick_acks > 0) {
            if (rcv_.quick_acks > 0) --rcv_.quick_acks;
            send_ack(Reason::ack, now);
        } else if (timers_.delayed_ack.is_never()) {
            timers_.delayed_ack = now + config_.delayed_ack;
        }
    } else {
        ++stats_.out_of_order_segments;
        if (observer_) observer_->segment_received(now, tuple_, seg, Reason::out_of_order);
        rcv_.out_of_order.add(at, data);
        // An immediate duplicate ACK tells the sender what is missing.
        send_ack(Reason::duplicate_ack, now);
    }
}

void Connection::note_duplicate(const wire::TcpRepr& seg) {
    // Data we had already (before RCV.NXT) is reported back as a D-SACK
    // (RFC 2883 §4, as Linux's tcp_send_dupack): the sender learns its
    // retransmission was needless, which undoes a spurious recovery and
    // widens RACK's reordering window.
    if (!sack_ok_ || seg.payload.empty() || !(seg.seq < rcv_.nxt)) return;
    const SeqNum end = seg.seq + static_cast<uint32_t>(seg.payload.size());
    rcv_.dsack = wire::TcpSackBlock{seg.seq, end < rcv_.nxt ? end : rcv_.nxt};
}

void Connection::deliver_in_order(base::Time now) {
    const size_t taken =
        rcv_.out_of_order.take(rcv_.offset, [&](base::ByteSpan b) { return rcv_.buffer.push(b); });
    rcv_.offset += taken;
    rcv_.nxt += static_cast<uint32_t>(taken);
    count_received(taken, now);
}

void Connection::count_received(size_t bytes, base::Time now) {
    if (bytes == 0) return;
    stats_.bytes_received += bytes;
    stats_.last_data_received = now;
}

void Connection::process_fin(base::Time now) {
    rcv_.fin_received = true;
    rcv_.nxt += 1;
    switch (state_) {
        case State::syn_received:
        case State::established:
            // The program will most likely answer with its own FIN, which can
            // carry the ACK: once data has come, Linux delays it (tcp_fin
            // enters ping-pong mode, which ends quick-ACK; the delay is the
            // ACK timeout, zero until data has set it) unless more than a
            // segment's worth waits to be acknowledged. Data and FIN in one
            // segment thus draw one ACK, not two.
            rcv_.quick_acks = 0;
            if (!rcv_.data_received ||
                rcv_.nxt - rcv_.acked_up_to > static_cast<int32_t>(rcv_.mss) + 1) {
                send_ack(Reason::ack, now);
            } else if (timers_.delayed_ack.is_never()) {
                timers_.delayed_ack = now + config_.delayed_ack;
            }
            set_state(State::close_wait, now);
            break;
        case State::fin_wait_1:
            send_ack(Reason::ack, now);
            set_state(snd_.fin_acked ? State::time_wait : State::closing, now);
            break;
        case State::fin_wait_2:
            send_ack(Reason::ack, now);
            set_state(State::time_wait, now);
            break;
        default:
            send_ack(Reason::ack, now);
            break;
    }
}

}  // namespace tcp
