// Loss recovery: entering it (RFC 6675, RFC 6582), RACK's detection (RFC
// 8985), the tail loss probe (RFC 8985 §7), undoing a spurious one (RFC 4015).
#include "tcp/connection.hpp"

#include <algorithm>

#include "tcp/segment_flags.hpp"

namespace tcp {

using namespace segment_flags;
using wire::TcpFlags;

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

// A loss found before the RTO: reduce once for the whole episode (until
// everything sent so far is acknowledged) and resend the first lost segment
// at once, whatever the window (RFC 6675 §5 step 4.2, RFC 5681 §3.2).
void Connection::enter_recovery(base::Time now) {
    in_recovery_ = true;
    timers_.loss_probe = base::Time::never();
    recover_ = snd_.nxt;
    undo_ = Undo{.cwnd = congestion_.cwnd(),
                 .ssthresh = congestion_.ssthresh(),
                 .resent_ts = std::nullopt,
                 .resent_seq = snd_.una};
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
    timers_.loss_probe = base::Time::never();
    if (!sack_ok_ || !synchronized() || flight() == 0 || in_recovery_ || rto_recover_ ||
        tlp_high_seq_) {
        return;
    }
    base::Duration pto = base::Duration::seconds(1);
    if (const auto srtt = rto_.srtt()) {
        pto = *srtt * 2;
        if (flight() <= send_mss()) pto = pto + worst_delayed_ack;
    }
    timers_.loss_probe = std::min(now + pto, timers_.retransmit);
}

// RFC 8985 §7.3: no ACK for a PTO. One segment draws an ACK whose SACK blocks
// let RACK find what the tail lost, instead of waiting for the RTO: new data
// if the peer's window takes it, else the last segment sent, again.
void Connection::send_loss_probe(base::Time now) {
    if (tlp_high_seq_ || flight() == 0) return;
    const uint32_t in_flight = flight();
    const size_t unsent = unsent_data();
    const uint32_t peer_room = snd_.wnd > in_flight ? snd_.wnd - in_flight : 0;
    if (unsent > 0 && peer_room > 0 && !snd_.fin_sent) {
        send_new_data(std::min<size_t>({unsent, peer_room, send_mss()}), true, now);
        tlp_resent_ = false;
    } else if (SentSegment* last = scoreboard_.last(); last && !last->sacked) {
        send_again(*last, Reason::loss_probe, now);
        tlp_resent_ = true;
    } else {
        return;
    }
    ++stats_.loss_probes;
    tlp_high_seq_ = snd_.nxt;
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
    timers_.reorder = scoreboard_.detect_losses(now, in_recovery_, rto_.srtt());
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

}  // namespace tcp
