#include "wire/ndp.hpp"

#include <algorithm>
#include <cassert>

namespace wire {

namespace {

constexpr auto icmpv6_next_header = static_cast<uint8_t>(IpProtocol::icmpv6);

// The options a message may carry, as read from it.
struct Options {
    std::optional<MacAddress> source_mac;
    std::optional<MacAddress> target_mac;
    std::optional<uint32_t> mtu;
    NdpPrefixList prefixes;
    base::ByteSpan redirected;
};

// Walks the options after a message's fixed part (RFC 4861 §4.6): each is a
// type, a length in units of eight bytes (zero is invalid, §4.6) and a body.
// Every option is checked for length; those a type does not use are skipped.
Result<Options> parse_options(base::ByteSpan opts) {
    Options o;
    size_t at = 0;
    while (at < opts.size()) {
        if (at + 2 > opts.size()) return base::fail(Error::option_overrun);
        const uint8_t type = base::load_u8(opts, at);
        const size_t len = size_t{base::load_u8(opts, at + 1)} * 8;
        if (len == 0) return base::fail(Error::bad_option_length);
        if (at + len > opts.size()) return base::fail(Error::option_overrun);
        const base::ByteSpan opt = opts.subspan(at, len);
        switch (type) {
            case ndp::option::source_link_layer:
            case ndp::option::target_link_layer: {
                if (len != ndp::option::link_layer_len) {
                    return base::fail(Error::bad_option_length);
                }
                const MacAddress mac = MacAddress::load(opt.subspan(2));
                (type == ndp::option::source_link_layer ? o.source_mac : o.target_mac) = mac;
                break;
            }
            case ndp::option::prefix_information: {
                if (len != ndp::option::prefix_information_len) {
                    return base::fail(Error::bad_option_length);
                }
                const uint8_t prefix_len = base::load_u8(opt, 2);
                if (prefix_len > 128) return base::fail(Error::not_allowed);
                const uint8_t flags = base::load_u8(opt, 3);
                o.prefixes.push_back(NdpPrefix{
                    .prefix = {Ipv6Address::load(opt.subspan(16, 16)), prefix_len},
                    .on_link = (flags & ndp::flag::on_link) != 0,
                    .autonomous = (flags & ndp::flag::autonomous) != 0,
                    .valid_lifetime = base::load_be32(opt, 4),
                    .preferred_lifetime = base::load_be32(opt, 8),
                });
                break;
            }
            case ndp::option::mtu:
                if (len != ndp::option::mtu_len) return base::fail(Error::bad_option_length);
                o.mtu = base::load_be32(opt, 4);
                break;
            case ndp::option::redirected_header:
                o.redirected = opt.subspan(ndp::option::redirected_header_fixed_len);
                break;
            default:
                break;  // unknown: skipped (§4.6)
        }
        at += len;
    }
    return o;
}

bool is_solicited_node(const Ipv6Address& a) {
    return a.solicited_node() == a;
}

Result<NdpMessage> parse_message(const Icmpv6View& v, const Ipv6Repr& ip) {
    const base::ByteSpan b = v.bytes();
    const auto fixed_len = [&](size_t n) -> Result<Options> {
        if (b.size() < n) return base::fail(Error::truncated);
        return parse_options(b.subspan(n));
    };
    switch (Icmpv6Type{v.type()}) {
        case Icmpv6Type::router_solicitation: {
            auto o = fixed_len(ndp::router_solicitation_len);
            if (!o) return base::fail(o.error());
            // §6.1.1: from the unspecified address, no link-layer address.
            if (ip.src.is_unspecified() && o->source_mac) return base::fail(Error::not_allowed);
            return RouterSolicitation{.source_mac = o->source_mac};
        }
        case Icmpv6Type::router_advertisement: {
            auto o = fixed_len(ndp::router_advertisement_len);
            if (!o) return base::fail(o.error());
            // §6.1.2: routers speak from their link-local address.
            if (!ip.src.is_link_local()) return base::fail(Error::not_allowed);
            const uint8_t flags = base::load_u8(b, 5);
            // Filled in place: GCC 12 sees a large aggregate moved through
            // std::expected and std::variant as maybe-uninitialized.
            NdpMessage m{std::in_place_type<RouterAdvertisement>};
            auto& ra = std::get<RouterAdvertisement>(m);
            ra.cur_hop_limit = base::load_u8(b, 4);
            ra.managed = (flags & ndp::flag::managed) != 0;
            ra.other = (flags & ndp::flag::other) != 0;
            ra.router_lifetime = base::load_be16(b, 6);
            ra.reachable_time = base::load_be32(b, 8);
            ra.retrans_timer = base::load_be32(b, 12);
            ra.source_mac = o->source_mac;
            ra.mtu = o->mtu;
            ra.prefixes = o->prefixes;
            return m;
        }
        case Icmpv6Type::neighbor_solicitation: {
            auto o = fixed_len(ndp::neighbor_solicitation_len);
            if (!o) return base::fail(o.error());
            const Ipv6Address target = Ipv6Address::load(b.subspan(8, 16));
            // §7.1.1: never for a multicast target; duplicate address
            // detection (from ::) goes to the solicited-node group and carries
            // no link-layer address.
            if (target.is_multicast()) return base::fail(Error::not_allowed);
            if (ip.src.is_unspecified() && (!is_solicited_node(ip.dst) || o->source_mac)) {
                return base::fail(Error::not_allowed);
            }
            return NeighborSolicitation{.target = target, .source_mac = o->source_mac};
        }
        case Icmpv6Type::neighbor_advertisement: {
            auto o = fixed_len(ndp::neighbor_advertisement_len);
            if (!o) return base::fail(o.error());
            const uint32_t flags = base::load_be32(b, 4);
            const Ipv6Address target = Ipv6Address::load(b.subspan(8, 16));
            const bool solicited = (flags & ndp::flag::solicited) != 0;
            // §7.1.2: never for a multicast target; an answer to a
            // solicitation is unicast.
            if (target.is_multicast()) return base::fail(Error::not_allowed);
            if (ip.dst.is_multicast() && solicited) return base::fail(Error::not_allowed);
            return NeighborAdvertisement{
                .router = (flags & ndp::flag::router) != 0,
                .solicited = solicited,
                .override_flag = (flags & ndp::flag::override_) != 0,
                .target = target,
                .target_mac = o->target_mac,
            };
        }
        case Icmpv6Type::redirect: {
            auto o = fixed_len(ndp::redirect_len);
            if (!o) return base::fail(o.error());
            const Ipv6Address target = Ipv6Address::load(b.subspan(8, 16));
            const Ipv6Address destination = Ipv6Address::load(b.subspan(24, 16));
            // §8.1: from a router's link-local address; the target is a
            // link-local router or the destination itself, which is unicast.
            if (!ip.src.is_link_local() || destination.is_multicast() ||
                (!target.is_link_local() && target != destination)) {
                return base::fail(Error::not_allowed);
            }
            return Redirect{.target = target,
                            .destination = destination,
                            .target_mac = o->target_mac,
                            .redirected = o->redirected};
        }
        default:
            return base::fail(Error::unsupported);
    }
}

size_t redirected_option_len(base::ByteSpan data) {
    return ndp::option::redirected_header_fixed_len + (data.size() + 7) / 8 * 8;
}

// The option sizes and the fixed part, per message; emit writes the same.
struct Layout {
    size_t fixed = 0;
    size_t options = 0;
};

Layout layout(const NdpMessage& m) {
    return std::visit(
        [](const auto& msg) -> Layout {
            constexpr size_t lla = ndp::option::link_layer_len;
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, RouterSolicitation>) {
                return {ndp::router_solicitation_len, msg.source_mac ? lla : 0};
            } else if constexpr (std::is_same_v<T, RouterAdvertisement>) {
                return {ndp::router_advertisement_len,
                        (msg.source_mac ? lla : 0) + (msg.mtu ? ndp::option::mtu_len : 0) +
                            msg.prefixes.size() * ndp::option::prefix_information_len};
            } else if constexpr (std::is_same_v<T, NeighborSolicitation>) {
                return {ndp::neighbor_solicitation_len, msg.source_mac ? lla : 0};
            } else if constexpr (std::is_same_v<T, NeighborAdvertisement>) {
                return {ndp::neighbor_advertisement_len, msg.target_mac ? lla : 0};
            } else {
                return {ndp::redirect_len,
                        (msg.target_mac ? lla : 0) +
                            (msg.redirected.empty() ? 0 : redirected_option_len(msg.redirected))};
            }
        },
        m);
}

// Writes options into `out` from `at`; returns where they end.
class OptionWriter {
  public:
    OptionWriter(base::MutableByteSpan out, size_t at) : out_(out), at_(at) {}

