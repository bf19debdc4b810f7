// Fuzzes the IPv6 address and prefix text parsers, and the canonical text.
//
// Invariants: whatever parses writes a canonical text that parses back to the
// same address and writes itself again; a text with a zone index or more than
// 45 characters never parses; a prefix parses exactly when its address does
// and its length is 0..128, and its network is inside it. The first sixteen
// bytes of the input, as an address, survive their own text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    if (const auto a = wire::Ipv6Address::parse(text)) {
        require(text.size() <= 45 && text.find('%') == std::string_view::npos,
                "only a bare address of at most 45 characters parses");
        const std::string canonical = a->to_string();
        const auto back = wire::Ipv6Address::parse(canonical);
        require(back.has_value() && *back == *a, "the canonical text parses to the same address");
        require(back->to_string() == canonical, "the canonical text is a fixed point");
    }

    if (const auto c = wire::Ipv6Cidr::parse(text)) {
        require(c->prefix_len <= 128, "a prefix length is at most 128");
        const size_t slash = text.find('/');
        require(wire::Ipv6Address::parse(text.substr(0, slash)).has_value(),
                "a prefix parses only with an address that does");
        require(c->contains(c->address) && c->contains(c->network()),
                "a prefix holds its address and its network");
        const auto again = wire::Ipv6Cidr::parse(c->to_string());
        require(again.has_value() && *again == *c, "a prefix survives its text form");
    }

    if (size >= 16) {
        const auto a = wire::Ipv6Address::load(fuzz::input(data, 16));
        const auto back = wire::Ipv6Address::parse(a.to_string());
        require(back.has_value() && *back == a, "any sixteen bytes survive their text form");
    }
    return 0;
}
