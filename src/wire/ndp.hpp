// Neighbour discovery for IPv6 (RFC 4861): router solicitation and
// advertisement, neighbour solicitation and advertisement, redirect — the
// ICMPv6 messages that do for IPv6 what ARP and ICMP redirects do for IPv4,
// plus router and prefix discovery.
//
// `NdpRepr::parse` performs the validity checks RFC 4861 asks of every
// receiver (§6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1) that depend on the packet
// alone: hop limit 255 (proof the sender is on the link: a router would have
// decremented it), code 0, the message long enough, every option at least
// eight bytes and inside the message, and the address rules of each type. A
// message that fails them is to be dropped silently; the error says why.
// Options a message type does not use, and unknown options, are skipped.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv6.hpp"

namespace wire {

namespace ndp {
// The hop limit every neighbour discovery message is sent with, and the only
// one a receiver accepts.
constexpr uint8_t hop_limit = 255;
constexpr uint32_t infinite_lifetime = 0xffffffff;
// At most this many prefix options are kept from one advertisement (the
// first ones); more is not a network anyone runs.
constexpr size_t max_prefixes = 8;

// Lengths of the fixed part of each message, ICMPv6 header included.
constexpr size_t router_solicitation_len = 8;
constexpr size_t router_advertisement_len = 16;
constexpr size_t neighbor_solicitation_len = 24;
constexpr size_t neighbor_advertisement_len = 24;
constexpr size_t redirect_len = 40;

// Option types (RFC 4861 §4.6); an option's length counts units of 8 bytes.
namespace option {
constexpr uint8_t source_link_layer = 1;
constexpr uint8_t target_link_layer = 2;
constexpr uint8_t prefix_information = 3;
constexpr uint8_t redirected_header = 4;
constexpr uint8_t mtu = 5;
constexpr size_t link_layer_len = 8;  // on Ethernet: type, length, six bytes of address
constexpr size_t prefix_information_len = 32;
constexpr size_t mtu_len = 8;
constexpr size_t redirected_header_fixed_len = 8;  // type, length, six reserved bytes
}  // namespace option

namespace flag {
constexpr uint8_t managed = 0x80;           // router advertisement: addresses from DHCPv6
constexpr uint8_t other = 0x40;             // router advertisement: other settings from DHCPv6
constexpr uint32_t router = 0x80000000;     // neighbour advertisement: R
constexpr uint32_t solicited = 0x40000000;  // neighbour advertisement: S
constexpr uint32_t override_ = 0x20000000;  // neighbour advertisement: O
constexpr uint8_t on_link = 0x80;           // prefix information: L
constexpr uint8_t autonomous = 0x40;        // prefix information: A
}  // namespace flag
}  // namespace ndp

// A prefix information option (RFC 4861 §4.6.2).
struct NdpPrefix {
    Ipv6Cidr prefix;
    bool on_link = false;             // L: addresses in it are on this link
    bool autonomous = false;          // A: hosts may form addresses in it (SLAAC, RFC 4862)
    uint32_t valid_lifetime = 0;      // seconds; ndp::infinite_lifetime for ever
    uint32_t preferred_lifetime = 0;  // seconds

    bool operator==(const NdpPrefix&) const = default;
};

// The prefixes of one advertisement, in order; at most ndp::max_prefixes.
class NdpPrefixList {
  public:
    NdpPrefixList() = default;
    NdpPrefixList(std::initializer_list<NdpPrefix> prefixes);

    // Ignored when already full.
    void push_back(const NdpPrefix& p) {
        if (count_ < items_.size()) items_[count_++] = p;
    }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    std::span<const NdpPrefix> items() const { return {items_.data(), count_}; }
    const NdpPrefix& operator[](size_t i) const { return items_[i]; }
    auto begin() const { return items().begin(); }
    auto end() const { return items().end(); }

    bool operator==(const NdpPrefixList& o) const;

  private:
    std::array<NdpPrefix, ndp::max_prefixes> items_{};
    size_t count_ = 0;
};

struct RouterSolicitation {
    std::optional<MacAddress> source_mac;  // absent when sent from ::

    bool operator==(const RouterSolicitation&) const = default;
};

struct RouterAdvertisement {
    uint8_t cur_hop_limit = 0;  // for hosts to use; 0: unspecified
    bool managed = false;
    bool other = false;
    uint16_t router_lifetime = 0;  // seconds as a default router; 0: not one
    uint32_t reachable_time = 0;   // milliseconds; 0: unspecified
    uint32_t retrans_timer = 0;    // milliseconds between solicitations; 0: unspecified
    std::optional<MacAddress> source_mac;
    std::optional<uint32_t> mtu;
    NdpPrefixList prefixes;

    bool operator==(const RouterAdvertisement&) const = default;
};

struct NeighborSolicitation {
    Ipv6Address target;
    std::optional<MacAddress> source_mac;  // absent in duplicate address detection

    bool operator==(const NeighborSolicitation&) const = default;
};

struct NeighborAdvertisement {
    bool router = false;
    bool solicited = false;
    bool override_flag = false;
    Ipv6Address target;
    std::optional<MacAddress> target_mac;

    bool operator==(const NeighborAdvertisement&) const = default;
};

struct Redirect {
    Ipv6Address target;       // the better first hop (or the destination itself)
    Ipv6Address destination;  // the destination being redirected
    std::optional<MacAddress> target_mac;
    // The start of the packet that caused the redirect, as the redirected
    // header option holds it (padding included when parsed). Borrowed.
    base::ByteSpan redirected;

    bool operator==(const Redirect& o) const {
        return target == o.target && destination == o.destination && target_mac == o.target_mac &&
               base::equal_bytes(redirected, o.redirected);
    }
};

using NdpMessage = std::variant<RouterSolicitation, RouterAdvertisement, NeighborSolicitation,
                                NeighborAdvertisement, Redirect>;

struct NdpRepr {
    NdpMessage message;

    // `ip` is the IPv6 header the message came in (addresses and hop limit
    // are part of the checks). Fails with: unsupported for an ICMPv6 type
    // that is not neighbour discovery; truncated for a message shorter than
    // its fixed part; bad_option_length for an option of length zero or of
    // the wrong length for its type; option_overrun for one that runs past
    // the message; not_allowed for what RFC 4861 forbids (hop limit not 255,
    // code not 0, the address rules); bad_checksum unless ignored.
    static Result<NdpRepr> parse(const Icmpv6View& v, const Ipv6Repr& ip,
                                 ChecksumCheck check = ChecksumCheck::verify);

    Icmpv6Type type() const;
    size_t buffer_len() const;
    // Writes the message, options and checksum. Options are written in the
    // order link-layer address, MTU, prefixes, redirected header; the
    // redirected header is padded with zeros to a multiple of eight bytes.
    // Precondition: out.size() >= buffer_len().
    void emit(base::MutableByteSpan out, const Ipv6Address& src, const Ipv6Address& dst) const;

    bool operator==(const NdpRepr&) const = default;
};

}  // namespace wire
