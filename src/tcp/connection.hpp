// One TCP connection (RFC 9293): the control block and its state machine,
// sans-IO. Segments come in as reprs with `process(segment, now)`; segments go
// out through the emit callback; `poll(now)` runs the timers, `next_deadline()`
// says when. The connection knows nothing of IP or sockets: the host's TCP
// transport finds the connection for a segment, and a socket reads and writes
// its buffers.
//
// What it does:
//   - every state, simultaneous open and close, half-close, RST by RFC 9293's
//     rules with RFC 5961's challenge ACKs, TIME-WAIT for 2 MSL;
//   - cumulative ACKs, retransmission after RTO (RFC 6298, Karn's rule,
//     back-off); with SACK, loss found by RACK (RFC 8985) and repaired as the
//     pipe allows (RFC 6675), spurious recoveries undone by their echoed
//     timestamps (Eifel, RFC 3522/4015), the sending rate in recovery set
//     by PRR (RFC 6937); without SACK, fast retransmit after three
//     duplicate ACKs and NewReno recovery (RFC 6582); out-of-order
//     data kept and delivered when the gap fills, an immediate ACK (with SACK
//     blocks when agreed) for data out of order;
//   - flow control: the receive window is the free receive buffer, the sender
//     stays inside the peer's, zero windows are probed on the persist timer,
//     silly windows are avoided on both sides (RFC 9293 §3.8.6.2);
//   - options: MSS, window scale, SACK-permitted and SACK blocks, timestamps;
//   - congestion control CUBIC with HyStart++ (the default) or NewReno;
//   - keep-alive probes when asked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/time.hpp"
#include "tcp/byte_ring.hpp"
#include "tcp/congestion.hpp"
#include "tcp/options.hpp"
#include "tcp/out_of_order.hpp"
#include "tcp/rto.hpp"
#include "tcp/scoreboard.hpp"
#include "tcp/stats.hpp"
#include "tcp/types.hpp"
#include "wire/address.hpp"
#include "wire/seq_num.hpp"
#include "wire/tcp.hpp"

