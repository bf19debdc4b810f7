#include "stack/tcp.hpp"

#include <algorithm>

#include "stack/syn_cookie.hpp"
#include "wire/tcp.hpp"

namespace stack {
namespace {

// The IP and TCP headers of a segment without options: what the path MTU
// leaves room for beside the MSS.
constexpr uint16_t headers_towards(const wire::IpAddress& remote) {
    return static_cast<uint16_t>(
        (remote.is_v4() ? wire::ipv4::min_header_len : wire::ipv6::header_len) +
        wire::tcp::min_header_len);
}

}  // namespace

Tcp::Tcp(Host& host, TcpConfig config)
    : host_(host),
      config_(config),
      ports_(base::SipKey{host.random().next_u64(), host.random().next_u64()}, host.random()),
      isn_key_{host.random().next_u64(), host.random().next_u64()},
      cookie_key_{base::siphash24(isn_key_, base::as_bytes("syn cookie 1")),
                  base::siphash24(isn_key_, base::as_bytes("syn cookie 2"))} {
    host_.set_transport(wire::IpProtocol::tcp, this);
    host_.attach(this);  // for the connections' timers
    ports_.set_tuple_in_use([this](Endpoint local, Endpoint remote) {
        return connections_.contains(
            tcp::Tuple{local.address, local.port, remote.address, remote.port});
    });
}

Tcp::~Tcp() {
    host_.detach(this);
    host_.remove_transport(wire::IpProtocol::tcp, this);
}

tcp::Config Tcp::config_for(const wire::IpAddress& remote) const {
    tcp::Config c = config_.connection;
    const uint16_t headers = headers_towards(remote);
    if (const auto mtu = host_.path_mtu(remote, now_); mtu && *mtu > headers)
        c.mss = std::min<uint16_t>(c.mss, static_cast<uint16_t>(*mtu - headers));
    return c;
}

wire::SeqNum Tcp::isn(const tcp::Tuple& t, base::Time now) const {
    // RFC 6528: ISN = M + F(local address, local port, remote address, remote
    // port, secret), M a clock ticking every 4 µs.
    std::array<std::byte, tcp::max_tuple_bytes> in{};
    const size_t n = tcp::tuple_bytes(t, in);
    const auto m = static_cast<uint32_t>(now.ns() / 4000);
    return wire::SeqNum{
        m + static_cast<uint32_t>(base::siphash24(isn_key_, base::ByteSpan{in}.first(n)))};
}

void Tcp::new_connection(SocketId id, const tcp::Tuple& tuple, const tcp::Options& options) {
    tcp::Config config = config_for(tuple.remote_address);
    options.apply(config);
    Entry e;
    e.connection = std::make_unique<tcp::Connection>(
        config, tuple, [this, tuple](const wire::TcpRepr& seg) { emit(tuple, seg, now_); },
        static_cast<tcp::Observer*>(this));
    entries_.emplace(id, std::move(e));
    connections_.emplace(tuple, id);
    ++stats_.connections_opened;
}

void Tcp::emit(const tcp::Tuple& t, const wire::TcpRepr& seg, base::Time now) {
    const size_t len = seg.buffer_len();
    base::PacketBuffer p = host_.pool().acquire(host_.pool().config().default_headroom, len);
    if (host_.config().checksum_offload) {
        seg.emit(p.append(len), t.local_address, t.remote_address,
                 wire::ChecksumFill::pseudo_header);
        p.set_checksum_pending(0, wire::tcp::field::checksum.begin);
    } else {
        seg.emit(p.append(len), t.local_address, t.remote_address);
    }
    ++stats_.segments_out;
    // With DF, as Linux: a router that cannot forward the segment whole says
    // so (RFC 1191) rather than fragmenting it.
    (void)host_.send_ip(t.local_address, t.remote_address, wire::IpProtocol::tcp, std::move(p), now,
                        /*dont_fragment=*/true);
}

base::Expected<SocketId, SocketError> Tcp::listen(Endpoint local, size_t backlog,
                                                  const tcp::Options& options, bool dual_stack) {
    if (options.problem()) return base::fail(SocketError::invalid_argument);
    const SocketId id = next_id_++;
    if (auto ok = ports_.bind(id, local, false, dual_stack); !ok)
        return base::fail(SocketError::address_in_use);
    listeners_.emplace(
        id, Listener{.local = local, .backlog = std::max<size_t>(backlog, 1), .options = options});
    return id;
}

std::optional<SocketId> Tcp::accept(SocketId listener) {
    const auto it = listeners_.find(listener);
    if (it == listeners_.end() || it->second.ready.empty()) return std::nullopt;
    const SocketId id = it->second.ready.front();
    it->second.ready.erase(it->second.ready.begin());
    Entry& e = entries_.at(id);
    e.listener.reset();
    e.accepted = true;
    return id;
}

base::Expected<SocketId, SocketError> Tcp::connect(Endpoint remote, base::Time now,
                                                   std::optional<Endpoint> local,
                                                   const tcp::Options& options) {
    now_ = now;
    if (remote.port == 0 || options.problem()) return base::fail(SocketError::invalid_argument);
    if (local && !local->address.is_unspecified() &&
        local->address.is_v4() != remote.address.is_v4())
        return base::fail(SocketError::invalid_argument);
    if (entries_.size() >= config_.max_connections)
        return base::fail(SocketError::no_ephemeral_port);
    const auto source = local && !local->address.is_unspecified()
                            ? std::optional(local->address)
                            : host_.source_address_for(remote.address);
    if (!source) return base::fail(SocketError::no_route);
    const SocketId id = next_id_++;
    uint16_t port = 0;
    if (local && local->port != 0) {
        if (auto ok = ports_.bind(id, {*source, local->port}, false); !ok) {
            return base::fail(SocketError::address_in_use);
        }
        if (auto ok = ports_.connect(id, remote); !ok) {
            ports_.release(id);
            return base::fail(SocketError::address_in_use);
        }
        port = local->port;
    } else {
        auto p = ports_.bind_ephemeral(id, *source, remote);
        if (!p) return base::fail(SocketError::no_ephemeral_port);
        port = *p;
    }
    const tcp::Tuple tuple{*source, port, remote.address, remote.port};
    new_connection(id, tuple, options);
    entries_.at(id).accepted = true;
    entries_.at(id).connection->connect(isn(tuple, now), now);
    after(id, now);
    return id;
}

tcp::Connection* Tcp::connection(SocketId id) {
    const auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : it->second.connection.get();
}

size_t Tcp::send(SocketId id, base::ByteSpan data, base::Time now) {
    now_ = now;
    tcp::Connection* c = connection(id);
    if (!c) return 0;
    const size_t n = c->send(data, now);
    after(id, now);
    return n;
}

size_t Tcp::receive(SocketId id, base::MutableByteSpan out, base::Time now) {
    now_ = now;
    tcp::Connection* c = connection(id);
    if (!c) return 0;
    const size_t n = c->receive(out, now);
    after(id, now);
    return n;
}

void Tcp::shutdown(SocketId id, base::Time now) {
    now_ = now;
    if (tcp::Connection* c = connection(id)) {
        c->shutdown(now);
        after(id, now);
    }
}

size_t Tcp::open_connections() const {
    size_t n = 0;
    for (const auto& [id, e] : entries_) {
        const tcp::State st = e.connection->state();
        n += st != tcp::State::time_wait && st != tcp::State::closed;
    }
    return n;
}

size_t Tcp::shutdown_all(base::Time now) {
    std::vector<SocketId> ids;
    for (const auto& [id, e] : entries_)
        ids.push_back(id);
    for (SocketId id : ids)
        shutdown(id, now);  // may free entries: look each up again
    return open_connections();
}

base::Expected<void, SocketError> Tcp::set_options(SocketId id, const tcp::Options& options,
                                                   base::Time now) {
    now_ = now;
    tcp::Connection* c = connection(id);
    if (!c) return base::fail(SocketError::closed);
    if (options.problem() || !c->set_options(options, now))
        return base::fail(SocketError::invalid_argument);
    after(id, now);
    return {};
}

size_t Tcp::discard(SocketId id, size_t max, base::Time now) {
    now_ = now;
    tcp::Connection* c = connection(id);
    if (!c) return 0;
    const size_t n = c->discard(max, now);
    after(id, now);
    return n;
}

size_t Tcp::peek(SocketId id, base::MutableByteSpan out) {
    const tcp::Connection* c = connection(id);
    return c ? c->peek(out) : 0;
}

void Tcp::abort(SocketId id, base::Time now) {
    now_ = now;
    if (tcp::Connection* c = connection(id)) {
        c->abort(now);
        after(id, now);
    }
}

void Tcp::release(SocketId id, base::Time now) {
    now_ = now;
    if (const auto l = listeners_.find(id); l != listeners_.end()) {
        // Closing a listener resets what waited on it, as Linux does.
        std::vector<SocketId> waiting = l->second.pending;
        waiting.insert(waiting.end(), l->second.ready.begin(), l->second.ready.end());
        ports_.release(id);
        listeners_.erase(l);
        for (SocketId c : waiting) {
            Entry& e = entries_.at(c);
            e.listener.reset();
            e.released = true;
            e.connection->abort(now);
            after(c, now);
        }
        return;
    }
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    it->second.released = true;
    it->second.callback = nullptr;
    if (it->second.connection->state() != tcp::State::closed) it->second.connection->close(now);
    after(id, now);
}

void Tcp::on_event(SocketId id, std::function<void()> callback) {
    if (const auto l = listeners_.find(id); l != listeners_.end()) {
        l->second.callback = std::move(callback);
    } else if (const auto e = entries_.find(id); e != entries_.end()) {
        e->second.callback = std::move(callback);
    }
}

void Tcp::notify(const Entry& e) {
    if (e.callback) {
        auto callback = e.callback;  // it may release the socket
        callback();
    }
}

void Tcp::report_open_flows(base::Time now) {
    stack::Observer* o = host_.observer();
    if (!o) return;
    for (const auto& [id, e] : entries_)
        o->tcp_flow(now, e.connection->tuple(), e.connection->stats(), true);
}

tcp::Stats Tcp::connection_totals() const {
    tcp::Stats total = finished_totals_;
    for (const auto& [id, entry] : entries_)
        total += entry.connection->stats();
    return total;
}

void Tcp::forget(SocketId id) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    deadlines_.erase({it->second.indexed, id});
    const tcp::Connection& c = *it->second.connection;
    connections_.erase(c.tuple());
    finished_totals_ += c.stats();
    if (stack::Observer* o = host_.observer()) o->tcp_flow(now_, c.tuple(), c.stats(), false);
    ports_.release(id);
    if (it->second.listener) {
        if (const auto l = listeners_.find(*it->second.listener); l != listeners_.end()) {
            std::erase(l->second.pending, id);
            std::erase(l->second.ready, id);
        }
    }
    entries_.erase(it);
}

