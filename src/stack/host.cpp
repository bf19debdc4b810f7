#include "stack/host.hpp"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>

namespace stack {
namespace {

using wire::Icmpv4Type;
using wire::Ipv4Address;

// RFC 1812 §4.3.2.3: quote as much of the offending datagram as fits in 576
// bytes with the new IP and ICMP headers.
constexpr size_t max_icmp_quote = 576 - wire::ipv4::min_header_len - wire::icmpv4::header_len;

bool is_icmp_error(uint8_t type) {
    return type != static_cast<uint8_t>(Icmpv4Type::echo_request) &&
           type != static_cast<uint8_t>(Icmpv4Type::echo_reply);
}

}  // namespace

std::string_view to_string(SendError e) {
    switch (e) {
        case SendError::no_route:
            return "no route to host";
        case SendError::too_big:
            return "message too long";
        case SendError::no_source_address:
            return "no source address";
    }
    return "unknown";
}

Host::Host(HostConfig config, base::BufferPool& pool, base::Seed seed)
    : config_(std::move(config)),
      pool_(pool),
      random_(seed),
      arp_(config_.arp),
      reassembler_(config_.reassembly, pool),
      reassembler6_(config_.reassembly, pool),
      icmp_limiter_(config_.icmp_rate),
      neighbors_(config_.ipv6.neighbor),
      ip_identification_(static_cast<uint16_t>(random_.next_u32())) {}

InterfaceId Host::add_interface(InterfaceConfig c) {
    const auto id = static_cast<InterfaceId>(interfaces_.size());
    // 0.0.0.0: no IPv4 on this interface (an IPv6-only one).
    const bool has_ipv4 = !c.address.address.is_unspecified();
    if (has_ipv4) {
        routes_.add(
            Route{.destination = c.address, .interface = id, .source = RouteSource::connected});
        local_addresses_.insert(
            std::lower_bound(local_addresses_.begin(), local_addresses_.end(), c.address.address),
            c.address.address);
        local_address_bits_ |= address_bit(c.address.address);
    }
    const bool has_ipv6 = c.ipv6 || !c.ipv6_addresses.empty();
    const std::vector<wire::Ipv6Cidr> v6 = c.ipv6_addresses;
    interfaces_.push_back(std::move(c));
    ipv6_.emplace_back();
    if (has_ipv4) unannounced_.push_back(id);
    if (has_ipv6) {
        enable_ipv6(id);
        for (const wire::Ipv6Cidr& a : v6)
            add_ipv6_address(id, a, Ipv6Origin::manual);
    }
    return id;
}

std::optional<uint16_t> Host::mtu_towards(Ipv4Address dst) const {
    if (is_local_address(dst)) return interfaces_.empty() ? 1500 : interfaces_.front().mtu;
    const auto r = route_to(dst);
    if (!r) return std::nullopt;
    return interfaces_[r->interface].mtu;
}

std::optional<uint16_t> Host::path_mtu(Ipv4Address dst, base::Time now) const {
    const auto route = mtu_towards(dst);
    if (!route) return std::nullopt;
    return std::min(*route, path_mtu_.get(dst, now).value_or(*route));
}

bool Host::is_local_address(Ipv4Address a) const {
    return (local_address_bits_ & address_bit(a)) != 0 &&
           std::binary_search(local_addresses_.begin(), local_addresses_.end(), a);
}

std::optional<Host::NextHop> Host::route_to(Ipv4Address dst) const {
    const Route* r = routes_.best(dst);
    if (!r || r->interface >= interfaces_.size()) return std::nullopt;
    return NextHop{r->interface, r->gateway.value_or(dst)};
}

std::optional<Ipv4Address> Host::source_address_for(Ipv4Address dst) const {
    if (is_local_address(dst)) return dst;
    const auto r = route_to(dst);
    if (!r) return std::nullopt;
    return interfaces_[r->interface].address.address;
}

void Host::drop(DropReason reason, base::ByteSpan packet, base::Time now, Layer layer) {
    ++stats_.dropped;
    if (observer_) observer_->dropped(now, reason, layer, packet);
}

// ---- input -----------------------------------------------------------------

void Host::receive(InterfaceId in, base::PacketBuffer frame, base::Time now) {
    ++stats_.frames_received;
    if (observer_) observer_->frame_received(now, in, frame.bytes());
    if (in >= interfaces_.size())
        return drop(DropReason::malformed, frame.bytes(), now, Layer::frame);
    auto eth = wire::EthernetView::parse(frame.bytes());
    if (!eth) return drop(DropReason::malformed, frame.bytes(), now, Layer::frame);
    const wire::MacAddress dst = eth->dst();
    // IPv6 groups map to 33:33:…; which of them are ours is the IPv6 layer's
    // question (an interface listens to its addresses' solicited-node groups).
    if (dst != interfaces_[in].mac && !dst.is_broadcast() &&
        !(ipv6_[in].enabled && dst.octets()[0] == 0x33 && dst.octets()[1] == 0x33)) {
        return drop(DropReason::not_for_us, frame.bytes(), now, Layer::frame);
    }
    switch (eth->ethertype()) {
        case wire::EtherType::arp:
            handle_arp(in, eth->payload(), now);
            return;
        case wire::EtherType::ipv4:
            frame.trim_front(wire::ethernet::header_len);
            handle_ipv4(in, std::move(frame), dst.is_broadcast(), now);
            return;
        case wire::EtherType::ipv6:
            if (!ipv6_[in].enabled) break;
            frame.trim_front(wire::ethernet::header_len);
            handle_ipv6(in, std::move(frame), now);
            return;
        default:
            break;
    }
    drop(DropReason::unsupported, frame.bytes(), now, Layer::frame);
}

void Host::handle_arp(InterfaceId in, base::ByteSpan payload, base::Time now) {
    auto view = wire::ArpView::parse(payload);
    if (!view) {
        const auto reason = view.error() == wire::Error::truncated ? DropReason::malformed
                                                                   : DropReason::unsupported;
        return drop(reason, payload, now, Layer::arp);
    }
    auto arp = wire::ArpRepr::parse(*view);
    if (!arp) return drop(DropReason::unsupported, payload, now, Layer::arp);
    const InterfaceConfig& ifc = interfaces_[in];
    const bool for_us = arp->target_ip == ifc.address.address;

    // RFC 826's merge: update a known sender; create it only if we are the
    // target. An ARP probe (sender 0.0.0.0, RFC 5227) teaches nothing.
    if (!arp->sender_ip.is_unspecified() && arp->sender_ip != ifc.address.address) {
        const ArpCache::Key key{in, arp->sender_ip};
        const bool was_known = arp_.lookup(key, now).has_value();
        auto waiting = arp_.learn(key, arp->sender_mac, now, for_us);
        if (observer_ && (!waiting.empty() || (for_us && !was_known))) {
            observer_->arp(now, ArpEvent::resolved, arp->sender_ip, arp->sender_mac);
        }
        for (ArpCache::Waiting& w : waiting) {
            transmit(in, arp->sender_mac, wire::EtherType::ipv4, std::move(w.packet), now);
        }
    }
    if (for_us && arp->operation == wire::ArpOperation::request) {
        send_arp(in, wire::ArpOperation::reply, arp->sender_mac, arp->sender_ip, arp->sender_mac,
                 now);
        if (observer_) observer_->arp(now, ArpEvent::reply_sent, arp->sender_ip, arp->sender_mac);
    }
}

void Host::handle_ipv4(InterfaceId in, base::PacketBuffer&& packet, bool link_broadcast,
                       base::Time now) {
    auto view = wire::Ipv4View::parse(packet.bytes());
    if (!view) return drop(DropReason::malformed, packet.bytes(), now);
    if (!view->checksum_valid()) return drop(DropReason::bad_checksum, packet.bytes(), now);
    const Ipv4Address dst = view->dst();
    packet.truncate(view->total_len());  // link-layer padding ends here

    const InterfaceConfig& ifc = interfaces_[in];
    // A packet from the wire claiming to come from us (or from a group or a
    // broadcast) is spoofed or looped: Linux drops it as a martian, and a
    // router that forwarded it would pass off its sender's bytes as ours.
    const Ipv4Address src = view->src();
    if (is_local_address(src) || src.is_broadcast() || src.is_multicast() ||
        (ifc.address.prefix_len < 31 && src == ifc.address.broadcast())) {
        return drop(DropReason::martian_source, packet.bytes(), now);
    }
    const bool subnet_broadcast = ifc.address.prefix_len < 31 && dst == ifc.address.broadcast();
    if (is_local_address(dst) || dst.is_broadcast() || subnet_broadcast) {
        return deliver(in, std::move(packet), now);
    }
    if (config_.forwarding && !link_broadcast && !dst.is_multicast()) {
        if (src.is_unspecified() || src.is_loopback())
            return drop(DropReason::martian_source, packet.bytes(), now);
        return forward(in, std::move(packet), *view, now);
    }
    drop(DropReason::not_for_us, packet.bytes(), now);
}

void Host::forward(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv4View& view,
                   base::Time now) {
    if (view.ttl() <= 1) {
        icmp_error(packet.bytes(), Icmpv4Type::time_exceeded,
                   static_cast<uint8_t>(wire::TimeExceededCode::ttl), 0, now);
        return drop(DropReason::ttl_expired, packet.bytes(), now);
    }
    const auto route = route_to(view.dst());
    if (!route) {
        icmp_error(packet.bytes(), Icmpv4Type::dest_unreachable,
                   static_cast<uint8_t>(wire::UnreachableCode::net), 0, now);
        return drop(DropReason::no_route, packet.bytes(), now);
    }
    wire::ipv4::decrement_ttl(packet.bytes().first(view.header_len()));
    ++stats_.packets_forwarded;
    if (observer_) observer_->forwarded(now, in, route->interface, packet.bytes());
    output(route->interface, route->address, std::move(packet), /*originated=*/false, now);
}

void Host::deliver(InterfaceId in, base::PacketBuffer&& packet, base::Time now) {
    auto view = wire::Ipv4View::parse(packet.bytes());
    assert(view);
    if (view->is_fragment()) {
        auto outcome = reassembler_.add(*view, now);
        switch (outcome.kind) {
            case Reassembler::Outcome::Kind::incomplete:
                return;
            case Reassembler::Outcome::Kind::dropped:
                return drop(outcome.reason, packet.bytes(), now);
            case Reassembler::Outcome::Kind::complete:
                break;
        }
        packet = std::move(outcome.datagram);
        view = wire::Ipv4View::parse(packet.bytes());
        assert(view);
        ++stats_.datagrams_reassembled;
        if (observer_) observer_->reassembled(now, packet.bytes(), outcome.fragments);
    }
    const auto repr =
        wire::Ipv4Repr::parse(*view, wire::ChecksumCheck::ignore);  // verified on input
    const size_t header_len = view->header_len();
    ++stats_.packets_delivered;

    if (repr->protocol == wire::IpProtocol::icmp) {
        packet.trim_front(header_len);  // the header bytes stay in place, so the view's hold
        return handle_icmp(*repr, view->header(), std::move(packet), now);
    }
    for (const auto& [protocol, transport] : transports_) {
        if (protocol == repr->protocol) {
            const IpPacketInfo info{.source = repr->src,
                                    .destination = repr->dst,
                                    .ttl = repr->ttl,
                                    .identification = repr->identification,
                                    .header = view->header(),
                                    .interface = in};
            packet.trim_front(header_len);
            transport->receive(info, std::move(packet), now);
            return;
        }
    }
    icmp_error(packet.bytes(), Icmpv4Type::dest_unreachable,
               static_cast<uint8_t>(wire::UnreachableCode::protocol), 0, now);
    drop(DropReason::protocol_unreachable, packet.bytes(), now);
}

std::optional<IcmpErrorKind> icmp_error_kind(Icmpv4Type type, uint8_t code) {
    using wire::UnreachableCode;
    if (type == Icmpv4Type::time_exceeded) {
        return code == 0 ? IcmpErrorKind::time_exceeded : IcmpErrorKind::reassembly_time_exceeded;
    }
    if (type != Icmpv4Type::dest_unreachable) return std::nullopt;
    switch (UnreachableCode{code}) {
        case UnreachableCode::net:
        case UnreachableCode::net_unknown:
            return IcmpErrorKind::network_unreachable;
        case UnreachableCode::host:
        case UnreachableCode::host_unknown:
            return IcmpErrorKind::host_unreachable;
        case UnreachableCode::protocol:
            return IcmpErrorKind::protocol_unreachable;
        case UnreachableCode::port:
            return IcmpErrorKind::port_unreachable;
        case UnreachableCode::fragmentation_needed:
            return IcmpErrorKind::packet_too_big;
        case UnreachableCode::admin_prohibited:
            return IcmpErrorKind::prohibited;
        default:
            return IcmpErrorKind::unreachable_other;
    }
}

std::optional<IcmpError> Host::parse_quoted(const wire::Ipv4Repr& ip,
                                            const wire::Icmpv4Repr& icmp) const {
    const auto kind = icmp_error_kind(icmp.type, icmp.code);
    if (!kind) return std::nullopt;
    const auto quoted = wire::Ipv4View::parse_truncated(icmp.data);
    if (!quoted) return std::nullopt;
    return IcmpError{.reporter = ip.src,
                     .kind = *kind,
                     .type = static_cast<uint8_t>(icmp.type),
                     .code = icmp.code,
                     .mtu = icmp.next_hop_mtu,
                     .original_source = quoted->src(),
                     .original_destination = quoted->dst(),
                     .original_protocol = quoted->protocol(),
                     .original_payload = quoted->payload()};
}

void Host::handle_icmp(const wire::Ipv4Repr& ip, base::ByteSpan header,
                       base::PacketBuffer&& payload, base::Time now) {
    // The header was trimmed off in place: header and payload are contiguous.
    assert(header.data() + header.size() == payload.bytes().data());
    const base::ByteSpan whole{header.data(), header.size() + payload.size()};
    auto view = wire::Icmpv4View::parse(payload.bytes());
    if (!view) return drop(DropReason::malformed, whole, now);
    auto icmp = wire::Icmpv4Repr::parse(*view);
    if (!icmp) {
        const auto reason = icmp.error() == wire::Error::bad_checksum ? DropReason::bad_checksum
                                                                      : DropReason::unsupported;
        return drop(reason, whole, now);
    }
    if (observer_) observer_->icmp_received(now, ip.src, *icmp);

    if (icmp->type == Icmpv4Type::echo_request) {
        // Like Linux (icmp_echo_ignore_broadcasts), broadcast pings go unanswered.
        if (!is_local_address(ip.dst)) return;
        const wire::Icmpv4Repr reply{.type = Icmpv4Type::echo_reply,
                                     .identifier = icmp->identifier,
                                     .sequence = icmp->sequence,
                                     .data = icmp->data};
        (void)send_icmp(ip.src, reply, now, {}, ip.dst);
        return;
    }

    const IcmpMessage message{.from = ip.src,
                              .to = ip.dst,
                              .ttl = ip.ttl,
                              .icmp = *icmp,
                              .error = parse_quoted(ip, *icmp)};
    // Listeners may remove themselves while being told.
    const std::vector<IcmpListener*> listeners = icmp_listeners_;
    for (IcmpListener* l : listeners) {
        if (std::find(icmp_listeners_.begin(), icmp_listeners_.end(), l) != icmp_listeners_.end()) {
            l->icmp_received(message, now);
        }
    }
    if (!message.error) return;
    // RFC 1191: "fragmentation needed" about a packet of ours lowers the
    // path MTU to its destination (before the transport hears of it).
    const IcmpError& error = *message.error;
    if (error.kind == IcmpErrorKind::packet_too_big &&
        is_local_address(error.original_source.v4())) {
        const auto quoted = wire::Ipv4View::parse_truncated(icmp->data);
        const Ipv4Address original_dst = error.original_destination.v4();
        if (const auto route = mtu_towards(original_dst)) {
            (void)path_mtu_.lower(original_dst, icmp->next_hop_mtu, quoted->total_len(), *route,
                                  now);
        }
    }
    tell_transport(error, now);
}

void Host::tell_transport(const IcmpError& error, base::Time now) {
    for (const auto& [protocol, transport] : transports_) {
        if (protocol == error.original_protocol) transport->icmp_error(error, now);
    }
}

// ---- output ----------------------------------------------------------------

base::Expected<void, SendError> Host::send_ip(Ipv4Address dst, wire::IpProtocol protocol,
                                              base::PacketBuffer payload, base::Time now,
                                              SendOptions options) {
    return send_from(options.source, dst, protocol, std::move(payload), now, options);
}

base::Expected<void, SendError> Host::send_from(std::optional<Ipv4Address> src, Ipv4Address dst,
                                                wire::IpProtocol protocol,
                                                base::PacketBuffer&& payload, base::Time now,
                                                SendOptions options) {
    if (payload.size() > wire::ipv4::max_packet_len - wire::ipv4::min_header_len) {
        return base::fail(SendError::too_big);
    }
    wire::Ipv4Repr ip{.dst = dst,
                      .protocol = protocol,
                      .ttl = options.ttl != 0 ? options.ttl : config_.default_ttl,
                      .dscp = options.dscp,
                      .identification = next_identification(),
                      .dont_fragment = options.dont_fragment,
                      .payload_len = static_cast<uint16_t>(payload.size())};

    if (is_local_address(dst)) {
        ip.src = src.value_or(dst);
        ip.emit(payload.prepend(wire::Ipv4Repr::buffer_len()));
        ++stats_.packets_sent;
        loopback_.push_back(std::move(payload));
        return {};
    }
    const auto route = route_to(dst);
    if (!route) return base::fail(SendError::no_route);
    const InterfaceConfig& ifc = interfaces_[route->interface];
    ip.src = src.value_or(ifc.address.address);
    if (ip.src.is_unspecified()) return base::fail(SendError::no_source_address);
    const uint16_t mtu = std::min(ifc.mtu, path_mtu_.get(dst, now).value_or(ifc.mtu));
    if (options.dont_fragment && wire::ipv4::min_header_len + payload.size() > mtu) {
        return base::fail(SendError::too_big);
    }
    ip.emit(payload.prepend(wire::Ipv4Repr::buffer_len()));
    ++stats_.packets_sent;
    output(route->interface, route->address, std::move(payload), /*originated=*/true, now, mtu);
    return {};
}

bool Host::output(InterfaceId out, Ipv4Address next_hop, base::PacketBuffer&& packet,
                  bool originated, base::Time now, std::optional<uint16_t> path_mtu) {
    // What we send ourselves is cut to the path's MTU, what we forward to the link's.
    const uint16_t mtu = path_mtu.value_or(interfaces_[out].mtu);
    if (packet.size() <= mtu) {
        output_frame(out, next_hop, std::move(packet), now);
        return true;
    }
    wire::checksum::complete_pending(packet);  // the fragments carry pieces of it
    const auto view = wire::Ipv4View::parse(packet.bytes());
    assert(view);
    const size_t header_len = view->header_len();
    // Fragments carry multiples of 8 bytes (RFC 791), so round the room down.
    const size_t chunk = mtu > header_len ? (mtu - header_len) / 8 * 8 : 0;
    if (view->dont_fragment() || chunk == 0) {
        if (!originated) {
            icmp_error(packet.bytes(), Icmpv4Type::dest_unreachable,
                       static_cast<uint8_t>(wire::UnreachableCode::fragmentation_needed), mtu, now);
        }
        drop(DropReason::too_big, packet.bytes(), now);
        return false;
    }
    // Options are copied into every fragment as they are (RFC 791 would drop the
    // ones without the copy flag from later fragments; this stack sends none).
    const base::ByteSpan header = view->header();
    const base::ByteSpan payload = view->payload();
    const uint16_t base_offset = view->fragment_offset();
    const bool more_after = view->more_fragments();
    for (size_t at = 0; at < payload.size(); at += chunk) {
        const size_t len = std::min(chunk, payload.size() - at);
        base::PacketBuffer fragment =
            pool_.acquire(pool_.config().default_headroom, header_len + len);
        auto h = fragment.append(header_len);
        base::copy_bytes(h, header);
        fragment.append(payload.subspan(at, len));
        wire::ipv4::set_fragment_fields(h, static_cast<uint16_t>(header_len + len),
                                        more_after || at + len < payload.size(),
                                        static_cast<uint16_t>(base_offset + at));
        ++stats_.fragments_sent;
        output_frame(out, next_hop, std::move(fragment), now);
    }
    return true;
}

void Host::output_frame(InterfaceId out, Ipv4Address next_hop, base::PacketBuffer&& packet,
                        base::Time now) {
    const InterfaceConfig& ifc = interfaces_[out];
    if (next_hop.is_broadcast() ||
        (ifc.address.prefix_len < 31 && next_hop == ifc.address.broadcast())) {
        return transmit(out, wire::MacAddress::broadcast(), wire::EtherType::ipv4,
                        std::move(packet), now);
    }
    const ArpCache::Key key{out, next_hop};
    if (const auto mac = arp_.lookup(key, now)) {
        return transmit(out, *mac, wire::EtherType::ipv4, std::move(packet), now);
    }
    switch (arp_.enqueue(key, packet, now)) {
        case ArpCache::Queued::send_request:
            send_arp(out, wire::ArpOperation::request, wire::MacAddress{}, next_hop,
                     wire::MacAddress::broadcast(), now);
            if (observer_)
                observer_->arp(now, ArpEvent::request_sent, next_hop, wire::MacAddress{});
            break;
        case ArpCache::Queued::waiting:
            break;
        case ArpCache::Queued::queue_full:
            drop(DropReason::arp_queue_full, packet.bytes(), now);
            break;
    }
}

void Host::transmit(InterfaceId out, wire::MacAddress dst, wire::EtherType type,
                    base::PacketBuffer&& payload, base::Time now) {
    const wire::EthernetRepr eth{.dst = dst, .src = interfaces_[out].mac, .ethertype = type};
    eth.emit(payload.prepend(wire::EthernetRepr::buffer_len()));
    ++stats_.frames_sent;
    if (payload.checksum_pending() && observer_ && observer_->wants_frame_bytes())
        wire::checksum::complete_pending(payload);
    if (observer_) observer_->frame_sent(now, out, payload.bytes());
    if (sink_) sink_(out, std::move(payload));
}

void Host::send_arp(InterfaceId out, wire::ArpOperation op, wire::MacAddress target_mac,
                    Ipv4Address target_ip, wire::MacAddress link_dst, base::Time now) {
    const InterfaceConfig& ifc = interfaces_[out];
    const wire::ArpRepr arp{.operation = op,
                            .sender_mac = ifc.mac,
                            .sender_ip = ifc.address.address,
                            .target_mac = target_mac,
                            .target_ip = target_ip};
    base::PacketBuffer p = pool_.acquire();
    arp.emit(p.append(wire::ArpRepr::buffer_len()));
    transmit(out, link_dst, wire::EtherType::arp, std::move(p), now);
}

base::Expected<void, SendError> Host::send_icmp(Ipv4Address dst, const wire::Icmpv4Repr& icmp,
                                                base::Time now, SendOptions options,
                                                std::optional<Ipv4Address> src) {
    base::PacketBuffer p = pool_.acquire();
    icmp.emit(p.append(icmp.buffer_len()));
    auto sent = send_from(src, dst, wire::IpProtocol::icmp, std::move(p), now, options);
    if (sent && observer_) observer_->icmp_sent(now, dst, icmp);
    return sent;
}

base::Expected<void, SendError> Host::send_echo_request(Ipv4Address dst, uint16_t identifier,
                                                        uint16_t sequence, base::ByteSpan data,
                                                        base::Time now, SendOptions options) {
    const wire::Icmpv4Repr echo{.type = Icmpv4Type::echo_request,
                                .identifier = identifier,
                                .sequence = sequence,
                                .data = data};
    return send_icmp(dst, echo, now, options);
}

void Host::send_port_unreachable(const IpPacketInfo& offending, base::ByteSpan payload,
                                 base::Time now) {
    if (offending.destination.is_v6()) {
        // The header and the payload are contiguous (the transport was handed
        // the packet trimmed in place); icmpv6_error quotes what fits.
        if (offending.header.data() + offending.header.size() != payload.data()) return;
        const base::ByteSpan packet{offending.header.data(),
                                    offending.header.size() + payload.size()};
        return icmpv6_error(packet, wire::Icmpv6Type::dest_unreachable,
                            static_cast<uint8_t>(wire::Icmpv6UnreachableCode::port), 0, now);
    }
    std::vector<std::byte> quoted(offending.header.begin(), offending.header.end());
    const size_t take = std::min(payload.size(), max_icmp_quote);
    quoted.insert(quoted.end(), payload.begin(), payload.begin() + static_cast<ptrdiff_t>(take));
    icmp_error(quoted, Icmpv4Type::dest_unreachable,
               static_cast<uint8_t>(wire::UnreachableCode::port), 0, now);
}

void Host::icmp_error(base::ByteSpan offending, Icmpv4Type type, uint8_t code,
                      uint16_t next_hop_mtu, base::Time now) {
    if (!config_.icmp_errors) return;
    // RFC 1122 §3.2.2 and RFC 1812 §4.3.2.7: no error about an error, a
    // non-initial fragment, or a datagram to or from a non-unicast address.
    const auto view = wire::Ipv4View::parse_truncated(offending);
    if (!view || view->fragment_offset() != 0) return;
    const Ipv4Address src = view->src();
    const Ipv4Address dst = view->dst();
    if (src.is_unspecified() || src.is_broadcast() || src.is_multicast() || src.is_loopback() ||
        dst.is_broadcast() || dst.is_multicast()) {
        return;
    }
    if (view->protocol() == wire::IpProtocol::icmp &&
        (view->payload().empty() || is_icmp_error(base::load_u8(view->payload(), 0)))) {
        return;
    }
    if (!icmp_limiter_.allow(src, now)) {
        ++stats_.icmp_errors_rate_limited;
        return;
    }
    const size_t quote_len = std::min(view->bytes().size(), view->header_len() + max_icmp_quote);
    const wire::Icmpv4Repr error{.type = type,
                                 .code = code,
                                 .next_hop_mtu = next_hop_mtu,
                                 .data = view->bytes().first(quote_len)};
    ++stats_.icmp_errors_sent;
    // An error about a datagram addressed to us comes from that address.
    const std::optional<Ipv4Address> from =
        is_local_address(dst) ? std::optional(dst) : std::nullopt;
    (void)send_icmp(src, error, now, {}, from);
}

// ---- timers ----------------------------------------------------------------

void Host::poll(base::Time now) {
    for (InterfaceId id : unannounced_) {
        const Ipv4Address own = interfaces_[id].address.address;
        send_arp(id, wire::ArpOperation::request, wire::MacAddress{}, own,
                 wire::MacAddress::broadcast(), now);
        if (observer_) observer_->arp(now, ArpEvent::gratuitous_sent, own, interfaces_[id].mac);
    }
    unannounced_.clear();

    if (!loopback_.empty()) {
        std::vector<base::PacketBuffer> looped = std::move(loopback_);
        loopback_.clear();
        for (base::PacketBuffer& p : looped) {
            if (!p.bytes().empty() && (base::load_u8(p.bytes(), 0) >> 4) == 6) {
                loop_back6(std::move(p), now);
                continue;
            }
            const auto view = wire::Ipv4View::parse(p.bytes());
            const auto it = std::find_if(
                interfaces_.begin(), interfaces_.end(),
                [&](const InterfaceConfig& i) { return view && i.address.address == view->dst(); });
            deliver(static_cast<InterfaceId>(it - interfaces_.begin()), std::move(p), now);
        }
    }

    // Most polls find no ARP request or reassembly due: skip their walks.
    if (arp_.next_deadline() <= now) poll_arp(now);
    if (reassembler_.next_deadline() <= now) poll_reassembly(now);
    if (ipv6_any_ && ipv6_deadline() <= now) poll_ipv6(now);

    // A pollable may detach others (or itself) while it is polled: walk a
    // copy, in a vector kept for it (no allocation per poll).
    polling_.assign(pollables_.begin(), pollables_.end());
    for (Pollable* p : polling_) {
        if (std::find(pollables_.begin(), pollables_.end(), p) != pollables_.end()) p->poll(now);
    }
}

void Host::poll_arp(base::Time now) {
    arp_.poll(
        now,
        [&](ArpCache::Key key) {
            send_arp(key.interface, wire::ArpOperation::request, wire::MacAddress{}, key.ip,
                     wire::MacAddress::broadcast(), now);
            if (observer_) observer_->arp(now, ArpEvent::request_sent, key.ip, wire::MacAddress{});
        },
        [&](ArpCache::Key key, std::vector<ArpCache::Waiting> packets) {
            if (observer_) observer_->arp(now, ArpEvent::failed, key.ip, wire::MacAddress{});
            for (ArpCache::Waiting& w : packets) {
                icmp_error(w.packet.bytes(), Icmpv4Type::dest_unreachable,
                           static_cast<uint8_t>(wire::UnreachableCode::host), 0, now);
                drop(DropReason::arp_failed, w.packet.bytes(), now);
            }
        });
}

void Host::poll_reassembly(base::Time now) {
    reassembler_.poll(now, [&](base::ByteSpan first_fragment, size_t) {
        if (!first_fragment.empty()) {
            icmp_error(first_fragment, Icmpv4Type::time_exceeded,
                       static_cast<uint8_t>(wire::TimeExceededCode::reassembly), 0, now);
        }
        drop(DropReason::reassembly_timeout, first_fragment, now);
    });
}

base::Time Host::next_deadline() const {
    if (!unannounced_.empty() || !loopback_.empty()) return base::Time::zero();
    base::Time t = std::min(arp_.next_deadline(), reassembler_.next_deadline());
    if (ipv6_any_) t = std::min(t, ipv6_deadline());  // an IPv4-only host asks nothing more
    for (const Pollable* p : pollables_)
        t = std::min(t, p->next_deadline());
    return t;
}

// ---- either version, for transports ----------------------------------------

std::optional<wire::IpAddress> Host::source_address_for(const wire::IpAddress& dst) const {
    if (dst.is_v4()) {
        const auto source = source_address_for(dst.v4());
        return source ? std::optional<wire::IpAddress>(*source) : std::nullopt;
    }
    const auto source = source_address_for(dst.v6());
    return source ? std::optional<wire::IpAddress>(*source) : std::nullopt;
}

bool Host::is_local_address(const wire::IpAddress& a) const {
    return a.is_v4() ? is_local_address(a.v4()) : is_local_address(a.v6());
}

std::optional<uint16_t> Host::path_mtu(const wire::IpAddress& dst, base::Time now) const {
    return dst.is_v4() ? path_mtu(dst.v4(), now) : path_mtu(dst.v6(), now);
}

// ---- registration ----------------------------------------------------------

void Host::report_drop(DropReason reason, const IpPacketInfo& info, base::ByteSpan payload,
                       base::Time now) {
    // Transports get the payload trimmed in place, behind the header.
    const bool contiguous = info.header.data() + info.header.size() == payload.data();
    drop(reason,
         contiguous ? base::ByteSpan{info.header.data(), info.header.size() + payload.size()}
                    : payload,
         now, info.destination.is_v6() ? Layer::ipv6 : Layer::ipv4);
}

void Host::set_transport(wire::IpProtocol protocol, Transport* transport) {
    for (const auto& [p, t] : transports_) {
        if (p == protocol && t != transport) {
            std::fprintf(stderr,
                         "minternet: host %s: a second transport for IP protocol %u (one socket "
                         "runtime per host)\n",
                         config_.name.c_str(), static_cast<unsigned>(protocol));
            std::abort();
        }
    }
    std::erase_if(transports_, [&](const auto& entry) { return entry.first == protocol; });
    if (transport) transports_.emplace_back(protocol, transport);
}

void Host::remove_transport(wire::IpProtocol protocol, const Transport* transport) {
    std::erase_if(transports_, [&](const auto& entry) {
        return entry.first == protocol && entry.second == transport;
    });
}

void Host::add_icmp_listener(IcmpListener* listener) {
    icmp_listeners_.push_back(listener);
}

void Host::remove_icmp_listener(IcmpListener* listener) {
    std::erase(icmp_listeners_, listener);
}

void Host::attach(Pollable* p) {
    pollables_.push_back(p);
}

void Host::detach(Pollable* p) {
    std::erase(pollables_, p);
}

}  // namespace stack
