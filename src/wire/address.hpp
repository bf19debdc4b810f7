// Link-layer and IPv4 addresses as value types.
#pragma once

#include <array>
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

}  // namespace wire

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
