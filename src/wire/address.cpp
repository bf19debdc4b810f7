#include "wire/address.hpp"

#include <cassert>
#include <charconv>
#include <cstring>
#include <optional>

namespace wire {
namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A decimal number in [0, max] without sign or leading zeros; nullopt otherwise.
std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
    if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

}  // namespace

MacAddress MacAddress::load(base::ByteSpan b) {
    std::array<uint8_t, 6> o{};
    for (size_t i = 0; i < 6; ++i)
        o[i] = base::load_u8(b, i);
    return MacAddress{o};
}

void MacAddress::store(base::MutableByteSpan b) const {
    for (size_t i = 0; i < 6; ++i)
        base::store_u8(b, i, octets_[i]);
}

Result<MacAddress> MacAddress::parse(std::string_view text) {
    // Exactly "xx:xx:xx:xx:xx:xx".
    if (text.size() != 17) return base::fail(Error::bad_syntax);
    std::array<uint8_t, 6> o{};
    for (size_t i = 0; i < 6; ++i) {
        const int hi = hex_digit(text[3 * i]);
        const int lo = hex_digit(text[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':')) {
            return base::fail(Error::bad_syntax);
        }
        o[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return MacAddress{o};
}

std::string MacAddress::to_string() const {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", octets_[0], octets_[1],
                       octets_[2], octets_[3], octets_[4], octets_[5]);
}

Result<Ipv4Address> Ipv4Address::parse(std::string_view text) {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        const size_t dot = text.find('.');
        const bool last = i == 3;
        if (last != (dot == std::string_view::npos)) return base::fail(Error::bad_syntax);
        const auto octet = parse_decimal(text.substr(0, dot), 255);
        if (!octet) return base::fail(Error::bad_syntax);
        value = (value << 8) | *octet;
        if (!last) text.remove_prefix(dot + 1);
    }
    return from_u32(value);
}

std::string Ipv4Address::to_string() const {
    return fmt::format("{}.{}.{}.{}", octet(0), octet(1), octet(2), octet(3));
}

Result<Ipv4Cidr> Ipv4Cidr::parse(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return base::fail(Error::bad_syntax);
    auto address = Ipv4Address::parse(text.substr(0, slash));
    if (!address) return base::fail(address.error());
    const auto prefix = parse_decimal(text.substr(slash + 1), 32);
    if (!prefix) return base::fail(Error::bad_syntax);
    return Ipv4Cidr{*address, static_cast<uint8_t>(*prefix)};
}

std::string Ipv4Cidr::to_string() const {
    return fmt::format("{}/{}", address, prefix_len);
}

}  // namespace wire
