// TCP on a host: the transport that joins tcp::Connection to IP.
//
// It finds the connection for each segment by its 4-tuple, keeps listeners
// with a bounded queue of connections being set up and waiting to be accepted,
// answers segments for nothing with RST (RFC 9293 §3.10.7.1), chooses initial
// sequence numbers by RFC 6528 (a keyed hash of the 4-tuple plus a 4 µs clock)
// and ephemeral ports by RFC 6056 without reusing a live 4-tuple, and sets the
// MSS from the route's MTU.
//
// Like stack::Udp this is a callback/poll core over handles; coroutine sockets
// (socket/tcp.hpp) sit on top. A program `release`s a connection when it is done
// with it; the connection lives on until its close finishes (TIME-WAIT
// included), then goes.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "base/siphash.hpp"
#include "stack/host.hpp"
#include "stack/port_table.hpp"
#include "stack/udp.hpp"
#include "tcp/connection.hpp"

namespace stack {

struct TcpConfig {
    tcp::Config connection{};
    size_t max_connections = 1'000'000;
    // SYN cookies when a listener's queue is full (Linux's tcp_syncookies 1).
    bool syn_cookies = true;
};

struct TcpStats {
    uint64_t segments_in = 0;
    uint64_t segments_out = 0;
    uint64_t resets_sent = 0;  // for segments that belong to nothing
    uint64_t bad_checksum = 0;
    uint64_t malformed = 0;
    uint64_t listen_overflows = 0;      // SYNs (or cookie ACKs) dropped: no room to accept
    uint64_t syn_cookies_sent = 0;      // SYN-ACKs for a full queue, no state kept
    uint64_t syn_cookies_accepted = 0;  // ACKs whose cookie opened a connection
    uint64_t syn_cookies_rejected = 0;  // ACKs to a listener with no valid cookie
    uint64_t connections_opened = 0;
};

class Tcp : public Transport, private tcp::Observer {
  public:
    explicit Tcp(Host& host, TcpConfig config = {});
    Tcp(const Tcp&) = delete;
    Tcp& operator=(const Tcp&) = delete;
    ~Tcp() override;

    // A listener on `local`; at most `backlog` connections may wait for accept
    // (and as many be half open).
    // Its options are every accepted connection's (as Linux's listeners
    // pass theirs on).
    // `dual_stack`: a listener on :: takes IPv4 connections too (PortTable).
    base::Expected<SocketId, SocketError> listen(Endpoint local, size_t backlog = 128,
                                                 const tcp::Options& options = {},
                                                 bool dual_stack = false);
    // An established connection from the listener's queue, if one waits.
    std::optional<SocketId> accept(SocketId listener);
    // Opens a connection (sends the SYN) with `options` set first. A value
    // out of range (tcp::Options::problem) is invalid_argument.
    base::Expected<SocketId, SocketError> connect(Endpoint remote, base::Time now,
                                                  std::optional<Endpoint> local = std::nullopt,
                                                  const tcp::Options& options = {});

    tcp::Connection* connection(SocketId id);
    size_t send(SocketId id, base::ByteSpan data, base::Time now);
    size_t receive(SocketId id, base::MutableByteSpan out, base::Time now);
    void shutdown(SocketId id, base::Time now);
    void abort(SocketId id, base::Time now);
    // setsockopt: invalid_argument for a value out of range or one that
    // must come before the handshake (SO_RCVBUF, TCP_MAXSEG) once it began.
    base::Expected<void, SocketError> set_options(SocketId id, const tcp::Options& options,
                                                  base::Time now);
    // recv(MSG_PEEK): received bytes copied, not taken.
    size_t peek(SocketId id, base::MutableByteSpan out);
    // recv(MSG_TRUNC): up to `max` received bytes taken and dropped, uncopied.
    size_t discard(SocketId id, size_t max, base::Time now);
    // The program is done with `id` (a connection or a listener): it closes
    // gracefully if it has not, and is freed once closed.
    void release(SocketId id, base::Time now);

    // Called (from inside the host's receive or poll) whenever something about
    // `id` changed: data arrived, room to send, a state change, an error, a
    // connection to accept.
    void on_event(SocketId id, std::function<void()> callback);

    size_t connections() const { return connections_.size(); }
    // For a clean stop (SIGINT in the live driver): FIN on every connection;
    // the programs see their streams end as the peers close. Returns how many
    // connections were still open (not yet in TIME-WAIT or closed).
    size_t shutdown_all(base::Time now);
    // Connections not yet closed or in TIME-WAIT.
    size_t open_connections() const;
    const TcpStats& stats() const { return stats_; }
    // Tells the host's observer every connection's counters (tcp_flow, open):
    // at the end of a run, for the flow statistics.
    void report_open_flows(base::Time now);
    // Every connection's counters added up, those gone included.
    tcp::Stats connection_totals() const;
    Host& host() { return host_; }

