// The host's IPv6 half: interface addresses and duplicate address detection
// (RFC 4862), neighbour discovery (RFC 4861), input, forwarding with the hop
// limit and without fragmentation (RFC 8200), ICMPv6 (RFC 4443). The IPv4
// half is host.cpp; they share the interfaces, the frame sink and the ICMP
// error rate limit.
#include <algorithm>
#include <bit>
#include <cassert>
#include <utility>

#include "stack/host.hpp"

namespace stack {
namespace {

using wire::Icmpv6Type;
using wire::Ipv6Address;
using wire::Ipv6Cidr;

constexpr auto icmpv6_number = static_cast<uint8_t>(wire::IpProtocol::icmpv6);

// Link-scoped: the address means something only on one link.
bool is_link_scoped(const Ipv6Address& a) {
    return a.is_link_local() || (a.is_multicast() && (a.bytes()[1] & 0x0f) <= 2);
}

// How many leading bits two addresses share (RFC 6724 rule 8).
int common_prefix_len(const Ipv6Address& a, const Ipv6Address& b) {
    int n = 0;
    for (size_t i = 0; i < 16; ++i) {
        const auto x = static_cast<uint8_t>(a.bytes()[i] ^ b.bytes()[i]);
        if (x == 0) {
            n += 8;
            continue;
        }
        return n + std::countl_zero(x);
    }
    return n;
}

// RFC 8200 §4.2: what an unrecognised option asks, by its type's top bits.
enum class UnknownOption : uint8_t {
    skip,
    discard,
    discard_and_report,
    discard_and_report_unicast
};

UnknownOption unknown_option_action(uint8_t type) {
    switch (type >> 6) {
        case 0:
            return UnknownOption::skip;
        case 1:
            return UnknownOption::discard;
        case 2:
            return UnknownOption::discard_and_report;
        default:
            return UnknownOption::discard_and_report_unicast;
    }
}

// The first option in `options` (a hop-by-hop header's options, starting
// `at` bytes into the packet) this host does not know and must not skip, as
// its offset in the packet. Pad1, PadN and router alert are known.
std::optional<std::pair<size_t, UnknownOption>> refused_option(base::ByteSpan options, size_t at) {
    size_t i = 0;
    while (i < options.size()) {
        const uint8_t type = base::load_u8(options, i);
        if (type == 0) {  // Pad1
            ++i;
            continue;
        }
        if (i + 2 > options.size()) break;  // the walk checked the lengths
        const size_t len = 2 + size_t{base::load_u8(options, i + 1)};
        const bool known = type == 1 || type == 5;  // PadN, router alert
        if (!known) {
            const UnknownOption action = unknown_option_action(type);
            if (action != UnknownOption::skip) return std::pair{at + i, action};
        }
        i += len;
    }
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Ipv6AddressState s) {
    switch (s) {
        case Ipv6AddressState::tentative:
            return "tentative";
        case Ipv6AddressState::preferred:
            return "preferred";
        case Ipv6AddressState::deprecated:
            return "deprecated";
        case Ipv6AddressState::duplicated:
            return "duplicated";
    }
    return "unknown";
}

// ---- addresses ---------------------------------------------------------------

void Host::enable_ipv6(InterfaceId id) {
    Ipv6Interface& i = ipv6_[id];
    if (i.enabled) return;
    i.enabled = true;
    ipv6_any_ = true;
    const Ipv6Address link_local =
        Ipv6Address::eui64(Ipv6Address::link_local_prefix(), interfaces_[id].mac);
    add_ipv6_address(id, Ipv6Cidr{link_local, 64}, Ipv6Origin::link_local);
}

void Host::configure_ipv6_address(InterfaceId id, Ipv6Cidr address) {
    enable_ipv6(id);
    add_ipv6_address(id, address, Ipv6Origin::manual);
    auto& listed = interfaces_[id].ipv6_addresses;
    if (std::find(listed.begin(), listed.end(), address) == listed.end()) listed.push_back(address);
}

void Host::add_ipv6_address(InterfaceId id, Ipv6Cidr address, Ipv6Origin origin) {
    Ipv6Interface& i = ipv6_[id];
    if (own_address(id, address.address)) return;
    const bool check = config_.ipv6.dad_transmits > 0;
    i.addresses.push_back(Ipv6InterfaceAddress{
        .address = address,
        .origin = origin,
        .state = check ? Ipv6AddressState::tentative : Ipv6AddressState::preferred,
        .dad_sent = 0,
        .dad_next = base::Time::zero(),  // the first solicitation on the next poll
    });
    if (check) dad_deadline_ = base::Time::zero();
    // The prefix is on this link (a /128 names only the address).
    if (address.prefix_len < 128) {
        const Ipv6Route connected{.destination = {address.network(), address.prefix_len},
                                  .interface = id,
                                  .source = RouteSource::connected};
        if (!routes6_.contains(connected)) routes6_.add(connected);
    }
}

const Ipv6InterfaceAddress* Host::own_address(InterfaceId id, const Ipv6Address& a) const {
    if (id >= ipv6_.size()) return nullptr;
    for (const Ipv6InterfaceAddress& x : ipv6_[id].addresses) {
        if (x.address.address == a) return &x;
    }
    return nullptr;
}

Ipv6InterfaceAddress* Host::own_address(InterfaceId id, const Ipv6Address& a) {
    return const_cast<Ipv6InterfaceAddress*>(std::as_const(*this).own_address(id, a));
}

bool Host::is_local_address(const Ipv6Address& a) const {
    for (InterfaceId id = 0; id < ipv6_.size(); ++id) {
        const Ipv6InterfaceAddress* x = own_address(id, a);
        if (x &&
            (x->state == Ipv6AddressState::preferred || x->state == Ipv6AddressState::deprecated)) {
            return true;
        }
    }
    return false;
}

bool Host::listens_to(InterfaceId id, const Ipv6Address& dst) const {
    if (dst == Ipv6Address::all_nodes()) return true;
    if (dst == Ipv6Address::all_routers()) return config_.forwarding;
    for (const Ipv6InterfaceAddress& x : ipv6_[id].addresses) {
        // Tentative addresses too: detection listens for other claimants.
        if (x.state != Ipv6AddressState::duplicated && x.address.address.solicited_node() == dst)
            return true;
    }
    return false;
}

std::optional<Ipv6Address> Host::source_address_for(const Ipv6Address& dst,
                                                    Send6Options options) const {
    if (is_local_address(dst)) return dst;
    const bool link_scoped = is_link_scoped(dst);
    std::optional<InterfaceId> out = options.interface;
    if (!out && link_scoped) {
        out = first_ipv6_interface();
    } else if (!out) {
        if (const Ipv6Route* r = routes6_.best(dst)) out = r->interface;
    }
    std::optional<Ipv6Address> best;
    int best_len = -1;
    // RFC 6724's rules, those that matter here: a preferred address (rule
    // 3), of the destination's scope (rule 2), on the outgoing interface
    // (rule 5), sharing the longest prefix with it (rule 8).
    const auto consider = [&](InterfaceId id) {
        for (const Ipv6InterfaceAddress& x : ipv6_[id].addresses) {
            if (x.state != Ipv6AddressState::preferred) continue;
            if (x.address.address.is_link_local() != link_scoped) continue;
            const int len = common_prefix_len(x.address.address, dst);
            if (len > best_len) {
                best = x.address.address;
                best_len = len;
            }
        }
    };
    if (out && *out < ipv6_.size()) consider(*out);
    if (!best && !link_scoped) {
        for (InterfaceId id = 0; id < ipv6_.size(); ++id)
            consider(id);
    }
    return best;
}

std::optional<InterfaceId> Host::first_ipv6_interface() const {
    // A link-scoped destination names no link: without one given, the first
    // interface with IPv6 (as a ping to fe80::… without -I on Linux fails,
    // this one guesses; docs/ipv6.md).
    for (InterfaceId id = 0; id < ipv6_.size(); ++id) {
        if (ipv6_[id].enabled) return id;
    }
    return std::nullopt;
}

void Host::duplicate_detected(InterfaceId in, const Ipv6Address& address, base::Time now) {
    Ipv6InterfaceAddress* x = own_address(in, address);
    if (!x || x->state != Ipv6AddressState::tentative) return;
    x->state = Ipv6AddressState::duplicated;
    ++stats_.dad_conflicts;
    if (observer_) observer_->ndp(now, NdpEvent::duplicate_address, in, address, {});
}

// ---- input -------------------------------------------------------------------

void Host::handle_ipv6(InterfaceId in, base::PacketBuffer&& packet, base::Time now) {
    const auto view = wire::Ipv6View::parse(packet.bytes());
    if (!view) return drop(DropReason::malformed, packet.bytes(), now, Layer::ipv6);
    packet.truncate(view->bytes().size());  // link-layer padding ends here: the view ends there too
    const auto chain = wire::walk_extensions(*view);
    if (!chain) return drop(DropReason::malformed, packet.bytes(), now, Layer::ipv6);

    const Ipv6Address src = view->src();
    const Ipv6Address dst = view->dst();
    // As for IPv4: a group never sends, and our own address from the wire is
    // looped or spoofed.
    if (src.is_multicast() || is_local_address(src))
        return drop(DropReason::martian_source, packet.bytes(), now, Layer::ipv6);

    if (chain->hop_by_hop_options) {
        const size_t at = wire::ipv6::header_len + 2;
        if (const auto refused = refused_option(*chain->hop_by_hop_options, at)) {
            const bool report = refused->second == UnknownOption::discard_and_report ||
                                (refused->second == UnknownOption::discard_and_report_unicast &&
                                 !dst.is_multicast());
            if (report) {
                icmpv6_error(packet.bytes(), Icmpv6Type::parameter_problem,
                             static_cast<uint8_t>(wire::Icmpv6ParameterCode::option),
                             static_cast<uint32_t>(refused->first), now);
            }
            return drop(DropReason::unsupported, packet.bytes(), now, Layer::ipv6);
        }
    }

    if (const Ipv6InterfaceAddress* own = own_address(in, dst)) {
        // RFC 4862 §5.4: a tentative address takes neighbour discovery only.
        const bool ready =
            own->state == Ipv6AddressState::preferred || own->state == Ipv6AddressState::deprecated;
        const bool ndp =
            chain->upper == icmpv6_number && chain->upper_at < packet.size() &&
            wire::icmpv6::is_neighbor_discovery(base::load_u8(packet.bytes(), chain->upper_at));
        if (!ready && !ndp) return drop(DropReason::not_for_us, packet.bytes(), now, Layer::ipv6);
        return deliver6(in, std::move(packet), *view, *chain, now);
    }
    if (dst.is_multicast()) {
        if (listens_to(in, dst)) return deliver6(in, std::move(packet), *view, *chain, now);
        // A group the interface has not joined: what a network card's
        // multicast filter discards before the host sees it (the Ethernet
        // groups of several IPv6 groups are shared), so not a drop to report.
        ++stats_.multicast_filtered;
        return;
    }
    if (is_local_address(dst)) return deliver6(in, std::move(packet), *view, *chain, now);
    if (config_.forwarding && !dst.is_link_local() && !src.is_unspecified()) {
        return forward6(in, std::move(packet), *view, now);
    }
    drop(DropReason::not_for_us, packet.bytes(), now, Layer::ipv6);
}

void Host::forward6(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv6View& view,
                    base::Time now) {
    if (view.hop_limit() <= 1) {
        icmpv6_error(packet.bytes(), Icmpv6Type::time_exceeded,
                     static_cast<uint8_t>(wire::Icmpv6TimeExceededCode::hop_limit), 0, now);
        return drop(DropReason::hop_limit_exceeded, packet.bytes(), now, Layer::ipv6);
    }
    // RFC 4291 §2.5.6: a link-local source never leaves its link.
    if (view.src().is_link_local()) {
        icmpv6_error(packet.bytes(), Icmpv6Type::dest_unreachable,
                     static_cast<uint8_t>(wire::Icmpv6UnreachableCode::beyond_scope), 0, now);
        return drop(DropReason::beyond_scope, packet.bytes(), now, Layer::ipv6);
    }
    const Ipv6Route* route = routes6_.best(view.dst());
    if (!route || route->interface >= interfaces_.size() || !ipv6_enabled(route->interface)) {
        icmpv6_error(packet.bytes(), Icmpv6Type::dest_unreachable,
                     static_cast<uint8_t>(wire::Icmpv6UnreachableCode::no_route), 0, now);
        return drop(DropReason::no_route, packet.bytes(), now, Layer::ipv6);
    }
    const InterfaceId out = route->interface;
    const Ipv6Address next_hop = route->gateway.value_or(view.dst());
    // RFC 8200 §5: routers never fragment; the source learns the MTU.
    const uint16_t mtu = mtu6(out);
    if (packet.size() > mtu) {
        icmpv6_error(packet.bytes(), Icmpv6Type::packet_too_big, 0, mtu, now);
        return drop(DropReason::too_big, packet.bytes(), now, Layer::ipv6);
    }
    auto bytes = packet.bytes();
    base::store_u8(bytes, wire::ipv6::field::hop_limit, static_cast<uint8_t>(view.hop_limit() - 1));
    ++stats_.packets_forwarded;
    if (observer_) observer_->forwarded(now, in, out, packet.bytes());
    output6(out, next_hop, std::move(packet), now);
}

void Host::deliver6(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv6View& view,
                    const wire::Ipv6Chain& chain, base::Time now) {
    // RFC 5095 and RFC 8200 §4.4: this host routes by no routing header; one
    // with segments left is refused, pointing at its type.
    if (chain.routing && chain.routing->segments_left > 0) {
        icmpv6_error(packet.bytes(), Icmpv6Type::parameter_problem,
                     static_cast<uint8_t>(wire::Icmpv6ParameterCode::header_field),
                     static_cast<uint32_t>(chain.routing->header_at + 2), now);
        return drop(DropReason::unsupported, packet.bytes(), now, Layer::ipv6);
    }
    // A fragment waits for the rest; an atomic one (offset 0, no more,
    // RFC 6946) is a whole packet already, walked through to its upper layer.
    if (chain.fragment && (chain.fragment->offset != 0 || chain.fragment->more)) {
        auto outcome = reassembler6_.add(view, chain, now);
        switch (outcome.kind) {
            case ReassemblyOutcome::Kind::incomplete:
                return;
            case ReassemblyOutcome::Kind::dropped:
                return drop(outcome.reason, packet.bytes(), now, Layer::ipv6);
            case ReassemblyOutcome::Kind::complete:
                break;
        }
        ++stats_.datagrams_reassembled;
        if (observer_) observer_->reassembled(now, outcome.datagram.bytes(), outcome.fragments);
        const auto whole = wire::Ipv6View::parse(outcome.datagram.bytes());
        if (!whole) return drop(DropReason::malformed, outcome.datagram.bytes(), now, Layer::ipv6);
        const auto whole_chain = wire::walk_extensions(*whole);
        if (!whole_chain || whole_chain->fragment)  // a fragment inside a fragment
            return drop(DropReason::malformed, outcome.datagram.bytes(), now, Layer::ipv6);
        return deliver6(in, std::move(outcome.datagram), *whole, *whole_chain, now);
    }
    const wire::Ipv6Repr ip = wire::Ipv6Repr::parse(view);
    ++stats_.packets_delivered;
    switch (chain.upper) {
        case icmpv6_number:
            return handle_icmpv6(in, ip, packet.bytes(), packet.bytes().subspan(chain.upper_at),
                                 now);
        case wire::ipv6::no_next_header:
            return;  // nothing follows: delivered, and done
        default:
            break;
    }
    for (const auto& [protocol, transport] : transports_) {
        if (static_cast<uint8_t>(protocol) != chain.upper) continue;
        // The fixed header and the extension headers stay in place in front
        // of the payload, for an ICMPv6 error's quote.
        const IpPacketInfo info{.source = ip.src,
                                .destination = ip.dst,
                                .ttl = ip.hop_limit,
                                .header = view.bytes().first(chain.upper_at),
                                .interface = in};
        packet.trim_front(chain.upper_at);
        transport->receive(info, std::move(packet), now);
        return;
    }
    // No handler: RFC 8200 §4, a parameter problem pointing at the field that
    // named the unknown header.
    icmpv6_error(packet.bytes(), Icmpv6Type::parameter_problem,
                 static_cast<uint8_t>(wire::Icmpv6ParameterCode::next_header),
                 static_cast<uint32_t>(chain.upper_named_at), now);
    drop(DropReason::protocol_unreachable, packet.bytes(), now, Layer::ipv6);
}

void Host::handle_icmpv6(InterfaceId in, const wire::Ipv6Repr& ip, base::ByteSpan packet,
                         base::ByteSpan message, base::Time now) {
    auto view = wire::Icmpv6View::parse(message);
    if (!view) return drop(DropReason::malformed, packet, now, Layer::ipv6);
    if (wire::icmpv6::is_neighbor_discovery(view->type())) {
        auto ndp = wire::NdpRepr::parse(*view, ip);
        if (!ndp) {
            ++stats_.ndp_invalid;
            const auto reason = ndp.error() == wire::Error::bad_checksum ? DropReason::bad_checksum
                                                                         : DropReason::ndp_invalid;
            return drop(reason, packet, now, Layer::ipv6);
        }
        return handle_ndp(in, ip, *ndp, packet, now);
    }
    auto icmp = wire::Icmpv6Repr::parse(*view, ip.src, ip.dst);
    if (!icmp) {
        const auto reason = icmp.error() == wire::Error::bad_checksum ? DropReason::bad_checksum
                                                                      : DropReason::unsupported;
        return drop(reason, packet, now, Layer::ipv6);
    }
    if (observer_) observer_->icmpv6_received(now, ip.src, *icmp);
    // RFC 8201: packet too big about a packet of ours lowers the path MTU to
    // its destination. The quote starts with that packet's header.
    if (icmp->type == Icmpv6Type::packet_too_big && icmp->data.size() >= wire::ipv6::header_len) {
        const Ipv6Address original_src =
            Ipv6Address::load(base::slice(icmp->data, wire::ipv6::field::src));
        const Ipv6Address original_dst =
            Ipv6Address::load(base::slice(icmp->data, wire::ipv6::field::dst));
        if (is_local_address(original_src)) {
            if (const Ipv6Route* r = routes6_.best(original_dst);
                r && r->interface < interfaces_.size())
                (void)path_mtu_.lower(original_dst, icmp->mtu, mtu6(r->interface), now);
        }
    }

    if (const auto error = parse_quoted6(ip, *icmp)) tell_transport(*error, now);

    if (icmp->type == Icmpv6Type::echo_request) {
        // Answered to unicast and to groups alike, as Linux does; the reply
        // comes from the address asked, or for a group from ours towards the
        // asker.
        const wire::Icmpv6Repr reply{.type = Icmpv6Type::echo_reply,
                                     .identifier = icmp->identifier,
                                     .sequence = icmp->sequence,
                                     .data = icmp->data};
        Send6Options options{.interface = in};
        if (!ip.dst.is_multicast()) options.source = ip.dst;
        (void)send_icmpv6(ip.src, reply, now, options);
        return;
    }
    const Icmpv6Message m{
        .from = ip.src, .to = ip.dst, .hop_limit = ip.hop_limit, .interface = in, .icmp = *icmp};
    const std::vector<Icmpv6Listener*> listeners = icmpv6_listeners_;
    for (Icmpv6Listener* l : listeners) {
        if (std::find(icmpv6_listeners_.begin(), icmpv6_listeners_.end(), l) !=
            icmpv6_listeners_.end()) {
            l->icmpv6_received(m, now);
        }
    }
}

std::optional<IcmpErrorKind> icmp_error_kind(Icmpv6Type type, uint8_t code) {
    using wire::Icmpv6UnreachableCode;
    switch (type) {
        case Icmpv6Type::dest_unreachable:
            switch (Icmpv6UnreachableCode{code}) {
                case Icmpv6UnreachableCode::no_route:
                case Icmpv6UnreachableCode::reject_route:
                    return IcmpErrorKind::network_unreachable;
                case Icmpv6UnreachableCode::address:
                    return IcmpErrorKind::host_unreachable;
                case Icmpv6UnreachableCode::port:
                    return IcmpErrorKind::port_unreachable;
                case Icmpv6UnreachableCode::admin_prohibited:
                case Icmpv6UnreachableCode::source_policy:
                    return IcmpErrorKind::prohibited;
                default:
                    return IcmpErrorKind::unreachable_other;
            }
        case Icmpv6Type::packet_too_big:
            return IcmpErrorKind::packet_too_big;
        case Icmpv6Type::time_exceeded:
            return code == 0 ? IcmpErrorKind::time_exceeded
                             : IcmpErrorKind::reassembly_time_exceeded;
        case Icmpv6Type::parameter_problem:
            // RFC 4443 §3.4 code 1 (an unrecognized next header) is IPv6's
            // protocol unreachable, and Linux reports it as such.
            return code == static_cast<uint8_t>(wire::Icmpv6ParameterCode::next_header)
                       ? IcmpErrorKind::protocol_unreachable
                       : IcmpErrorKind::parameter_problem;
        default:
            return std::nullopt;
    }
}

std::optional<IcmpError> Host::parse_quoted6(const wire::Ipv6Repr& ip,
                                             const wire::Icmpv6Repr& icmp) const {
    const auto kind = icmp_error_kind(icmp.type, icmp.code);
    if (!kind) return std::nullopt;
    // The quote is the start of the packet this host sent: the upper layer
    // begins past its extension headers, if they were quoted whole.
    const auto quoted = wire::Ipv6View::parse_truncated(icmp.data);
    if (!quoted) return std::nullopt;
    const auto chain = wire::walk_extensions(*quoted);
    if (!chain || chain->upper_at > quoted->bytes().size()) return std::nullopt;
    if (chain->fragment && chain->fragment->offset != 0) return std::nullopt;  // no ports in it
    return IcmpError{.reporter = ip.src,
                     .kind = *kind,
                     .type = static_cast<uint8_t>(icmp.type),
                     .code = icmp.code,
                     .mtu = icmp.type == Icmpv6Type::packet_too_big ? icmp.mtu : 0,
                     .original_source = quoted->src(),
                     .original_destination = quoted->dst(),
                     .original_protocol = wire::IpProtocol{chain->upper},
                     .original_payload = quoted->bytes().subspan(chain->upper_at)};
}

void Host::handle_ndp(InterfaceId in, const wire::Ipv6Repr& ip, const wire::NdpRepr& ndp,
                      base::ByteSpan packet, base::Time now) {
    const wire::MacAddress own_mac = interfaces_[in].mac;
    const auto learned = [&](const Ipv6Address& who, const wire::MacAddress& mac,
                             std::vector<NeighborCache::Waiting> waiting) {
        if (observer_ && !waiting.empty()) observer_->ndp(now, NdpEvent::resolved, in, who, mac);
        for (NeighborCache::Waiting& w : waiting)
            transmit(in, mac, wire::EtherType::ipv6, std::move(w.packet), now);
    };

    if (const auto* ns = std::get_if<wire::NeighborSolicitation>(&ndp.message)) {
        Ipv6InterfaceAddress* target = own_address(in, ns->target);
        if (!target || target->state == Ipv6AddressState::duplicated) return;  // not ours to answer
        if (target->state == Ipv6AddressState::tentative) {
            // RFC 4862 §5.4.3: another node checking the same address means
            // it is a duplicate; a resolution of a tentative address is
            // ignored.
            if (ip.src.is_unspecified()) duplicate_detected(in, ns->target, now);
            return;
        }
        if (!ip.src.is_unspecified() && ns->source_mac) {
            learned(ip.src, *ns->source_mac,
                    neighbors_.learn_unsolicited({in, ip.src}, *ns->source_mac, now));
        }
        // §7.2.4: to the asker (solicited), or to all nodes when the asker
        // has no address yet.
        const bool to_all = ip.src.is_unspecified();
        const wire::NdpRepr answer{wire::NeighborAdvertisement{.router = config_.forwarding,
                                                               .solicited = !to_all,
                                                               .override_flag = true,
                                                               .target = ns->target,
                                                               .target_mac = own_mac}};
        const Ipv6Address answer_to = to_all ? Ipv6Address::all_nodes() : ip.src;
        // Without the asker's link-layer address, neighbour discovery finds it.
        const std::optional<wire::MacAddress> link_dst =
            to_all ? std::optional(answer_to.multicast_mac()) : ns->source_mac;
        send_ndp(in, ns->target, answer_to, answer, link_dst, now);
        if (observer_) observer_->ndp(now, NdpEvent::advertisement_sent, in, ns->target, own_mac);
        return;
    }
    if (const auto* na = std::get_if<wire::NeighborAdvertisement>(&ndp.message)) {
        if (const Ipv6InterfaceAddress* own = own_address(in, na->target)) {
            if (own->state == Ipv6AddressState::tentative) duplicate_detected(in, na->target, now);
            return;
        }
        auto waiting = neighbors_.advertisement({in, na->target}, na->target_mac, na->solicited,
                                                na->override_flag, na->router, now);
        if (na->target_mac) learned(na->target, *na->target_mac, std::move(waiting));
        return;
    }
    // Router discovery and redirects are not acted on yet (docs/ipv6.md),
    // but a sender's link-layer address is worth keeping.
    if (const auto* rs = std::get_if<wire::RouterSolicitation>(&ndp.message)) {
        if (!config_.forwarding || !interfaces_[in].advertise) return;
        if (!ip.src.is_unspecified() && rs->source_mac) {
            learned(ip.src, *rs->source_mac,
                    neighbors_.learn_unsolicited({in, ip.src}, *rs->source_mac, now));
        }
        // Answered at once and directly, as radvd does (AdvRASolicitedUnicast);
        // to all nodes for an asker without an address.
        send_router_advertisement(in, ip.src.is_unspecified() ? Ipv6Address::all_nodes() : ip.src,
                                  now);
        return;
    }
    if (const auto* ra = std::get_if<wire::RouterAdvertisement>(&ndp.message)) {
        if (config_.forwarding || !config_.ipv6.accept_router_advertisements) return;
        return handle_router_advertisement(in, ip, *ra, now);
    }
    drop(DropReason::unsupported, packet, now, Layer::ipv6);
}

// ---- output ------------------------------------------------------------------

base::Expected<void, SendError> Host::send_ipv6(Ipv6Address dst, uint8_t next_header,
                                                base::PacketBuffer payload, base::Time now,
                                                Send6Options options) {
    if (payload.size() > wire::ipv6::max_payload_len) return base::fail(SendError::too_big);
    std::optional<InterfaceId> out = options.interface;
    std::optional<Ipv6Address> next_hop;
    const bool to_self = is_local_address(dst);
    if (!to_self && !out) {
        if (is_link_scoped(dst)) {
            out = first_ipv6_interface();
        } else if (const Ipv6Route* r = routes6_.best(dst)) {
            out = r->interface;
            next_hop = r->gateway;
        }
        if (!out) return base::fail(SendError::no_route);
    } else if (!to_self && !is_link_scoped(dst)) {
        if (const Ipv6Route* r = routes6_.best(dst); r && r->interface == *out)
            next_hop = r->gateway;
    }
    if (out && (*out >= ipv6_.size() || !ipv6_[*out].enabled))
        return base::fail(SendError::no_route);

    const auto src = options.source ? options.source : source_address_for(dst, options);
    if (!src) return base::fail(SendError::no_source_address);
    const wire::Ipv6Repr ip{.src = *src,
                            .dst = dst,
                            .next_header = next_header,
                            .hop_limit = options.hop_limit != 0 ? options.hop_limit : hop_limit6_,
                            .payload_len = static_cast<uint16_t>(payload.size())};
    if (to_self) {
        ip.emit(payload.prepend(wire::Ipv6Repr::buffer_len()));
        ++stats_.packets_sent;
        loopback_.push_back(std::move(payload));
        return {};
    }
    const uint16_t link_mtu = mtu6(*out);
    const uint16_t mtu = std::min(link_mtu, path_mtu_.get(dst, now).value_or(link_mtu));
    if (options.dont_fragment && wire::Ipv6Repr::buffer_len() + payload.size() > mtu)
        return base::fail(SendError::too_big);
    ip.emit(payload.prepend(wire::Ipv6Repr::buffer_len()));
    ++stats_.packets_sent;
    if (payload.size() > mtu) {
        fragment6(*out, next_hop.value_or(dst), std::move(payload), mtu, now);
        return {};
    }
    output6(*out, next_hop.value_or(dst), std::move(payload), now);
    return {};
}

void Host::fragment6(InterfaceId out, const Ipv6Address& next_hop, base::PacketBuffer&& packet,
                     uint16_t mtu, base::Time now) {
    wire::checksum::complete_pending(packet);  // the fragments carry pieces of it
    const base::ByteSpan whole = packet.bytes();
    const uint8_t next_header = base::load_u8(whole, wire::ipv6::field::next_header);
    const base::ByteSpan data = whole.subspan(wire::ipv6::header_len);
    // Each fragment: the fixed header, an 8-byte fragment header, and a
    // multiple of 8 bytes but the last (RFC 8200 §4.5).
    const size_t room = mtu - wire::ipv6::header_len - wire::ipv6::fragment_header_len;
    const size_t chunk = room / 8 * 8;
    // Unpredictable identifications (RFC 7739): drawn from the host's stream.
    const uint32_t identification = random_.next_u32();
    for (size_t at = 0; at < data.size(); at += chunk) {
        const size_t len = std::min(chunk, data.size() - at);
        const bool more = at + len < data.size();
        base::PacketBuffer f =
            pool_.acquire(pool_.config().default_headroom,
                          wire::ipv6::header_len + wire::ipv6::fragment_header_len + len);
        auto header = f.append(wire::ipv6::header_len);
        base::copy_bytes(header, whole.first(wire::ipv6::header_len));
        base::store_u8(header, wire::ipv6::field::next_header, wire::ipv6::fragment);
        base::store_be16(header, wire::ipv6::field::payload_len,
                         static_cast<uint16_t>(wire::ipv6::fragment_header_len + len));
        auto fh = f.append(wire::ipv6::fragment_header_len);
        base::store_u8(fh, 0, next_header);
        base::store_u8(fh, 1, 0);
        base::store_be16(fh, 2, static_cast<uint16_t>(at | (more ? 1u : 0u)));
        base::store_be32(fh, 4, identification);
        f.append(data.subspan(at, len));
        ++stats_.fragments_sent;
        output6(out, next_hop, std::move(f), now);
    }
}

std::optional<uint16_t> Host::path_mtu(const Ipv6Address& dst, base::Time now) const {
    const Ipv6Route* r = routes6_.best(dst);
    if (!r || r->interface >= interfaces_.size()) return std::nullopt;
    const uint16_t link_mtu = mtu6(r->interface);
    return std::min(link_mtu, path_mtu_.get(dst, now).value_or(link_mtu));
}

void Host::output6(InterfaceId out, const Ipv6Address& next_hop, base::PacketBuffer&& packet,
                   base::Time now) {
    if (next_hop.is_multicast()) {
        return transmit(out, next_hop.multicast_mac(), wire::EtherType::ipv6, std::move(packet),
                        now);
    }
    const NeighborCache::Key key{out, next_hop};
    if (const auto mac = neighbors_.resolve(key, now)) {
        return transmit(out, *mac, wire::EtherType::ipv6, std::move(packet), now);
    }
    // The solicitation comes from the packet's source if it is ours here
    // (RFC 4861 §7.2.2), so the neighbour can answer it directly.
    const auto view = wire::Ipv6View::parse(packet.bytes());
    const Ipv6Address packet_src = view ? view->src() : Ipv6Address{};
    switch (neighbors_.enqueue(key, packet, now)) {
        case NeighborCache::Queued::send_solicitation: {
            const Ipv6InterfaceAddress* own = own_address(out, packet_src);
            const auto from = own && own->state == Ipv6AddressState::preferred
                                  ? std::optional(packet_src)
                                  : source_address_for(next_hop, {.interface = out});
            if (from) solicit(out, *from, next_hop, std::nullopt, now);
            break;  // without an address to ask from, the entry fails in time
        }
        case NeighborCache::Queued::waiting:
            break;
        case NeighborCache::Queued::queue_full:
            drop(DropReason::arp_queue_full, packet.bytes(), now, Layer::ipv6);
            break;
    }
}

void Host::solicit(InterfaceId out, const Ipv6Address& from, const Ipv6Address& target,
                   std::optional<wire::MacAddress> unicast_to, base::Time now) {
    const wire::NdpRepr ns{
        wire::NeighborSolicitation{.target = target, .source_mac = interfaces_[out].mac}};
    const Ipv6Address dst = unicast_to ? target : target.solicited_node();
    send_ndp(out, from, dst, ns, unicast_to ? *unicast_to : dst.multicast_mac(), now);
    if (observer_) observer_->ndp(now, NdpEvent::solicitation_sent, out, target, {});
}

void Host::send_ndp(InterfaceId out, const Ipv6Address& src, const Ipv6Address& dst,
                    const wire::NdpRepr& ndp, std::optional<wire::MacAddress> link_dst,
                    base::Time now) {
    base::PacketBuffer p = pool_.acquire();
    ndp.emit(p.append(ndp.buffer_len()), src, dst);
    const wire::Ipv6Repr ip{.src = src,
                            .dst = dst,
                            .next_header = icmpv6_number,
                            .hop_limit = wire::ndp::hop_limit,
                            .payload_len = static_cast<uint16_t>(ndp.buffer_len())};
    ip.emit(p.prepend(wire::Ipv6Repr::buffer_len()));
    ++stats_.packets_sent;
    if (link_dst) return transmit(out, *link_dst, wire::EtherType::ipv6, std::move(p), now);
    output6(out, dst, std::move(p), now);
}

base::Expected<void, SendError> Host::send_icmpv6(const Ipv6Address& dst,
                                                  const wire::Icmpv6Repr& icmp, base::Time now,
                                                  Send6Options options) {
    const auto src = options.source ? options.source : source_address_for(dst, options);
    if (!src) return base::fail(SendError::no_source_address);
    options.source = src;
    base::PacketBuffer p = pool_.acquire();
    icmp.emit(p.append(icmp.buffer_len()), *src, dst);
    auto sent = send_ipv6(dst, icmpv6_number, std::move(p), now, options);
    if (sent && observer_) observer_->icmpv6_sent(now, dst, icmp);
    return sent;
}

base::Expected<void, SendError> Host::send_echo_request(Ipv6Address dst, uint16_t identifier,
                                                        uint16_t sequence, base::ByteSpan data,
                                                        base::Time now, Send6Options options) {
    const wire::Icmpv6Repr echo{.type = Icmpv6Type::echo_request,
                                .identifier = identifier,
                                .sequence = sequence,
                                .data = data};
    return send_icmpv6(dst, echo, now, options);
}

void Host::icmpv6_error(base::ByteSpan offending, Icmpv6Type type, uint8_t code, uint32_t parameter,
                        base::Time now) {
    if (!config_.icmp_errors) return;
    const auto view = wire::Ipv6View::parse(offending);
    if (!view) return;
    const Ipv6Address src = view->src();
    const Ipv6Address dst = view->dst();
    // RFC 4443 §2.4 (e): never about an error, about a packet from no one or
    // from a group, nor about one sent to a group — except packet too big
    // and an unknown option that asked to be reported (so path MTU discovery
    // works for multicast).
    if (src.is_unspecified() || src.is_multicast()) return;
    const bool may_answer_group = type == Icmpv6Type::packet_too_big ||
                                  (type == Icmpv6Type::parameter_problem &&
                                   code == static_cast<uint8_t>(wire::Icmpv6ParameterCode::option));
    if (dst.is_multicast() && !may_answer_group) return;
    if (const auto chain = wire::walk_extensions(*view);
        chain && chain->upper == icmpv6_number && chain->upper_at < offending.size() &&
        (!chain->fragment || chain->fragment->offset == 0)) {
        const uint8_t t = base::load_u8(offending, chain->upper_at);
        if (wire::icmpv6::is_error(t) || t == static_cast<uint8_t>(Icmpv6Type::redirect)) return;
    }
    if (!icmp_limiter_.allow(src, now)) {
        ++stats_.icmp_errors_rate_limited;
        return;
    }
    const size_t quote = std::min(offending.size(), wire::icmpv6::max_quoted_len);
    wire::Icmpv6Repr error{.type = type, .code = code, .data = offending.first(quote)};
    if (type == Icmpv6Type::packet_too_big) error.mtu = parameter;
    if (type == Icmpv6Type::parameter_problem) error.pointer = parameter;
    ++stats_.icmp_errors_sent;
    // About a packet addressed to us, the error comes from that address.
    Send6Options options;
    if (is_local_address(dst)) options.source = dst;
    (void)send_icmpv6(src, error, now, options);
}

// ---- timers --------------------------------------------------------------------

void Host::poll_ipv6(base::Time now) {
    std::vector<InterfaceId> link_local_ready;
    if (dad_deadline_ <= now) {
        base::Time next = base::Time::never();
        for (InterfaceId id = 0; id < ipv6_.size(); ++id) {
            for (Ipv6InterfaceAddress& x : ipv6_[id].addresses) {
                if (x.state != Ipv6AddressState::tentative) continue;
                if (x.dad_next > now) {
                    next = std::min(next, x.dad_next);
                    continue;
                }
                const Ipv6Address target = x.address.address;
                if (x.dad_sent < config_.ipv6.dad_transmits) {
                    // RFC 4862 §5.4.2: from ::, to the address's solicited-node
                    // group, without a link-layer address.
                    const wire::NdpRepr ns{wire::NeighborSolicitation{.target = target}};
                    const Ipv6Address group = target.solicited_node();
                    ++x.dad_sent;
                    x.dad_next = now + neighbors_.config().retrans_timer;
                    next = std::min(next, x.dad_next);
                    send_ndp(id, Ipv6Address::any(), group, ns, group.multicast_mac(), now);
                    if (observer_ && x.dad_sent == 1)
                        observer_->ndp(now, NdpEvent::dad_started, id, target, {});
                } else {
                    x.state = Ipv6AddressState::preferred;
                    if (observer_)
                        observer_->ndp(now, NdpEvent::address_ready, id, target,
                                       interfaces_[id].mac);
                    if (x.origin == Ipv6Origin::link_local) link_local_ready.push_back(id);
                }
            }
        }
        dad_deadline_ = next;
    }
    // With a usable link-local address, a host starts soliciting routers and
    // a router advertising (RFC 4861 §6.3.7, §6.2.4).
    for (InterfaceId id : link_local_ready) {
        Ipv6Interface& i = ipv6_[id];
        if (!config_.forwarding && config_.ipv6.accept_router_advertisements &&
            config_.ipv6.router_solicitations > 0) {
            i.next_solicitation = now;
        }
        if (config_.forwarding && interfaces_[id].advertise) i.next_advertisement = now;
        router_deadline_ = now;
    }
    if (router_deadline_ <= now) poll_router_discovery(now);
    if (reassembler6_.next_deadline() <= now) {
        reassembler6_.poll(now, [&](base::ByteSpan first_fragment, size_t) {
            // RFC 8200 §4.5: time exceeded only if the first fragment came.
            if (!first_fragment.empty()) {
                icmpv6_error(first_fragment, Icmpv6Type::time_exceeded,
                             static_cast<uint8_t>(wire::Icmpv6TimeExceededCode::reassembly), 0,
                             now);
            }
            drop(DropReason::reassembly_timeout, first_fragment, now, Layer::ipv6);
        });
    }
    if (neighbors_.next_deadline() > now) return;
    neighbors_.poll(
        now,
        [&](const NeighborCache::Solicit& s) {
            const auto from = source_address_for(s.key.ip, {.interface = s.key.interface});
            if (from) solicit(s.key.interface, *from, s.key.ip, s.unicast_to, now);
        },
        [&](NeighborCache::Key key, std::vector<NeighborCache::Waiting> packets) {
            if (observer_) observer_->ndp(now, NdpEvent::failed, key.interface, key.ip, {});
            for (NeighborCache::Waiting& w : packets) {
                icmpv6_error(w.packet.bytes(), Icmpv6Type::dest_unreachable,
                             static_cast<uint8_t>(wire::Icmpv6UnreachableCode::address), 0, now);
                drop(DropReason::neighbor_failed, w.packet.bytes(), now, Layer::ipv6);
            }
        });
}

// ---- router discovery and SLAAC ------------------------------------------------

std::optional<Ipv6Address> Host::ready_link_local(InterfaceId id) const {
    for (const Ipv6InterfaceAddress& x : ipv6_[id].addresses) {
        if (x.origin == Ipv6Origin::link_local && x.state == Ipv6AddressState::preferred)
            return x.address.address;
    }
    return std::nullopt;
}

void Host::send_router_advertisement(InterfaceId out, const Ipv6Address& to, base::Time now) {
    const auto from = ready_link_local(out);
    if (!from) return;  // §6.2.2: only from a link-local address that is ours
    wire::RouterAdvertisement ra{
        .cur_hop_limit = config_.ipv6.default_hop_limit,
        .router_lifetime = static_cast<uint16_t>(
            std::min<int64_t>(config_.ipv6.router_lifetime.ms() / 1000, 9000)),
        .source_mac = interfaces_[out].mac,
        .mtu = interfaces_[out].mtu,
    };
    for (const Ipv6InterfaceAddress& x : ipv6_[out].addresses) {
        if (x.origin != Ipv6Origin::manual || x.address.address.is_link_local()) continue;
        const wire::NdpPrefix p{.prefix = {x.address.network(), x.address.prefix_len},
                                .on_link = true,
                                .autonomous = x.address.prefix_len == 64,
                                .valid_lifetime = config_.ipv6.prefix_valid_lifetime,
                                .preferred_lifetime = config_.ipv6.prefix_preferred_lifetime};
        if (std::find(ra.prefixes.begin(), ra.prefixes.end(), p) == ra.prefixes.end())
            ra.prefixes.push_back(p);
    }
    send_ndp(out, *from, to, wire::NdpRepr{ra},
             to.is_multicast() ? std::optional(to.multicast_mac()) : std::nullopt, now);
    if (observer_) observer_->ndp(now, NdpEvent::router_advertisement_sent, out, to, {});
}

void Host::handle_router_advertisement(InterfaceId in, const wire::Ipv6Repr& ip,
                                       const wire::RouterAdvertisement& ra, base::Time now) {
    Ipv6Interface& i = ipv6_[in];
    if (observer_)
        observer_->ndp(now, NdpEvent::router_advertisement_received, in, ip.src,
                       ra.source_mac.value_or(wire::MacAddress{}));
    i.next_solicitation = base::Time::never();  // a router answered: stop asking
    if (ra.source_mac) neighbors_.learn_unsolicited({in, ip.src}, *ra.source_mac, now);
    // §6.3.4: what the router says about the link.
    if (ra.cur_hop_limit != 0) hop_limit6_ = ra.cur_hop_limit;
    if (ra.reachable_time != 0)
        neighbors_.set_reachable_time(base::Duration::milliseconds(ra.reachable_time));
    if (ra.retrans_timer != 0)
        neighbors_.set_retrans_timer(base::Duration::milliseconds(ra.retrans_timer));
    if (ra.mtu && *ra.mtu >= wire::ipv6::min_mtu && *ra.mtu <= interfaces_[in].mtu)
        i.mtu = static_cast<uint16_t>(*ra.mtu);

    // The router as a default router, for its lifetime (0: no longer one).
    const Ipv6Route via{.destination = {Ipv6Address::any(), 0},
                        .gateway = ip.src,
                        .interface = in,
                        .source = RouteSource::advertised};
    auto known = std::find_if(i.routers.begin(), i.routers.end(),
                              [&](const auto& r) { return r.first == ip.src; });
    if (ra.router_lifetime == 0) {
        if (known != i.routers.end()) {
            i.routers.erase(known);
            routes6_.remove(via);
        }
    } else {
        const base::Time until = now + base::Duration::seconds(ra.router_lifetime);
        if (known == i.routers.end()) {
            i.routers.emplace_back(ip.src, until);
            routes6_.add(via);
        } else {
            known->second = until;
        }
        router_deadline_ = std::min(router_deadline_, until);
    }

    for (const wire::NdpPrefix& p : ra.prefixes) {
        if (p.prefix.address.is_link_local()) continue;  // §6.3.4, RFC 4862 §5.5.3 (b)
        if (p.on_link && p.valid_lifetime != 0) {
            const Ipv6Route on_link{.destination = {p.prefix.network(), p.prefix.prefix_len},
                                    .interface = in,
                                    .source = RouteSource::connected};
            if (!routes6_.contains(on_link)) routes6_.add(on_link);
        }
        if (p.autonomous) autoconfigure(in, p, now);
    }
}

// RFC 4862 §5.5.3: an address in an advertised prefix, made from the MAC.
void Host::autoconfigure(InterfaceId in, const wire::NdpPrefix& p, base::Time now) {
    // (c): a preferred lifetime longer than the valid one is nonsense; the
    // interface identifier is 64 bits, so only a /64 can hold it.
    if (p.preferred_lifetime > p.valid_lifetime || p.prefix.prefix_len != 64) return;
    const Ipv6Address address = Ipv6Address::eui64(p.prefix.network(), interfaces_[in].mac);
    const auto lifetime = [&](uint32_t seconds) {
        return seconds == wire::ndp::infinite_lifetime ? base::Time::never()
                                                       : now + base::Duration::seconds(seconds);
    };
    Ipv6InterfaceAddress* x = own_address(in, address);
    if (!x) {
        if (p.valid_lifetime == 0) return;
        add_ipv6_address(in, {address, 64}, Ipv6Origin::autoconfigured);
        x = own_address(in, address);
        x->valid_until = lifetime(p.valid_lifetime);
        x->preferred_until = lifetime(p.preferred_lifetime);
        if (observer_) observer_->ndp(now, NdpEvent::address_autoconfigured, in, address, {});
    } else if (x->origin == Ipv6Origin::autoconfigured) {
        // (e): the two-hour rule, so a forged advertisement cannot end an
        // address at once.
        constexpr auto two_hours = base::Duration::seconds(7200);
        const base::Time offered = lifetime(p.valid_lifetime);
        if (offered > now + two_hours || offered > x->valid_until) {
            x->valid_until = offered;
        } else if (x->valid_until > now + two_hours) {
            x->valid_until = now + two_hours;
        }
        x->preferred_until = lifetime(p.preferred_lifetime);
        if (x->state == Ipv6AddressState::deprecated && x->preferred_until > now)
            x->state = Ipv6AddressState::preferred;
    }
    router_deadline_ = std::min({router_deadline_, x->preferred_until, x->valid_until});
}

// RFC 4861 §6.2.4: the first three 16 s apart (MAX_INITIAL_RTR_ADVERT_INTERVAL),
// then at a random moment between the configured bounds.
base::Duration Host::advertisement_interval(int sent) {
    if (sent < 3) return base::Duration::seconds(16);
    const base::Duration lo = config_.ipv6.min_advertisement_interval;
    const int64_t spread = (config_.ipv6.max_advertisement_interval - lo).ns();
    if (spread <= 0) return lo;
    return lo + base::Duration::nanoseconds(
                    static_cast<int64_t>(random_.next_u64() % static_cast<uint64_t>(spread)));
}

void Host::poll_router_discovery(base::Time now) {
    base::Time next = base::Time::never();
    for (InterfaceId id = 0; id < ipv6_.size(); ++id) {
        Ipv6Interface& i = ipv6_[id];
        if (!i.enabled) continue;
        if (i.next_solicitation <= now) {
            if (const auto from = ready_link_local(id)) {
                const wire::NdpRepr rs{wire::RouterSolicitation{.source_mac = interfaces_[id].mac}};
                const Ipv6Address to = Ipv6Address::all_routers();
                send_ndp(id, *from, to, rs, to.multicast_mac(), now);
                if (observer_) observer_->ndp(now, NdpEvent::router_solicitation_sent, id, to, {});
            }
            ++i.solicitations_sent;
            i.next_solicitation = i.solicitations_sent < config_.ipv6.router_solicitations
                                      ? now + base::Duration::seconds(4)
                                      : base::Time::never();
        }
        next = std::min(next, i.next_solicitation);
        if (i.next_advertisement <= now) {
            send_router_advertisement(id, Ipv6Address::all_nodes(), now);
            ++i.advertisements_sent;
            i.next_advertisement = now + advertisement_interval(i.advertisements_sent);
        }
        next = std::min(next, i.next_advertisement);
        // Default routers whose lifetime ran out.
        for (auto r = i.routers.begin(); r != i.routers.end();) {
            if (r->second > now) {
                next = std::min(next, r->second);
                ++r;
                continue;
            }
            routes6_.remove({.destination = {Ipv6Address::any(), 0},
                             .gateway = r->first,
                             .interface = id,
                             .source = RouteSource::advertised});
            r = i.routers.erase(r);
        }
        // Autoconfigured addresses: deprecated, then gone (RFC 4862 §5.5.4).
        for (auto x = i.addresses.begin(); x != i.addresses.end();) {
            if (x->origin != Ipv6Origin::autoconfigured) {
                ++x;
                continue;
            }
            if (x->valid_until <= now) {
                x = i.addresses.erase(x);
                continue;
            }
            if (x->preferred_until <= now && x->state == Ipv6AddressState::preferred)
                x->state = Ipv6AddressState::deprecated;
            if (x->preferred_until > now) next = std::min(next, x->preferred_until);
            next = std::min(next, x->valid_until);
            ++x;
        }
    }
    router_deadline_ = next;
}

void Host::loop_back6(base::PacketBuffer&& packet, base::Time now) {
    const auto view = wire::Ipv6View::parse(packet.bytes());
    if (!view) return drop(DropReason::malformed, packet.bytes(), now, Layer::ipv6);
    const auto chain = wire::walk_extensions(*view);
    if (!chain) return drop(DropReason::malformed, packet.bytes(), now, Layer::ipv6);
    InterfaceId in = 0;
    for (InterfaceId id = 0; id < ipv6_.size(); ++id) {
        if (own_address(id, view->dst())) in = id;
    }
    deliver6(in, std::move(packet), *view, *chain, now);
}

base::Time Host::ipv6_deadline() const {
    return std::min({dad_deadline_, router_deadline_, neighbors_.next_deadline(),
                     reassembler6_.next_deadline()});
}

void Host::add_icmpv6_listener(Icmpv6Listener* listener) {
    icmpv6_listeners_.push_back(listener);
}

void Host::remove_icmpv6_listener(Icmpv6Listener* listener) {
    std::erase(icmpv6_listeners_, listener);
}

}  // namespace stack