void Tcp::after(SocketId id, base::Time) {
    const auto it = entries_.find(id);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    tcp::Connection& c = *e.connection;

    const base::Time due = c.next_deadline();
    if (due != e.indexed) {
        // Moved, not made again: the set's node is taken out and put back
        // with its new time (a deadline changes with nearly every segment).
        auto node = deadlines_.extract({e.indexed, id});
        if (!due.is_never()) {
            if (node.empty()) {
                deadlines_.emplace(due, id);
            } else {
                node.value().first = due;
                deadlines_.insert(std::move(node));
            }
        }
        e.indexed = due;
    }

    if (e.listener) {
        const auto l = listeners_.find(*e.listener);
        if (l != listeners_.end() && c.synchronized()) {
            auto& pending = l->second.pending;
            if (std::find(pending.begin(), pending.end(), id) != pending.end()) {
                std::erase(pending, id);
                l->second.ready.push_back(id);
                if (l->second.callback) {
                    auto callback = l->second.callback;
                    callback();
                }
            }
        }
    }

    const bool closed = c.state() == tcp::State::closed;
    const bool orphan = e.listener.has_value() && !e.accepted;  // never handed to a program
    notify(e);
    if (closed && (e.released || (orphan && !c.synchronized()) || (orphan && c.error())))
        forget(id);
}