    void link_layer(uint8_t type, const std::optional<MacAddress>& mac) {
        if (!mac) return;
        header(type, ndp::option::link_layer_len);
        mac->store(out_.subspan(at_ + 2));
        at_ += ndp::option::link_layer_len;
    }
    void mtu(const std::optional<uint32_t>& mtu) {
        if (!mtu) return;
        header(ndp::option::mtu, ndp::option::mtu_len);
        base::store_be16(out_, at_ + 2, 0);
        base::store_be32(out_, at_ + 4, *mtu);
        at_ += ndp::option::mtu_len;
    }
    void prefix(const NdpPrefix& p) {
        header(ndp::option::prefix_information, ndp::option::prefix_information_len);
        base::store_u8(out_, at_ + 2, p.prefix.prefix_len);
        base::store_u8(out_, at_ + 3,
                       static_cast<uint8_t>((p.on_link ? ndp::flag::on_link : 0) |
                                            (p.autonomous ? ndp::flag::autonomous : 0)));
        base::store_be32(out_, at_ + 4, p.valid_lifetime);
        base::store_be32(out_, at_ + 8, p.preferred_lifetime);
        base::store_be32(out_, at_ + 12, 0);
        p.prefix.address.store(out_.subspan(at_ + 16, 16));
        at_ += ndp::option::prefix_information_len;
    }
    void redirected(base::ByteSpan data) {
        if (data.empty()) return;
        const size_t len = redirected_option_len(data);
        header(ndp::option::redirected_header, len);
        std::fill_n(out_.begin() + static_cast<ptrdiff_t>(at_ + 2), len - 2, std::byte{0});
        base::copy_bytes(out_.subspan(at_ + ndp::option::redirected_header_fixed_len), data);
        at_ += len;
    }
    size_t at() const { return at_; }

