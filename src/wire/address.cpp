#include "wire/address.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

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

Ipv6Address Ipv6Address::load(base::ByteSpan b) {
    assert(b.size() >= 16);
    std::array<uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), b.data(), 16);
    return Ipv6Address{bytes};
}

void Ipv6Address::store(base::MutableByteSpan b) const {
    assert(b.size() >= 16);
    std::memcpy(b.data(), bytes_.data(), 16);
}

namespace {

// The groups of one side of a "::" (or of a whole address without one), in
// order: hex groups of one to four digits separated by ':', the last of the
// address possibly a dotted quad (two groups). False on any other text.
bool parse_groups(std::string_view text, bool last_of_address, std::vector<uint16_t>& out) {
    if (text.empty()) return true;
    while (true) {
        const size_t colon = text.find(':');
        const std::string_view piece = text.substr(0, colon);
        const bool final_piece = colon == std::string_view::npos;
        if (final_piece && last_of_address && piece.find('.') != std::string_view::npos) {
            const auto v4 = Ipv4Address::parse(piece);
            if (!v4) return false;
            out.push_back(static_cast<uint16_t>(v4->to_u32() >> 16));
            out.push_back(static_cast<uint16_t>(v4->to_u32()));
            return true;
        }
        if (piece.empty() || piece.size() > 4) return false;
        unsigned value = 0;
        for (char c : piece) {
            const int d = hex_digit(c);
            if (d < 0) return false;
            value = value * 16 + static_cast<unsigned>(d);
        }
        out.push_back(static_cast<uint16_t>(value));
        if (final_piece) return true;
        text.remove_prefix(colon + 1);
    }
}

}  // namespace

Result<Ipv6Address> Ipv6Address::parse(std::string_view text) {
    if (text.empty() || text.size() > 45) return base::fail(Error::bad_syntax);
    const size_t gap = text.find("::");
    std::vector<uint16_t> head, tail;
    if (gap == std::string_view::npos) {
        if (!parse_groups(text, true, head) || head.size() != 8)
            return base::fail(Error::bad_syntax);
    } else {
        const std::string_view after = text.substr(gap + 2);
        if (after.find("::") != std::string_view::npos) return base::fail(Error::bad_syntax);
        if (!parse_groups(text.substr(0, gap), false, head) || !parse_groups(after, true, tail))
            return base::fail(Error::bad_syntax);
        if (head.size() + tail.size() > 7)
            return base::fail(Error::bad_syntax);  // "::" is ≥ 1 group
    }
    std::array<uint16_t, 8> groups{};
    std::copy(head.begin(), head.end(), groups.begin());
    std::copy(tail.begin(), tail.end(), groups.end() - static_cast<std::ptrdiff_t>(tail.size()));
    return from_groups(groups);
}

std::string Ipv6Address::to_string() const {
    if (is_ipv4_mapped()) return fmt::format("::ffff:{}", ipv4());
    // The longest run of zero groups, two or more, the first of equal ones.
    size_t best = 8, best_len = 1;
    for (size_t i = 0; i < 8;) {
        if (group(i) != 0) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < 8 && group(j) == 0)
            ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string out;
    for (size_t i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        out += fmt::format("{:x}", group(i));
    }
    return out;
}

Result<Ipv6Cidr> Ipv6Cidr::parse(std::string_view text) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) return base::fail(Error::bad_syntax);
    auto address = Ipv6Address::parse(text.substr(0, slash));
    if (!address) return base::fail(address.error());
    const auto prefix = parse_decimal(text.substr(slash + 1), 128);
    if (!prefix) return base::fail(Error::bad_syntax);
    return Ipv6Cidr{*address, static_cast<uint8_t>(*prefix)};
}

Ipv6Address Ipv6Cidr::network() const {
    std::array<uint8_t, 16> b = address.bytes();
    for (size_t i = 0; i < 16; ++i) {
        const int bits = std::clamp(int{prefix_len} - static_cast<int>(8 * i), 0, 8);
        b[i] &= static_cast<uint8_t>(0xff00u >> bits);
    }
    return Ipv6Address{b};
}

bool Ipv6Cidr::contains(Ipv6Address a) const {
    return Ipv6Cidr{a, prefix_len}.network() == network();
}

std::string Ipv6Cidr::to_string() const {
    return fmt::format("{}/{}", address, prefix_len);
}

Result<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.find(':') == std::string_view::npos) {
        auto v4 = Ipv4Address::parse(text);
        if (!v4) return base::fail(v4.error());
        return IpAddress{*v4};
    }
    auto v6 = Ipv6Address::parse(text);
    if (!v6) return base::fail(v6.error());
    return IpAddress{*v6};
}

}  // namespace wire