namespace tcp {

using wire::SeqNum;

struct Config {
    uint16_t mss = 1460;  // the most we take per segment (from our MTU)
    size_t send_buffer = 256 * 1024;
    size_t receive_buffer = 256 * 1024;
    RtoConfig rto{};
    int max_retransmissions = 15;  // of one segment, before giving up (as Linux)
    // A connect keeps sending SYNs (backing off) for this long, then gives up
    // with timed_out: at least 3 minutes (RFC 1122 §4.2.3.5, R2 for a SYN).
    base::Duration connect_timeout = base::Duration::seconds(180);
    int max_syn_retransmissions = 5;                   // of a SYN+ACK (Linux's tcp_synack_retries)
    base::Duration msl = base::Duration::seconds(30);  // TIME-WAIT lasts 2 MSL
    base::Duration delayed_ack = base::Duration::milliseconds(40);
    base::Duration persist_max = base::Duration::seconds(60);
    bool window_scale = true;
    bool sack = true;
    bool timestamps = true;
    bool nagle = true;
    bool cork = false;  // TCP_CORK
    // RFC 4821 black-hole detection: after 3 timeouts of a large segment, try
    // smaller ones (Linux's tcp_mtu_probing 1; Linux's default is 0).
    bool mtu_probing = true;
    CongestionAlgorithm congestion = CongestionAlgorithm::cubic;  // as Linux's default
    std::optional<KeepAlive> keepalive;    // off unless asked for, as in sockets
    std::optional<base::Duration> linger;  // SO_LINGER; zero: close() resets
    base::Duration user_timeout{};         // TCP_USER_TIMEOUT; zero: off
};

// A snapshot of a connection, as Linux's TCP_INFO gives one.
struct Info {
    State state = State::closed;
    CongestionAlgorithm congestion = CongestionAlgorithm::cubic;
    bool in_recovery = false;  // repairing a loss found before the timer
    bool sack = false;         // options agreed on in the handshake
    bool timestamps = false;
    uint8_t send_window_scale = 0;
    uint8_t receive_window_scale = 0;
    uint32_t send_mss = 0;              // data bytes per full segment sent
    uint32_t receive_mss = 0;           // the largest segment the peer has sent
    std::optional<base::Duration> rtt;  // smoothed
    base::Duration rtt_variance{};
    std::optional<base::Duration> min_rtt;
    base::Duration rto{};
    int backoffs = 0;             // of the retransmission timer since the last RTT sample
    int retransmits = 0;          // of the segment at SND.UNA, in a row
    uint32_t cwnd = 0;            // bytes
    uint32_t ssthresh = 0;        // bytes; UINT32_MAX before the first loss
    uint32_t unacked = 0;         // sequence space sent and not acknowledged
    uint32_t sacked = 0;          // of that, bytes the peer has SACKed
    uint32_t lost = 0;            // of that, bytes judged lost and not yet resent
    uint32_t send_window = 0;     // the peer's, scaled
    uint32_t receive_window = 0;  // what we advertised last, scaled
    size_t send_queue = 0;        // bytes in the send buffer (unacknowledged or unsent)
    size_t receive_queue = 0;     // bytes received in order, not yet read
    uint64_t bytes_acked = 0;     // of ours, by the peer
    uint64_t bytes_received = 0;
    uint64_t segments_sent = 0;
    uint64_t segments_received = 0;
    uint64_t total_retransmissions = 0;
    // How long ago data last went out and came in (nullopt: never).
    std::optional<base::Duration> since_data_sent;
    std::optional<base::Duration> since_data_received;
};

// Typed callbacks for tracing; each defaults to doing nothing.
class Observer {
  public:
    virtual ~Observer() = default;
    virtual void segment_sent(base::Time, const Tuple&, const wire::TcpRepr&, Reason) {}
    virtual void segment_received(base::Time, const Tuple&, const wire::TcpRepr&, Reason) {}
    virtual void state_changed(base::Time, const Tuple&, State /*from*/, State /*to*/) {}
    // Congestion window, slow-start threshold and smoothed RTT after an ACK.
    virtual void window(base::Time, const Tuple&, uint32_t /*cwnd*/, uint32_t /*ssthresh*/,
                        std::optional<base::Duration> /*srtt*/) {}
};

// The window scale that lets `buffer` bytes be offered in 16 bits.
uint8_t window_scale_for(size_t buffer);

// The SYN-ACK a listener sends for `syn` with initial sequence number `iss`
// when it keeps no state (a SYN cookie, stack/syn_cookie.hpp): the options a
// connection would offer, except that window scale and SACK-permitted go only
// with timestamps, whose `tsval` remembers them.
wire::TcpRepr stateless_syn_ack(const Config& config, const wire::TcpRepr& syn, SeqNum iss,
                                std::optional<uint32_t> tsval);

class Connection {
  public:
    // A segment to send; its payload span is valid during the call only.
    using Emit = std::function<void(const wire::TcpRepr&)>;

    Connection(Config config, Tuple tuple, Emit emit, Observer* observer = nullptr);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Active open: sends SYN with initial sequence number `iss`.
    void connect(SeqNum iss, base::Time now);
    // Passive open from a listener: `syn` arrived; answers SYN+ACK with `iss`.
    void accept(const wire::TcpRepr& syn, SeqNum iss, base::Time now);
    // Passive open from a SYN cookie: the listener answered `syn` (as the
    // cookie recalls it) with stateless_syn_ack and kept nothing; `ack`
    // completes the handshake now.
    void accept_cookie(const wire::TcpRepr& syn, SeqNum iss, const wire::TcpRepr& ack,
                       base::Time now);

    // A segment for this connection (its checksum already verified).
    void process(const wire::TcpRepr& segment, base::Time now);
    void poll(base::Time now);
    base::Time next_deadline() const;

    // Copies as much of `data` as the send buffer holds; returns how much.
    // Zero when full (back-pressure) or when sending is shut down.
    size_t send(base::ByteSpan data, base::Time now);
    // Moves received, in-order data into `out`; returns how much.
    size_t receive(base::MutableByteSpan out, base::Time now) {
        return consume(out.size(), out.data(), now);
    }
    // Takes up to `max` received bytes without copying them anywhere
    // (recv(2) with MSG_TRUNC on a Linux TCP socket); returns how many.
    size_t discard(size_t max, base::Time now) { return consume(max, nullptr, now); }
    // Half-close: FIN after the data already given.
    void shutdown(base::Time now);
    // The program is done with the connection: it will neither send nor
    // read again. Gracefully (shutdown, and the connection ends when both
    // sides are done) unless received data went unread, or more arrives:
    // then RST.
    void close(base::Time now);
    // Resets: sends RST, drops everything.
    void abort(base::Time now);

