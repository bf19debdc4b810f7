// A domain name (RFC 1035 §3.1): a sequence of labels ending with the root.
//
// Kept as its uncompressed wire form (length-prefixed labels, then a zero
// byte), with the case of its letters as written: "KimInje.Shop." prints back as
// written. Equality, ordering and hashing ignore ASCII case (RFC 4343); ordering
// is DNSSEC's canonical order (RFC 4034 §6.1), labels compared from the right.
//
// Limits are enforced on every path in: a label is 1 to 63 octets, a name at
// most 255 octets of wire form.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace dns {

class Name {
  public:
    static constexpr size_t max_wire_len = 255;
    static constexpr size_t max_label_len = 63;

    // The root, ".".
    Name() : wire_(1, '\0') {}

    // From presentation format (RFC 1035 §5.1): labels separated by dots,
    // "\." and "\\" for a literal dot or backslash, "\DDD" for any octet. A
    // name ending in a dot is absolute; otherwise `origin` is appended (and
    // without an origin the name is taken as absolute). "@" is the origin.
    static base::Expected<Name, std::string> parse(std::string_view text,
                                                   const Name* origin = nullptr);
    // From uncompressed wire labels (checked); for tests and codecs.
    static base::Expected<Name, std::string> from_wire(base::ByteSpan wire);
    // Builds from labels (each checked), the root last and implied.
    static base::Expected<Name, std::string> from_labels(const std::vector<std::string>& labels);

    // Presentation format, absolute, with escapes: "kiminje.shop.", ".".
    std::string to_string() const;

    bool is_root() const { return wire_.size() == 1; }
    size_t label_count() const;
    // Label i, counting from the left (0 is the leftmost); without its length.
    std::string_view label(size_t i) const;
    // Uncompressed wire form, root byte included.
    base::ByteSpan wire() const {
        return {reinterpret_cast<const std::byte*>(wire_.data()), wire_.size()};
    }
    size_t wire_size() const { return wire_.size(); }

    // The name without its leftmost label ("shop." for "kiminje.shop.");
    // the root's parent is the root.
    Name parent() const;
    // `label` + "." + this name, if it fits.
    base::Expected<Name, std::string> prepend(std::string_view label) const;
    // This name, or one of its ancestors, is `zone` (case-insensitive).
    bool is_subdomain_of(const Name& zone) const;
    // "*" as its leftmost label.
    bool is_wildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }
    // Lowercased copy (for keys and for comparison by value).
    Name lowercased() const;

    bool operator==(const Name& o) const;
    std::strong_ordering operator<=>(const Name& o) const;
    size_t hash() const;

  private:
    explicit Name(std::string wire) : wire_(std::move(wire)) {}
    // Offsets of each label's length byte, left to right.
    std::vector<size_t> label_offsets() const;

    std::string wire_;
};

struct NameHash {
    size_t operator()(const Name& n) const { return n.hash(); }
};

}  // namespace dns