    // Transport
    void receive(const IpPacketInfo& info, base::PacketBuffer payload, base::Time now) override;
    void icmp_error(const IcmpError& error, base::Time now) override;
    void poll(base::Time now) override;
    base::Time next_deadline() const override;

  private:
    struct Entry {
        std::unique_ptr<tcp::Connection> connection;
        std::optional<SocketId> listener;  // set while waiting to be accepted
        bool released = false;
        bool accepted = false;
        base::Time indexed = base::Time::never();  // its key in the deadline index
        std::function<void()> callback;
    };
    struct Listener {
        Endpoint local;
        size_t backlog;
        tcp::Options options;  // for every connection it accepts
        // Until when an ACK to the listener may carry a cookie (two cookie
        // periods after the last one sent).
        base::Time cookies_until = base::Time::never();
        bool cookies_sent = false;
        std::vector<SocketId> pending;  // half open, from this listener
        std::vector<SocketId> ready;    // established, not yet accepted
        std::function<void()> callback;
    };

    void new_connection(SocketId id, const tcp::Tuple& tuple, const tcp::Options& options);
    tcp::Config config_for(const wire::IpAddress& remote) const;
    wire::SeqNum isn(const tcp::Tuple& tuple, base::Time now) const;
    void emit(const tcp::Tuple& tuple, const wire::TcpRepr& seg, base::Time now);
    void reset_for(const IpPacketInfo& info, const wire::TcpRepr& seg, base::Time now);
    // A listener's queue is full: answer `syn` with a cookie, keep nothing.
    void send_cookie(Listener& listener, const tcp::Tuple& tuple, const wire::TcpRepr& syn,
                     base::Time now);
    // An ACK for a listener: a connection if it carries a valid cookie.
    bool accept_cookie(SocketId listener_id, Listener& listener, const tcp::Tuple& tuple,
                       const wire::TcpRepr& ack, base::Time now);
    // After anything touched connection `id`: re-index its deadline, move it
    // through its listener's queues, tell the program, free it if done.
    void after(SocketId id, base::Time now);
    void notify(const Entry& e);
    void forget(SocketId id);

    // tcp::Observer: passes TCP events on to the host's observer.
    void segment_sent(base::Time, const tcp::Tuple&, const wire::TcpRepr&, tcp::Reason) override;
    void segment_received(base::Time, const tcp::Tuple&, const wire::TcpRepr&,
                          tcp::Reason) override;
    void state_changed(base::Time, const tcp::Tuple&, tcp::State, tcp::State) override;
    void window(base::Time, const tcp::Tuple&, uint32_t, uint32_t,
                std::optional<base::Duration>) override;

    Host& host_;
    TcpConfig config_;
    PortTable ports_;  // listeners and the local ports of connections
    base::SipKey isn_key_;
    base::SipKey cookie_key_;  // from isn_key_: no draw of its own from the host's stream
    std::map<SocketId, Entry> entries_;
    std::map<SocketId, Listener> listeners_;
    struct TupleHash {
        // An IPv4 address as its value; an IPv6 one folded to 64 bits.
        static uint64_t fold(const wire::IpAddress& a) {
            if (a.is_v4()) return a.v4().to_u32();
            uint64_t hi = 0, lo = 0;
            std::memcpy(&hi, a.v6().bytes().data(), 8);
            std::memcpy(&lo, a.v6().bytes().data() + 8, 8);
            return hi ^ (lo * 0xff51afd7ed558ccdull);
        }
        size_t operator()(const tcp::Tuple& t) const {
            uint64_t h = (fold(t.local_address) << 32) ^ fold(t.remote_address);
            h ^= (uint64_t{t.local_port} << 16 | t.remote_port) * 0x9e3779b97f4a7c15ull;
            return static_cast<size_t>(h ^ (h >> 31));
        }
    };
    // Looked up for every segment; never walked, so its order does not matter.
    std::unordered_map<tcp::Tuple, SocketId, TupleHash> connections_;
    std::set<std::pair<base::Time, SocketId>> deadlines_;
    SocketId next_id_ = 1;
    base::Time now_ = base::Time::zero();  // of the call being served, for emits
    TcpStats stats_;
    tcp::Stats finished_totals_;  // of the connections already forgotten
};

}  // namespace stack