    // An ICMP error (destination unreachable) about a segment we sent, whose
    // sequence number it quotes. While connecting it ends the attempt with
    // `e`, as Linux does; afterwards it is soft (RFC 1122 §4.2.3.9): kept, and
    // given as the reason if the connection later times out. Ignored unless
    // the quoted number is one we sent and is not yet acknowledged (RFC 5927).
    void icmp_unreachable(Error e, SeqNum quoted, base::Time now);
    // ICMP "fragmentation needed" quoting `quoted` (RFC 1191): the path
    // carries segments of at most `mss` bytes (the path MTU less the IP and
    // TCP headers). Ignored unless `quoted` is in flight: returns whether it
    // was taken.
    bool icmp_packet_too_big(uint16_t mss, SeqNum quoted, base::Time now);
    // The path to the peer carries at most `mss` bytes per segment (learnt
    // by another connection to the same host).
    void path_mss_limit(uint16_t mss, base::Time now) { reduce_path_mss(mss, now); }

    // Socket options on a live connection (checked: Options::problem()).
    // False, with nothing changed, for one that must come before the
    // handshake (the receive buffer, the MSS) once it has begun.
    bool set_options(const Options& options, base::Time now);
    const Config& config() const { return config_; }
    // Copies up to out.size() received bytes without taking them (MSG_PEEK).
    size_t peek(base::MutableByteSpan out) const;
    // TCP_INFO.
    Info info(base::Time now) const;

    State state() const { return state_; }
    std::optional<Error> error() const { return error_; }
    const Tuple& tuple() const { return tuple_; }
    const Stats& stats() const { return stats_; }
    size_t readable_bytes() const { return rcv_.buffer.size(); }
    size_t send_space() const;
    // The peer's FIN has been received and every byte before it read.
    bool peer_finished() const { return rcv_.fin_received && rcv_.buffer.empty(); }
    bool sending_shut_down() const { return snd_.fin_queued; }
    // Established or further: the handshake completed at some point.
    bool synchronized() const;
    uint32_t cwnd() const { return congestion_.cwnd(); }
    const Congestion& congestion() const { return congestion_; }
    const RtoEstimator& rto() const { return rto_; }
    // Data the peer has acknowledged and everything we queued is sent.
    bool all_sent_acknowledged() const {
        return snd_.buffer.empty() && (!snd_.fin_queued || snd_.fin_acked);
    }