void Tcp::reset_for(const IpPacketInfo& info, const wire::TcpRepr& seg, base::Time now) {
    // RFC 9293 §3.10.7.1: a segment for no connection gets a RST that the
    // sender will accept.
    wire::TcpRepr rst{.src_port = seg.dst_port, .dst_port = seg.src_port};
    if (seg.flags.has(wire::TcpFlags::ack)) {
        rst.seq = seg.ack;
        rst.flags = wire::TcpFlags{wire::TcpFlags::rst};
    } else {
        rst.ack = seg.seq + seg.sequence_len();
        rst.flags = wire::TcpFlags{wire::TcpFlags::rst | wire::TcpFlags::ack};
    }
    ++stats_.resets_sent;
    const tcp::Tuple t{info.destination, seg.dst_port, info.source, seg.src_port};
    if (stack::Observer* o = host_.observer()) o->tcp_segment(now, t, true, rst, tcp::Reason::rst);
    emit(t, rst, now);
}

void Tcp::receive(const IpPacketInfo& info, base::PacketBuffer payload, base::Time now) {
    now_ = now;
    ++stats_.segments_in;
    const auto view = wire::TcpView::parse(payload.bytes());
    if (!view) {
        ++stats_.malformed;
        return host_.report_drop(DropReason::malformed, info, payload.bytes(), now);
    }
    // A segment whose checksum is still pending never left this process
    // (HostConfig::checksum_offload): its bytes are the ones sent.
    if (!payload.checksum_pending() && !view->checksum_valid(info.source, info.destination)) {
        ++stats_.bad_checksum;
        return host_.report_drop(DropReason::bad_checksum, info, payload.bytes(), now);
    }
    const auto seg =
        wire::TcpRepr::parse(*view, info.source, info.destination, wire::ChecksumCheck::ignore);
    if (!seg) {
        ++stats_.malformed;
        return host_.report_drop(DropReason::malformed, info, payload.bytes(), now);
    }
    const tcp::Tuple tuple{info.destination, seg->dst_port, info.source, seg->src_port};
    if (const auto it = connections_.find(tuple); it != connections_.end()) {
        const SocketId id = it->second;
        entries_.at(id).connection->process(*seg, now);
        after(id, now);
        return;
    }
    using wire::TcpFlags;
    const auto owner =
        ports_.lookup({info.destination, seg->dst_port}, {info.source, seg->src_port});
    const auto l = owner ? listeners_.find(*owner) : listeners_.end();
    if (l != listeners_.end()) {
        Listener& listener = l->second;
        if (seg->flags.has(TcpFlags::rst)) return;
        if (seg->flags.has(TcpFlags::ack)) {
            if (!seg->flags.has(TcpFlags::syn) && listener.cookies_sent &&
                now < listener.cookies_until) {
                if (accept_cookie(l->first, listener, tuple, *seg, now)) return;
                ++stats_.syn_cookies_rejected;
            }
            return reset_for(info, *seg, now);
        }
        if (!seg->flags.has(TcpFlags::syn)) return;
        // The backlog bounds what is half open and what waits for accept
        // together. Past it, a SYN gets a cookie while the accept queue has
        // room (Linux drops SYNs when it has none, cookies or not).
        const bool full = listener.pending.size() + listener.ready.size() >= listener.backlog;
        const bool accept_queue_full =
            listener.ready.size() >= listener.backlog || entries_.size() >= config_.max_connections;
        if (full && !accept_queue_full && config_.syn_cookies)
            return send_cookie(listener, tuple, *seg, now);
        if (full || accept_queue_full) {
            // No room: drop the SYN, the client will try again.
            ++stats_.listen_overflows;
            return host_.report_drop(DropReason::receive_queue_full, info, payload.bytes(), now);
        }
        const SocketId id = next_id_++;
        new_connection(id, tuple, listener.options);
        Entry& e = entries_.at(id);
        e.listener = l->first;
        listener.pending.push_back(id);
        e.connection->accept(*seg, isn(tuple, now), now);
        after(id, now);
        return;
    }
    if (!seg->flags.has(TcpFlags::rst)) reset_for(info, *seg, now);
    host_.report_drop(DropReason::port_unreachable, info, payload.bytes(), now);
}

