// Link-layer, IPv4 and IPv6 addresses as value types.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/bytes.hpp"
#include "wire/error.hpp"

namespace wire {

class MacAddress {
  public:
    constexpr MacAddress() = default;
    constexpr explicit MacAddress(std::array<uint8_t, 6> octets) : octets_(octets) {}

    static constexpr MacAddress broadcast() {
        return MacAddress{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    }
    // Reads six bytes. Precondition: b.size() >= 6.
    static MacAddress load(base::ByteSpan b);
    void store(base::MutableByteSpan b) const;
    // "02:00:00:00:00:01" (hex digits in either case).
    static Result<MacAddress> parse(std::string_view text);

    constexpr const std::array<uint8_t, 6>& octets() const { return octets_; }
    constexpr bool is_broadcast() const { return *this == broadcast(); }
    // Group bit set (broadcast included).
    constexpr bool is_multicast() const { return (octets_[0] & 0x01) != 0; }
    constexpr bool is_unicast() const { return !is_multicast(); }
    constexpr bool is_zero() const { return *this == MacAddress{}; }

    std::string to_string() const;
    constexpr auto operator<=>(const MacAddress&) const = default;

  private:
    std::array<uint8_t, 6> octets_{};
};

class Ipv4Address {
  public:
    constexpr Ipv4Address() = default;
    constexpr Ipv4Address(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
        : value_((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d) {}
    // From the address as a host-order integer (10.0.0.1 is 0x0a000001).
    static constexpr Ipv4Address from_u32(uint32_t v) {
        Ipv4Address a;
        a.value_ = v;
        return a;
    }
    static constexpr Ipv4Address any() { return {}; }
    static constexpr Ipv4Address broadcast() { return from_u32(0xffffffff); }
    // Reads four bytes in network order. Precondition: b.size() >= 4.
    static Ipv4Address load(base::ByteSpan b) { return from_u32(base::load_be32(b, 0)); }
    void store(base::MutableByteSpan b) const { base::store_be32(b, 0, value_); }
    // Dotted quad, exactly four decimal octets without leading zeros: "10.0.0.1".
    static Result<Ipv4Address> parse(std::string_view text);

    constexpr uint32_t to_u32() const { return value_; }
    constexpr uint8_t octet(int i) const { return static_cast<uint8_t>(value_ >> (24 - 8 * i)); }
    constexpr bool is_unspecified() const { return value_ == 0; }
    constexpr bool is_broadcast() const { return value_ == 0xffffffff; }
    constexpr bool is_multicast() const { return (value_ >> 28) == 0xe; }
    constexpr bool is_loopback() const { return (value_ >> 24) == 127; }

    std::string to_string() const;
    constexpr auto operator<=>(const Ipv4Address&) const = default;

  private:
    uint32_t value_ = 0;
};

// An address with a prefix length: an interface address ("10.0.0.2/24") or a
// network ("10.0.0.0/24").
struct Ipv4Cidr {
    Ipv4Address address;
    uint8_t prefix_len = 0;  // 0..32

    // "10.0.0.2/24"; the prefix length must be present and at most 32.
    static Result<Ipv4Cidr> parse(std::string_view text);

    constexpr Ipv4Address netmask() const {
        return Ipv4Address::from_u32(prefix_len == 0 ? 0 : ~uint32_t{0} << (32 - prefix_len));
    }
    constexpr Ipv4Address network() const {
        return Ipv4Address::from_u32(address.to_u32() & netmask().to_u32());
    }
    constexpr Ipv4Address broadcast() const {
        return Ipv4Address::from_u32(network().to_u32() | ~netmask().to_u32());
    }
    constexpr bool contains(Ipv4Address a) const {
        return (a.to_u32() & netmask().to_u32()) == network().to_u32();
    }

    std::string to_string() const;
    constexpr auto operator<=>(const Ipv4Cidr&) const = default;
};

// An IPv6 address (RFC 4291): sixteen bytes in network order.
class Ipv6Address {
  public:
    constexpr Ipv6Address() = default;
    constexpr explicit Ipv6Address(std::array<uint8_t, 16> bytes) : bytes_(bytes) {}
    // From its eight 16-bit groups, as written: {0x2001, 0xdb8, 0, …, 1}.
    static constexpr Ipv6Address from_groups(std::array<uint16_t, 8> groups) {
        std::array<uint8_t, 16> b{};
        for (size_t i = 0; i < 8; ++i) {
            b[2 * i] = static_cast<uint8_t>(groups[i] >> 8);
            b[2 * i + 1] = static_cast<uint8_t>(groups[i]);
        }
        return Ipv6Address{b};
    }
    static constexpr Ipv6Address any() { return {}; }  // ::
    static constexpr Ipv6Address loopback() { return from_groups({0, 0, 0, 0, 0, 0, 0, 1}); }
    static constexpr Ipv6Address all_nodes() {  // ff02::1
        return from_groups({0xff02, 0, 0, 0, 0, 0, 0, 1});
    }
    static constexpr Ipv6Address all_routers() {  // ff02::2
        return from_groups({0xff02, 0, 0, 0, 0, 0, 0, 2});
    }
    // ::ffff:a.b.c.d, how a dual-stack socket sees an IPv4 peer (RFC 4291 §2.5.5.2).
    static constexpr Ipv6Address mapped(Ipv4Address v4) {
        const uint32_t v = v4.to_u32();
        return Ipv6Address{std::array<uint8_t, 16>{
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, static_cast<uint8_t>(v >> 24),
            static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}};
    }
    // The address in `prefix`'s /64 whose interface identifier is the
    // modified EUI-64 of `mac` (RFC 4291 §2.5.1, Appendix A): ff:fe in the
    // middle, the universal/local bit flipped. 02:00:00:00:01:01 in fe80::/64
    // gives fe80::ff:fe00:101, as Linux makes it.
    static constexpr Ipv6Address eui64(const Ipv6Address& prefix, const MacAddress& mac) {
        std::array<uint8_t, 16> b = prefix.bytes();
        const auto& m = mac.octets();
        b[8] = static_cast<uint8_t>(m[0] ^ 0x02);
        b[9] = m[1];
        b[10] = m[2];
        b[11] = 0xff;
        b[12] = 0xfe;
        b[13] = m[3];
        b[14] = m[4];
        b[15] = m[5];
        return Ipv6Address{b};
    }
    static constexpr Ipv6Address link_local_prefix() {  // fe80::/64
        return from_groups({0xfe80, 0, 0, 0, 0, 0, 0, 0});
    }
    // Reads sixteen bytes. Precondition: b.size() >= 16.
    static Ipv6Address load(base::ByteSpan b);
    void store(base::MutableByteSpan b) const;
    // The text forms of RFC 4291 §2.2: eight groups of one to four hex digits,
    // one "::" for a run of zero groups, and an IPv4 dotted quad in place of
    // the last two groups. Zone indices ("%eth0") are not addresses: refused.
    static Result<Ipv6Address> parse(std::string_view text);

    constexpr const std::array<uint8_t, 16>& bytes() const { return bytes_; }
    constexpr uint16_t group(size_t i) const {
        return static_cast<uint16_t>((bytes_[2 * i] << 8) | bytes_[2 * i + 1]);
    }
    constexpr bool is_unspecified() const { return *this == any(); }
    constexpr bool is_loopback() const { return *this == loopback(); }
    constexpr bool is_multicast() const { return bytes_[0] == 0xff; }  // ff00::/8
    constexpr bool is_link_local() const {                             // fe80::/10
        return bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
    }
    constexpr bool is_ipv4_mapped() const {
        return group(0) == 0 && group(1) == 0 && group(2) == 0 && group(3) == 0 && group(4) == 0 &&
               group(5) == 0xffff;
    }
    // The IPv4 address inside ::ffff:a.b.c.d. Precondition: is_ipv4_mapped().
    constexpr Ipv4Address ipv4() const {
        return Ipv4Address(bytes_[12], bytes_[13], bytes_[14], bytes_[15]);
    }
    // ff02::1:ffXX:XXXX, the group a neighbour solicitation for this address
    // goes to (RFC 4291 §2.7.1): the low 24 bits kept.
    constexpr Ipv6Address solicited_node() const {
        std::array<uint8_t, 16> b{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
        b[13] = bytes_[13];
        b[14] = bytes_[14];
        b[15] = bytes_[15];
        return Ipv6Address{b};
    }
    // The Ethernet group a multicast address maps to: 33:33 and its low 32
    // bits (RFC 2464 §7). Precondition: is_multicast().
    constexpr MacAddress multicast_mac() const {
        return MacAddress{{0x33, 0x33, bytes_[12], bytes_[13], bytes_[14], bytes_[15]}};
    }

    // RFC 5952's canonical text: lower-case hex without leading zeros, the
    // longest run of two or more zero groups (the first of equals) as "::",
    // and an IPv4-mapped address with its dotted quad.
    std::string to_string() const;
    constexpr auto operator<=>(const Ipv6Address&) const = default;
    // As two words rather than a call to memcmp: endpoints and 4-tuples are
    // compared for every segment.
    constexpr bool operator==(const Ipv6Address& o) const {
        const auto a = std::bit_cast<std::array<uint64_t, 2>>(bytes_);
        const auto b = std::bit_cast<std::array<uint64_t, 2>>(o.bytes_);
        return a[0] == b[0] && a[1] == b[1];
    }

  private:
    std::array<uint8_t, 16> bytes_{};
};

// An IPv6 address with a prefix length: "2001:db8::2/64".
struct Ipv6Cidr {
    Ipv6Address address;
    uint8_t prefix_len = 0;  // 0..128

    // The prefix length must be present and at most 128.
    static Result<Ipv6Cidr> parse(std::string_view text);

    // The address with its host bits cleared.
    Ipv6Address network() const;
    bool contains(Ipv6Address a) const;

    std::string to_string() const;
    constexpr auto operator<=>(const Ipv6Cidr&) const = default;
};

// An address of either family: what an endpoint, a DNS answer or a command
// line holds. An IPv4 address stays IPv4: 10.0.0.1 and ::ffff:10.0.0.1 are
// different values (the second is an IPv6 address a dual-stack socket uses
// for an IPv4 peer); `unmapped()` turns the second into the first.
class IpAddress {
  public:
    constexpr IpAddress() = default;  // 0.0.0.0
    constexpr IpAddress(Ipv4Address a) : v6_(Ipv6Address::mapped(a)), v4_(true) {}
    constexpr IpAddress(const Ipv6Address& a) : v6_(a), v4_(false) {}

    // A dotted quad is IPv4, anything else is read as IPv6.
    static Result<IpAddress> parse(std::string_view text);
    // The wildcard of `a`'s family: 0.0.0.0 or ::.
    static constexpr IpAddress any_of_family(const IpAddress& a) {
        return a.is_v4() ? IpAddress{Ipv4Address{}} : IpAddress{Ipv6Address{}};
    }

    constexpr bool is_v4() const { return v4_; }
    constexpr bool is_v6() const { return !v4_; }
    // Preconditions: is_v4(), is_v6().
    constexpr Ipv4Address v4() const { return v6_.ipv4(); }
    constexpr const Ipv6Address& v6() const { return v6_; }
    // IPv4 for an IPv4-mapped IPv6 address, else itself.
    constexpr IpAddress unmapped() const {
        return is_v6() && v6_.is_ipv4_mapped() ? IpAddress{v6_.ipv4()} : *this;
    }

    constexpr bool is_unspecified() const {
        return v4_ ? v4().is_unspecified() : v6_.is_unspecified();
    }
    constexpr bool is_loopback() const { return v4_ ? v4().is_loopback() : v6_.is_loopback(); }
    constexpr bool is_multicast() const { return v4_ ? v4().is_multicast() : v6_.is_multicast(); }

    std::string to_string() const { return v4_ ? v4().to_string() : v6_.to_string(); }
    // IPv4 addresses order before IPv6 ones, each family by its bytes.
    constexpr auto operator<=>(const IpAddress& o) const {
        if (v4_ != o.v4_) return v4_ ? std::strong_ordering::less : std::strong_ordering::greater;
        return v6_ <=> o.v6_;
    }
    constexpr bool operator==(const IpAddress& o) const { return v4_ == o.v4_ && v6_ == o.v6_; }
    // For hash tables: the sixteen bytes and the family, mixed.
    constexpr uint64_t hash() const {
        const auto w = std::bit_cast<std::array<uint64_t, 2>>(v6_.bytes());
        uint64_t h = (w[0] * 0x9e3779b97f4a7c15ull) ^ w[1] ^ (v4_ ? 1u : 0u);
        h *= 0xff51afd7ed558ccdull;
        return h ^ (h >> 32);
    }

  private:
    Ipv6Address v6_ = Ipv6Address::mapped(Ipv4Address{});  // IPv4 kept mapped inside
    bool v4_ = true;
};

}  // namespace wire

template <>
struct std::hash<wire::IpAddress> {
    size_t operator()(const wire::IpAddress& a) const noexcept {
        return static_cast<size_t>(a.hash());
    }
};

template <>
struct fmt::formatter<wire::IpAddress> : fmt::formatter<std::string_view> {
    auto format(const wire::IpAddress& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};

template <>
struct fmt::formatter<wire::MacAddress> : fmt::formatter<std::string_view> {
    auto format(const wire::MacAddress& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
template <>
struct fmt::formatter<wire::Ipv4Address> : fmt::formatter<std::string_view> {
    auto format(const wire::Ipv4Address& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
template <>
struct fmt::formatter<wire::Ipv4Cidr> : fmt::formatter<std::string_view> {
    auto format(const wire::Ipv4Cidr& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
template <>
struct fmt::formatter<wire::Ipv6Address> : fmt::formatter<std::string_view> {
    auto format(const wire::Ipv6Address& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
template <>
struct fmt::formatter<wire::Ipv6Cidr> : fmt::formatter<std::string_view> {
    auto format(const wire::Ipv6Cidr& a, format_context& ctx) const {
        return fmt::formatter<std::string_view>::format(a.to_string(), ctx);
    }
};