  private:
    // Takes up to `max` readable bytes, copied to `out` unless it is null.
    size_t consume(size_t max, std::byte* out, base::Time now);
    void set_state(State s, base::Time now);
    void open_passive(const wire::TcpRepr& syn, SeqNum iss, base::Time now);
    void fail(Error e, base::Time now);
    void output(base::Time now);
    void send_segment(SeqNum seq, uint16_t flags, size_t data_offset, size_t data_len,
                      Reason reason, base::Time now);
    void send_ack(Reason reason, base::Time now);
    // A RST answering a segment (RFC 9293 §3.10.7: SEQ from its ACK, no ACK).
    void send_rst(SeqNum seq, base::Time now);
    // A RST we start on a synchronized connection (close with data unread,
    // SO_LINGER 0, abort, keep-alive giving up): RST+ACK with SND.NXT and
    // RCV.NXT, as Linux's tcp_send_active_reset, so that the peer takes it
    // whatever it had in flight.
    void send_active_reset(base::Time now);
    void resend_syn(base::Time now);
    // Sends a segment judged lost again.
    void resend(SentSegment& s, base::Time now);
    void note_cwnd_usage(bool blocked);
    // The window was in use enough to grow (Linux's tcp_is_cwnd_limited).
    bool cwnd_limited() const;
    // The path carries at most `mss` data bytes per segment from now on.
    void reduce_path_mss(uint16_t mss, base::Time now);
    // Sends `s` again, as it first went, for `reason`.
    void send_again(SentSegment& s, Reason reason, base::Time now);
    // Bytes in the send buffer not sent yet.
    size_t unsent_data() const;
    // `len` new bytes from the first unsent, PSH when they are the last that
    // wait, and the FIN with them when `fin_allowed` and it is queued.
    void send_new_data(size_t len, bool fin_allowed, base::Time now);
    void enter_recovery(base::Time now);
    void schedule_loss_probe(base::Time now);
    void send_loss_probe(base::Time now);
    // An ACK during a probe's episode: did the probe repair a loss?
    void check_loss_probe(const wire::TcpRepr& seg, bool advanced, bool dsack, base::Time now);
    void report_window(base::Time now);
    void detect_losses(base::Time now);
    void check_spurious(const wire::TcpRepr& ack_segment, base::Time now);
    uint16_t advertised_window();
    void take_options(const wire::TcpRepr& seg, base::Time now);
    bool acceptable(const wire::TcpRepr& seg) const;
    void process_ack(const wire::TcpRepr& seg, base::Time now);
    void process_data(const wire::TcpRepr& seg, base::Time now);
    // `seg` brought data already received: a D-SACK for the next ACK.
    void note_duplicate(const wire::TcpRepr& seg);
    void process_fin(base::Time now);
    void deliver_in_order(base::Time now);
    // Feeds RFC 6298's estimator and the connection's RTT counters.
    void sample_rtt(base::Duration rtt);
    void count_sent(size_t bytes, base::Time now);
    void count_received(size_t bytes, base::Time now);
    void arm_retransmit(base::Time now);
    // TCP_USER_TIMEOUT has run out: data (or a SYN, or keep-alives) unanswered
    // for that long.
    bool user_timeout_expired(base::Time since, base::Time now) const;
    uint32_t flight() const { return snd_.nxt - snd_.una; }
    // Data bytes per full segment: the MSS less the options every segment carries.
    uint32_t send_mss() const;
    int64_t stream_offset(SeqNum seq) const;  // negative: before the stream began

    Config config_;
    Tuple tuple_;
    Emit emit_;
    Observer* observer_;
    State state_ = State::closed;
    std::optional<Error> error_;
    std::optional<Error> soft_error_;  // from ICMP, for a later timeout
    bool passive_ = false;
    bool handshake_timed_ = true;  // the handshake gives an RTT sample
    bool released_ = false;        // closed by the program: no more reads

    // The send sequence space (RFC 9293 §3.3.1) and what sending needs.
    struct SendSpace {
        SeqNum iss;
        SeqNum una;
        SeqNum nxt;  // the highest sent: lost segments are resent from the scoreboard
        uint32_t wnd = 0;
        uint32_t max_wnd = 0;  // the largest window the peer ever offered
        SeqNum wl1;
        SeqNum wl2;
        uint16_t peer_mss = 536;  // RFC 9293 §3.7.1 default
        // The path's limit: the route's MTU less headers, then lowered by
        // path MTU discovery or black-hole detection.
        uint16_t path_mss = 0xffff;
        uint8_t wscale = 0;  // how far the peer's windows are shifted
        // The end of the last segment shorter than a full one (Linux's
        // snd_sml), for Nagle as Minshall refined it.
        SeqNum sml;
        bool fin_queued = false;
        bool fin_sent = false;
        bool fin_acked = false;
        ByteRing buffer;  // bytes from una (data only)
    };
    // The receive sequence space and what receiving needs.
    struct ReceiveSpace {
        SeqNum irs;
        SeqNum nxt;
        SeqNum adv;          // right edge of the window we advertised
        SeqNum acked_up_to;  // nxt when the last ACK left
        uint8_t wscale = 0;
        // Quick-ACK mode (Linux's icsk_ack.quick): segments still to ACK at once.
        uint8_t quick_acks = 0;
        // A segment received again whole (RFC 2883's D-SACK), to report in
        // the first SACK block of the next ACK, once.
        std::optional<wire::TcpSackBlock> dsack;
        bool fin_received = false;
        bool data_received = false;
        uint32_t mss = 536;                  // the peer's segment size, as the largest seen
        uint64_t offset = 0;                 // stream offset of nxt's byte
        std::optional<uint64_t> fin_offset;  // where a FIN that came early sits
        base::Time last_data_at;             // the last in-order data
        ByteRing buffer;
        OutOfOrder out_of_order;
    };
    // When each timer fires (never: not armed).
    struct Timers {
        base::Time retransmit = base::Time::never();
        base::Time persist = base::Time::never();
        base::Time reorder = base::Time::never();     // RACK: a segment may be lost, not late
        base::Time loss_probe = base::Time::never();  // the tail loss probe's (PTO)
        base::Time delayed_ack = base::Time::never();
        base::Time time_wait_until = base::Time::never();
        base::Time keepalive = base::Time::never();
        base::Time cork_flush = base::Time::never();  // TCP_CORK's ceiling
    };
    SendSpace snd_;
    ReceiveSpace rcv_;
    Timers timers_;
    static constexpr uint16_t min_path_mss = 536;     // what any IPv4 path carries (576 - 40)
    static constexpr uint16_t black_hole_mss = 1024;  // Linux's tcp_base_mss
    static constexpr size_t max_quick_acks = 16;
    // TCP_CORK holds a partial segment at most this long (Linux: 200 ms).
    static constexpr base::Duration cork_ceiling = base::Duration::milliseconds(200);