void Tcp::send_cookie(Listener& listener, const tcp::Tuple& tuple, const wire::TcpRepr& syn,
                      base::Time now) {
    tcp::Config config = config_for(tuple.remote_address);
    listener.options.apply(config);
    const wire::SeqNum cookie =
        syn_cookie::make(cookie_key_, tuple, syn.seq, syn.mss.value_or(536), now);
    std::optional<uint32_t> tsval;
    if (syn.timestamps && config.timestamps) {
        tsval = syn_cookie::timestamp(
            static_cast<uint32_t>(now.ns() / 1'000'000),
            {.window_scale = config.window_scale ? syn.window_scale : std::nullopt,
             .sack_permitted = syn.sack_permitted && config.sack});
    }
    const wire::TcpRepr syn_ack = tcp::stateless_syn_ack(config, syn, cookie, tsval);
    listener.cookies_sent = true;
    listener.cookies_until = now + base::Duration::seconds(128);
    ++stats_.syn_cookies_sent;
    if (stack::Observer* o = host_.observer())
        o->tcp_segment(now, tuple, true, syn_ack, tcp::Reason::syn_ack);
    emit(tuple, syn_ack, now);
}

bool Tcp::accept_cookie(SocketId listener_id, Listener& listener, const tcp::Tuple& tuple,
                        const wire::TcpRepr& ack, base::Time now) {
    const wire::SeqNum client_isn = ack.seq - 1;
    const wire::SeqNum cookie = ack.ack - 1;
    const auto mss = syn_cookie::check(cookie_key_, tuple, client_isn, cookie, now);
    if (!mss) return false;
    if (listener.ready.size() >= listener.backlog || entries_.size() >= config_.max_connections) {
        // Nowhere to put it: as for a SYN, drop; the client sends again.
        ++stats_.listen_overflows;
        return true;
    }
    // The SYN as the cookie (and the echoed timestamp) recall it.
    wire::TcpRepr syn{.src_port = ack.src_port,
                      .dst_port = ack.dst_port,
                      .seq = client_isn,
                      .flags = wire::TcpFlags{wire::TcpFlags::syn},
                      .window = ack.window,
                      .mss = *mss};
    if (ack.timestamps) {
        const auto remembered = syn_cookie::from_timestamp(ack.timestamps->echo_reply);
        syn.window_scale = remembered.window_scale;
        syn.sack_permitted = remembered.sack_permitted;
        syn.timestamps = wire::TcpTimestamps{ack.timestamps->value, 0};
    }
    ++stats_.syn_cookies_accepted;
    const SocketId id = next_id_++;
    new_connection(id, tuple, listener.options);
    Entry& e = entries_.at(id);
    e.listener = listener_id;
    listener.pending.push_back(id);
    e.connection->accept_cookie(syn, cookie, ack, now);
    after(id, now);
    return true;
}