  private:
    void header(uint8_t type, size_t len) {
        base::store_u8(out_, at_, type);
        base::store_u8(out_, at_ + 1, static_cast<uint8_t>(len / 8));
    }
    base::MutableByteSpan out_;
    size_t at_;
};

}  // namespace

NdpPrefixList::NdpPrefixList(std::initializer_list<NdpPrefix> prefixes) {
    for (const auto& p : prefixes)
        push_back(p);
}

bool NdpPrefixList::operator==(const NdpPrefixList& o) const {
    return std::ranges::equal(items(), o.items());
}

Result<NdpRepr> NdpRepr::parse(const Icmpv6View& v, const Ipv6Repr& ip, ChecksumCheck check) {
    if (!icmpv6::is_neighbor_discovery(v.type())) return base::fail(Error::unsupported);
    // §6.1.1 and the rest: only a message from this link is believed.
    if (ip.hop_limit != ndp::hop_limit || v.code() != 0) return base::fail(Error::not_allowed);
    auto message = parse_message(v, ip);
    if (!message) return base::fail(message.error());
    if (check == ChecksumCheck::verify && !v.checksum_valid(ip.src, ip.dst)) {
        return base::fail(Error::bad_checksum);
    }
    return NdpRepr{std::move(*message)};
}

Icmpv6Type NdpRepr::type() const {
    return std::visit(
        [](const auto& msg) {
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, RouterSolicitation>) {
                return Icmpv6Type::router_solicitation;
            } else if constexpr (std::is_same_v<T, RouterAdvertisement>) {
                return Icmpv6Type::router_advertisement;
            } else if constexpr (std::is_same_v<T, NeighborSolicitation>) {
                return Icmpv6Type::neighbor_solicitation;
            } else if constexpr (std::is_same_v<T, NeighborAdvertisement>) {
                return Icmpv6Type::neighbor_advertisement;
            } else {
                return Icmpv6Type::redirect;
            }
        },
        message);
}

size_t NdpRepr::buffer_len() const {
    const Layout l = layout(message);
    return l.fixed + l.options;
}

void NdpRepr::emit(base::MutableByteSpan out, const Ipv6Address& src,
                   const Ipv6Address& dst) const {
    const size_t len = buffer_len();
    assert(out.size() >= len);
    const auto msg_bytes = out.first(len);
    const Layout l = layout(message);
    std::fill_n(msg_bytes.begin(), l.fixed, std::byte{0});
    base::store_u8(msg_bytes, icmpv6::field::type, static_cast<uint8_t>(type()));
    OptionWriter w{msg_bytes, l.fixed};
    std::visit(
        [&](const auto& msg) {
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, RouterSolicitation>) {
                w.link_layer(ndp::option::source_link_layer, msg.source_mac);
            } else if constexpr (std::is_same_v<T, RouterAdvertisement>) {
                base::store_u8(msg_bytes, 4, msg.cur_hop_limit);
                base::store_u8(msg_bytes, 5,
                               static_cast<uint8_t>((msg.managed ? ndp::flag::managed : 0) |
                                                    (msg.other ? ndp::flag::other : 0)));
                base::store_be16(msg_bytes, 6, msg.router_lifetime);
                base::store_be32(msg_bytes, 8, msg.reachable_time);
                base::store_be32(msg_bytes, 12, msg.retrans_timer);
                w.link_layer(ndp::option::source_link_layer, msg.source_mac);
                w.mtu(msg.mtu);
                for (const NdpPrefix& p : msg.prefixes)
                    w.prefix(p);
            } else if constexpr (std::is_same_v<T, NeighborSolicitation>) {
                msg.target.store(msg_bytes.subspan(8, 16));
                w.link_layer(ndp::option::source_link_layer, msg.source_mac);
            } else if constexpr (std::is_same_v<T, NeighborAdvertisement>) {
                base::store_be32(msg_bytes, 4,
                                 (msg.router ? ndp::flag::router : 0) |
                                     (msg.solicited ? ndp::flag::solicited : 0) |
                                     (msg.override_flag ? ndp::flag::override_ : 0));
                msg.target.store(msg_bytes.subspan(8, 16));
                w.link_layer(ndp::option::target_link_layer, msg.target_mac);
            } else {
                msg.target.store(msg_bytes.subspan(8, 16));
                msg.destination.store(msg_bytes.subspan(24, 16));
                w.link_layer(ndp::option::target_link_layer, msg.target_mac);
                w.redirected(msg.redirected);
            }
        },
        message);
    assert(w.at() == len);
    base::store_be16(msg_bytes, icmpv6::field::checksum,
                     checksum::transport(msg_bytes, src, dst, icmpv6_next_header));
}

}  // namespace wire