    // Options agreed on.
    bool sack_ok_ = false;
    bool timestamps_ok_ = false;
    uint32_t ts_recent_ = 0;
    base::Time ts_recent_at_;  // when ts_recent_ was last taken
    // RFC 8985 §7.2's WCDelAckT: the longest a receiver may hold an ACK.
    static constexpr base::Duration worst_delayed_ack = base::Duration::milliseconds(200);
    // RFC 7323 §5.5: after this long without a valid segment TS.Recent is stale.
    static constexpr base::Duration paws_idle = base::Duration::seconds(24 * 24 * 3600);

    // Loss recovery.
    RtoEstimator rto_;
    Congestion congestion_;
    Scoreboard scoreboard_;  // every segment in flight
    int duplicate_acks_ = 0;
    bool in_recovery_ = false;
    SeqNum recover_;
    // After an RTO, until this is acknowledged: resending what the timeout
    // marked lost, with no new recovery (and no new reduction) on top.
    std::optional<SeqNum> rto_recover_;
    // After the path MTU went down, until this is acknowledged: resending
    // what was too large, in pieces.
    std::optional<SeqNum> pmtu_recover_;
    // The window before the last reduction, and the timestamp of the first
    // segment it resent: an ACK echoing an older timestamp acknowledges the
    // original, so the reduction was not needed (Eifel).
    struct Undo {
        uint32_t cwnd;
        uint32_t ssthresh;
        std::optional<uint32_t> resent_ts;
        SeqNum resent_seq;
    };
    std::optional<Undo> undo_;
    int retransmissions_ = 0;        // of the segment at snd_.una
    std::optional<SeqNum> rtt_seq_;  // the segment being timed (Karn)
    base::Time rtt_started_;
    base::Time opened_at_;          // when connect() sent the first SYN
    base::Time last_data_sent_at_;  // for the slow-start restart after idle
    // While a tail loss probe's episode lasts (RFC 8985 §7): snd_.nxt when
    // it left and whether it was a segment sent again (not new data).
    std::optional<SeqNum> tlp_high_seq_;
    bool tlp_resent_ = false;
    std::optional<SeqNum> probe_seq_;  // a window probe's octet is out
    base::Duration persist_backoff_{};
    base::Time zero_window_since_ = base::Time::never();  // the first probe of a shut window
    base::Time progress_at_;  // the last ACK that advanced SND.UNA, or the first send after idle
    int keepalives_unanswered_ = 0;
    base::Time last_heard_;
    // Whether cwnd limited the sender in the current window of data (up to
    // cwnd_usage_seq_), else the most that was in flight.
    bool cwnd_limited_ = false;
    uint32_t max_flight_ = 0;
    SeqNum cwnd_usage_seq_;

    std::vector<std::byte> scratch_;  // payload of the segment being sent
    Stats stats_;
};

}  // namespace tcp
