#include "stack/udp.hpp"

#include <utility>

#include "wire/udp.hpp"

namespace stack {
namespace {

// The most a UDP datagram can carry inside one IPv4 packet, and inside one
// IPv6 packet without a jumbogram (whose payload length excludes its header).
constexpr size_t max_payload_v4 =
    wire::ipv4::max_packet_len - wire::ipv4::min_header_len - wire::udp::header_len;
constexpr size_t max_payload_v6 = wire::ipv6::max_payload_len - wire::udp::header_len;

// Whether a socket bound to `local` can talk to `remote`: one family, or a
// wildcard :: (dual-stack or not, which the port table knows) towards IPv4.
bool families_fit(const wire::IpAddress& local, const wire::IpAddress& remote) {
    return local.is_v4() == remote.is_v4() || (local.is_v6() && local.is_unspecified());
}

SocketError from_port_error(PortError e) {
    return e == PortError::exhausted ? SocketError::no_ephemeral_port : SocketError::address_in_use;
}

SocketError from_send_error(SendError e) {
    switch (e) {
        case SendError::too_big:
            return SocketError::message_too_long;
        case SendError::no_route:
        case SendError::no_source_address:
            return SocketError::no_route;
    }
    return SocketError::no_route;
}

}  // namespace

std::string_view to_string(SocketError e) {
    switch (e) {
        case SocketError::address_in_use:
            return "address already in use";
        case SocketError::no_ephemeral_port:
            return "no ephemeral port available";
        case SocketError::not_connected:
            return "not connected";
        case SocketError::invalid_argument:
            return "invalid argument";
        case SocketError::message_too_long:
            return "message too long";
        case SocketError::no_route:
            return "no route to host";
        case SocketError::connection_refused:
            return "connection refused";
        case SocketError::connection_reset:
            return "connection reset by peer";
        case SocketError::host_unreachable:
            return "host unreachable";
        case SocketError::network_unreachable:
            return "network unreachable";
        case SocketError::timed_out:
            return "timed out";
        case SocketError::closed:
            return "socket closed";
    }
    return "unknown";
}

Udp::Udp(Host& host, UdpConfig config)
    : host_(host),
      config_(config),
      ports_(base::SipKey{host.random().next_u64(), host.random().next_u64()}, host.random()) {
    host_.set_transport(wire::IpProtocol::udp, this);
}

Udp::~Udp() {
    host_.remove_transport(wire::IpProtocol::udp, this);
}

Udp::Socket* Udp::find(SocketId s) {
    const auto it = sockets_.find(s);
    return it == sockets_.end() ? nullptr : &it->second;
}

const Udp::Socket* Udp::find(SocketId s) const {
    const auto it = sockets_.find(s);
    return it == sockets_.end() ? nullptr : &it->second;
}

SocketId Udp::open() {
    const SocketId id = next_id_++;
    sockets_.emplace(id, Socket{});
    return id;
}

base::Expected<void, SocketError> Udp::bind(SocketId s, Endpoint local, bool reuse,
                                            bool dual_stack) {
    if (!find(s) || ports_.local_of(s)) return base::fail(SocketError::invalid_argument);
    if (!local.address.is_unspecified() && !host_.is_local_address(local.address)) {
        return base::fail(SocketError::invalid_argument);
    }
    if (local.port == 0) {
        auto port = ports_.bind_ephemeral(s, local.address, std::nullopt, reuse, dual_stack);
        if (!port) return base::fail(from_port_error(port.error()));
        return {};
    }
    if (auto ok = ports_.bind(s, local, reuse, dual_stack); !ok)
        return base::fail(from_port_error(ok.error()));
    return {};
}

base::Expected<void, SocketError> Udp::ensure_bound(SocketId s, const Endpoint& remote,
                                                    bool connect) {
    if (ports_.local_of(s)) return {};
    wire::IpAddress local = wire::IpAddress::any_of_family(remote.address);
    if (connect) {
        const auto source = host_.source_address_for(remote.address);
        if (!source) return base::fail(SocketError::no_route);
        local = *source;
    }
    auto port = ports_.bind_ephemeral(s, local, connect ? std::optional(remote) : std::nullopt);
    if (!port) return base::fail(from_port_error(port.error()));
    return {};
}

base::Expected<void, SocketError> Udp::connect(SocketId s, Endpoint remote) {
    if (!find(s) || remote.port == 0) return base::fail(SocketError::invalid_argument);
    if (!ports_.local_of(s)) return ensure_bound(s, remote, true);
    if (!families_fit(ports_.local_of(s)->address, remote.address))
        return base::fail(SocketError::invalid_argument);
    if (auto ok = ports_.connect(s, remote); !ok) return base::fail(from_port_error(ok.error()));
    return {};
}

base::Expected<void, SocketError> Udp::send_to(SocketId s, Endpoint remote, base::ByteSpan payload,
                                               base::Time now) {
    Socket* socket = find(s);
    if (!socket || remote.port == 0) return base::fail(SocketError::invalid_argument);
    if (payload.size() > (remote.address.is_v4() ? max_payload_v4 : max_payload_v6))
        return base::fail(SocketError::message_too_long);
    if (auto ok = ensure_bound(s, remote, false); !ok) return ok;
    const Endpoint local = *ports_.local_of(s);
    if (!families_fit(local.address, remote.address))
        return base::fail(SocketError::invalid_argument);
    const auto source = local.address.is_unspecified() ? host_.source_address_for(remote.address)
                                                       : std::optional(local.address);
    if (!source) return base::fail(SocketError::no_route);

    base::PacketBuffer datagram = host_.pool().acquire(host_.pool().config().default_headroom,
                                                       wire::udp::header_len + payload.size());
    auto bytes = datagram.append(wire::udp::header_len + payload.size());
    base::copy_bytes(bytes.subspan(wire::udp::header_len), payload);
    const wire::UdpRepr udp{.src_port = local.port,
                            .dst_port = remote.port,
                            .payload = base::ByteSpan{bytes}.subspan(wire::udp::header_len)};
    udp.emit(bytes, *source, remote.address);
    auto sent =
        host_.send_ip(*source, remote.address, wire::IpProtocol::udp, std::move(datagram), now);
    if (!sent) return base::fail(from_send_error(sent.error()));
    ++socket->stats.sent;
    ++stats_.datagrams_out;
    if (Observer* o = host_.observer())
        o->udp_datagram(now, true, Endpoint{*source, local.port}, remote, payload.size(), 0);
    return {};
}

base::Expected<void, SocketError> Udp::send(SocketId s, base::ByteSpan payload, base::Time now) {
    const auto remote = ports_.remote_of(s);
    if (!remote)
        return base::fail(find(s) ? SocketError::not_connected : SocketError::invalid_argument);
    return send_to(s, *remote, payload, now);
}

std::optional<Datagram> Udp::receive(SocketId s) {
    Socket* socket = find(s);
    if (!socket || socket->queue.empty()) return std::nullopt;
    Datagram d = std::move(socket->queue.front());
    socket->queue.pop_front();
    socket->queued_bytes -= d.payload.size();
    return d;
}

std::optional<SocketError> Udp::take_error(SocketId s) {
    Socket* socket = find(s);
    if (!socket) return SocketError::closed;
    return std::exchange(socket->error, std::nullopt);
}

bool Udp::readable(SocketId s) const {
    const Socket* socket = find(s);
    return socket && (!socket->queue.empty() || socket->error);
}

void Udp::on_readable(SocketId s, std::function<void()> callback) {
    if (Socket* socket = find(s)) socket->on_readable = std::move(callback);
}

void Udp::close(SocketId s) {
    ports_.release(s);
    sockets_.erase(s);
}

const UdpSocketStats* Udp::socket_stats(SocketId s) const {
    const Socket* socket = find(s);
    return socket ? &socket->stats : nullptr;
}

void Udp::notify(SocketId, Socket& socket) {
    // The callback may close the socket; copy it first.
    if (socket.on_readable) {
        auto callback = socket.on_readable;
        callback();
    }
}

void Udp::receive(const IpPacketInfo& info, base::PacketBuffer payload, base::Time now) {
    ++stats_.datagrams_in;
    const auto view = wire::UdpView::parse(payload.bytes());
    if (!view) {
        ++stats_.malformed;
        return host_.report_drop(DropReason::malformed, info, payload.bytes(), now);
    }
    if (!view->checksum_valid(info.source, info.destination)) {
        ++stats_.bad_checksum;
        return host_.report_drop(DropReason::bad_checksum, info, payload.bytes(), now);
    }
    const Endpoint to{info.destination, view->dst_port()};
    const Endpoint from{info.source, view->src_port()};
    const auto owner = ports_.lookup(to, from);
    if (!owner) {
        ++stats_.no_port;
        if (host_.is_local_address(info.destination))
            host_.send_port_unreachable(info, payload.bytes(), now);
        return host_.report_drop(DropReason::port_unreachable, info, payload.bytes(), now);
    }
    Socket& socket = sockets_.at(*owner);
    const size_t size = view->payload().size();
    if (socket.queue.size() >= config_.receive_queue_datagrams ||
        socket.queued_bytes + size > config_.receive_queue_bytes) {
        ++socket.stats.dropped_queue_full;
        ++stats_.queue_drops;
        return host_.report_drop(DropReason::receive_queue_full, info, payload.bytes(), now);
    }
    payload.trim_front(wire::udp::header_len);
    payload.truncate(size);  // anything past the UDP length is not ours
    socket.queue.push_back(Datagram{from, to, std::move(payload), info.ttl});
    socket.queued_bytes += size;
    ++socket.stats.received;
    if (Observer* o = host_.observer())
        o->udp_datagram(now, false, to, from, size, info.identification);
    notify(*owner, socket);
}

void Udp::icmp_error(const IcmpError& error, base::Time) {
    if (error.original_payload.size() < 4) return;
    const Endpoint local{error.original_source, base::load_be16(error.original_payload, 0)};
    const Endpoint remote{error.original_destination, base::load_be16(error.original_payload, 2)};
    const auto owner = ports_.lookup(local, remote);
    if (!owner) return;
    // As Linux: errors that say the far end cannot be reached are the
    // socket's; a packet too big or an expired hop limit is not.
    std::optional<SocketError> e;
    switch (error.kind) {
        case IcmpErrorKind::port_unreachable:
        case IcmpErrorKind::protocol_unreachable:
            e = SocketError::connection_refused;
            break;
        case IcmpErrorKind::host_unreachable:
            e = SocketError::host_unreachable;
            break;
        case IcmpErrorKind::network_unreachable:
            e = SocketError::network_unreachable;
            break;
        default:
            break;
    }
    if (!e) return;
    Socket& socket = sockets_.at(*owner);
    socket.error = e;
    notify(*owner, socket);
}

}  // namespace stack
