// UDP (RFC 768): IP plus ports and a checksum, nothing more.
//
// The engine behind UDP sockets, as a transport of one host. Sockets are
// handles into a table. This is the callback/poll core: a program opens a
// socket, binds or connects it, sends, and either polls `receive` or is told by
// its readable callback; the coroutine sockets of socket/ are built on it.
//
// Per socket, received datagrams wait in a bounded queue (datagrams and bytes);
// beyond it they are dropped and counted. A datagram for a port nobody has is
// answered with ICMP port unreachable; such an error coming back for a
// datagram a socket sent becomes that socket's pending error, "connection
// refused", as Linux reports it on connected sockets.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "stack/host.hpp"
#include "stack/port_table.hpp"

namespace stack {

using SocketId = uint32_t;

enum class SocketError : uint8_t {
    address_in_use,
    no_ephemeral_port,
    not_connected,     // send() on a socket without a remote endpoint
    invalid_argument,  // port 0 as a destination, a closed socket …
    message_too_long,  // more than 65,507 bytes of UDP payload
    no_route,
    connection_refused,  // ICMP port (or protocol) unreachable; a RST answering a SYN
    connection_reset,    // the peer reset the connection
    host_unreachable,
    network_unreachable,
    timed_out,
    closed,
};

std::string_view to_string(SocketError e);

struct UdpConfig {
    size_t receive_queue_datagrams = 256;
    size_t receive_queue_bytes = 256 * 1024;
};

struct Datagram {
    Endpoint from;
    Endpoint to;  // the local endpoint it arrived at
    base::PacketBuffer payload;
    uint8_t ttl = 0;  // or hop limit
};

struct UdpSocketStats {
    uint64_t sent = 0;
    uint64_t received = 0;  // queued for the program
    uint64_t dropped_queue_full = 0;
};

struct UdpStats {
    uint64_t datagrams_in = 0;
    uint64_t datagrams_out = 0;
    uint64_t no_port = 0;  // answered with port unreachable
    uint64_t bad_checksum = 0;
    uint64_t malformed = 0;
    uint64_t queue_drops = 0;
};

class Udp : public Transport {
  public:
    // Registers itself as the host's UDP. The host must outlive it.
    explicit Udp(Host& host, UdpConfig config = {});
    Udp(const Udp&) = delete;
    Udp& operator=(const Udp&) = delete;
    ~Udp() override;

    SocketId open();
    // `dual_stack`: a binding to :: takes in IPv4 too (PortTable).
    base::Expected<void, SocketError> bind(SocketId s, Endpoint local, bool reuse = false,
                                           bool dual_stack = false);
    // Sets the remote endpoint: send() goes there, and only datagrams from
    // there are received. Binds an ephemeral port first if needed.
    base::Expected<void, SocketError> connect(SocketId s, Endpoint remote);
    // Sends one datagram (binding an ephemeral port first if needed).
    base::Expected<void, SocketError> send_to(SocketId s, Endpoint remote, base::ByteSpan payload,
                                              base::Time now);
    base::Expected<void, SocketError> send(SocketId s, base::ByteSpan payload, base::Time now);
    // The next datagram waiting, if any.
    std::optional<Datagram> receive(SocketId s);
    // The pending asynchronous error (from ICMP), if any; reading clears it.
    std::optional<SocketError> take_error(SocketId s);
    bool readable(SocketId s) const;  // a datagram or an error waits
    // Called (from inside the host's receive) when the socket becomes readable.
    void on_readable(SocketId s, std::function<void()> callback);
    void close(SocketId s);

    std::optional<Endpoint> local_endpoint(SocketId s) const { return ports_.local_of(s); }
    std::optional<Endpoint> remote_endpoint(SocketId s) const { return ports_.remote_of(s); }
    const UdpSocketStats* socket_stats(SocketId s) const;
    const UdpStats& stats() const { return stats_; }
    size_t open_sockets() const { return sockets_.size(); }
    Host& host() { return host_; }

    // Transport
    void receive(const IpPacketInfo& info, base::PacketBuffer payload, base::Time now) override;
    void icmp_error(const IcmpError& error, base::Time now) override;
    void poll(base::Time) override {}
    base::Time next_deadline() const override { return base::Time::never(); }

  private:
    struct Socket {
        std::deque<Datagram> queue;
        size_t queued_bytes = 0;
        std::optional<SocketError> error;
        std::function<void()> on_readable;
        UdpSocketStats stats;
    };

    Socket* find(SocketId s);
    const Socket* find(SocketId s) const;
    // Binds an unbound socket to an ephemeral port for talking to `remote`:
    // on the wildcard of its family, or if `connect`, on the source address
    // towards it and connected to it.
    base::Expected<void, SocketError> ensure_bound(SocketId s, const Endpoint& remote,
                                                   bool connect);
    void notify(SocketId s, Socket& socket);

    Host& host_;
    UdpConfig config_;
    PortTable ports_;
    std::map<SocketId, Socket> sockets_;
    SocketId next_id_ = 1;
    UdpStats stats_;
};

}  // namespace stack