void Tcp::icmp_error(const IcmpError& error, base::Time now) {
    now_ = now;
    // The quote holds at least the ports and the sequence number.
    if (error.original_payload.size() < 8) return;
    const tcp::Tuple quoted{error.original_source, base::load_be16(error.original_payload, 0),
                            error.original_destination, base::load_be16(error.original_payload, 2)};
    const wire::SeqNum seq{base::load_be32(error.original_payload, 4)};
    std::optional<tcp::Error> e;
    switch (error.kind) {
        case IcmpErrorKind::port_unreachable:
        case IcmpErrorKind::protocol_unreachable:
            e = tcp::Error::refused;
            break;
        case IcmpErrorKind::host_unreachable:
            e = tcp::Error::host_unreachable;
            break;
        case IcmpErrorKind::network_unreachable:
            e = tcp::Error::network_unreachable;
            break;
        case IcmpErrorKind::packet_too_big: {
            // The host has lowered the path MTU (RFC 1191, RFC 8201); every
            // connection to that destination sends smaller segments from now
            // on, the one whose segment was quoted after checking it was in
            // flight.
            const auto mtu = host_.path_mtu(error.original_destination, now);
            const uint16_t headers = headers_towards(error.original_destination);
            if (!mtu || *mtu <= headers) return;
            const auto mss = static_cast<uint16_t>(*mtu - headers);
            const auto it = connections_.find(quoted);
            if (it == connections_.end()) return;  // not ours: nothing learned for TCP
            if (!entries_.at(it->second).connection->icmp_packet_too_big(mss, seq, now)) return;
            std::vector<SocketId> others;
            for (const auto& [t, id] : connections_) {
                if (t.remote_address == quoted.remote_address && id != it->second)
                    others.push_back(id);
            }
            for (SocketId id : others)
                entries_.at(id).connection->path_mss_limit(mss, now);
            others.push_back(it->second);
            for (SocketId id : others)
                after(id, now);
            return;
        }
        default:
            return;
    }
    const auto it = connections_.find(quoted);
    if (it == connections_.end()) return;
    entries_.at(it->second).connection->icmp_unreachable(*e, seq, now);
    after(it->second, now);
}

void Tcp::poll(base::Time now) {
    now_ = now;
    std::vector<SocketId> due;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it)
        due.push_back(it->second);
    for (SocketId id : due) {
        const auto it = entries_.find(id);
        if (it == entries_.end()) continue;
        it->second.connection->poll(now);
        after(id, now);
    }
}

base::Time Tcp::next_deadline() const {
    return deadlines_.empty() ? base::Time::never() : deadlines_.begin()->first;
}

void Tcp::segment_sent(base::Time t, const tcp::Tuple& tuple, const wire::TcpRepr& seg,
                       tcp::Reason r) {
    if (stack::Observer* o = host_.observer()) o->tcp_segment(t, tuple, true, seg, r);
}

void Tcp::segment_received(base::Time t, const tcp::Tuple& tuple, const wire::TcpRepr& seg,
                           tcp::Reason r) {
    if (stack::Observer* o = host_.observer()) o->tcp_segment(t, tuple, false, seg, r);
}

void Tcp::state_changed(base::Time t, const tcp::Tuple& tuple, tcp::State from, tcp::State to) {
    if (stack::Observer* o = host_.observer()) o->tcp_state(t, tuple, from, to);
}

void Tcp::window(base::Time t, const tcp::Tuple& tuple, uint32_t cwnd, uint32_t ssthresh,
                 std::optional<base::Duration> srtt) {
    if (stack::Observer* o = host_.observer()) o->tcp_window(t, tuple, cwnd, ssthresh, srtt);
}

}  // namespace stack
