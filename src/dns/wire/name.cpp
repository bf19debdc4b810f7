#include "dns/wire/name.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace dns {
namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Octets printed with a backslash in front: they mean something in master files.
bool special(unsigned char c) {
    return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
           c == '$';
}

// Compares two labels as canonical order does: octet by octet, letters as
// lowercase, a shorter label that is a prefix first.
std::strong_ordering compare_labels(std::string_view a, std::string_view b) {
    const size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(lower(a[i]));
        const auto y = static_cast<unsigned char>(lower(b[i]));
        if (x != y) return x <=> y;
    }
    return a.size() <=> b.size();
}

}  // namespace

base::Expected<Name, std::string> Name::parse(std::string_view text, const Name* origin) {
    if (text.empty()) return base::fail(std::string("an empty name"));
    if (text == "@") {
        if (!origin) return base::fail(std::string("'@' with no origin to stand for"));
        return *origin;
    }
    if (text == ".") return Name{};
    std::string wire;
    std::string label;
    bool absolute = false;
    auto finish_label = [&]() -> base::Expected<void, std::string> {
        if (label.empty())
            return base::fail(
                fmt::format("an empty label in '{}' (two dots, or a leading dot)", text));
        if (label.size() > max_label_len)
            return base::fail(fmt::format("a label of {} octets in '{}' (at most {})", label.size(),
                                          text, max_label_len));
        wire += static_cast<char>(label.size());
        wire += label;
        label.clear();
        return {};
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\') {
            if (i + 1 >= text.size())
                return base::fail(fmt::format("'{}' ends with a lone backslash", text));
            if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
                int v = 0;
                for (size_t k = 1; k <= 3; ++k) {
                    if (i + k >= text.size() ||
                        !std::isdigit(static_cast<unsigned char>(text[i + k])))
                        return base::fail(fmt::format("'\\DDD' needs three digits in '{}'", text));
                    v = v * 10 + (text[i + k] - '0');
                }
                if (v > 255)
                    return base::fail(fmt::format("'\\{:03}' is not an octet in '{}'", v, text));
                label += static_cast<char>(v);
                i += 3;
            } else {
                label += text[i + 1];
                ++i;
            }
            continue;
        }
        if (c == '.') {
            if (auto ok = finish_label(); !ok) return base::fail(ok.error());
            if (i + 1 == text.size()) absolute = true;
            continue;
        }
        label += c;
    }
    if (!label.empty()) {
        if (auto ok = finish_label(); !ok) return base::fail(ok.error());
    }
    if (!absolute && origin) {
        wire.append(origin->wire_.data(), origin->wire_.size() - 1);  // without its root byte
    }
    wire += '\0';
    if (wire.size() > max_wire_len)
        return base::fail(fmt::format("'{}' is {} octets long in wire form (at most {})", text,
                                      wire.size(), max_wire_len));
    return Name(std::move(wire));
}

base::Expected<Name, std::string> Name::from_wire(base::ByteSpan wire) {
    if (wire.empty() || wire.size() > max_wire_len)
        return base::fail(fmt::format("a wire name of {} octets", wire.size()));
    size_t at = 0;
    while (true) {
        const auto len = static_cast<size_t>(wire[at]);
        if (len == 0) break;
        if (len > max_label_len) return base::fail(fmt::format("a label of {} octets", len));
        at += 1 + len;
        if (at >= wire.size()) return base::fail(std::string("labels run past the end"));
    }
    if (at + 1 != wire.size()) return base::fail(std::string("octets after the root label"));
    return Name(std::string(reinterpret_cast<const char*>(wire.data()), wire.size()));
}

base::Expected<Name, std::string> Name::from_labels(const std::vector<std::string>& labels) {
    std::string wire;
    for (const std::string& l : labels) {
        if (l.empty() || l.size() > max_label_len)
            return base::fail(fmt::format("a label of {} octets", l.size()));
        wire += static_cast<char>(l.size());
        wire += l;
    }
    wire += '\0';
    if (wire.size() > max_wire_len)
        return base::fail(fmt::format("a name of {} octets in wire form", wire.size()));
    return Name(std::move(wire));
}

std::vector<size_t> Name::label_offsets() const {
    std::vector<size_t> out;
    for (size_t at = 0; wire_[at] != 0; at += 1 + static_cast<unsigned char>(wire_[at]))
        out.push_back(at);
    return out;
}

size_t Name::label_count() const {
    size_t n = 0;
    for (size_t at = 0; wire_[at] != 0; at += 1 + static_cast<unsigned char>(wire_[at]))
        ++n;
    return n;
}

std::string_view Name::label(size_t i) const {
    size_t at = 0;
    for (size_t k = 0; k < i && wire_[at] != 0; ++k)
        at += 1 + static_cast<unsigned char>(wire_[at]);
    return std::string_view(wire_).substr(at + 1, static_cast<unsigned char>(wire_[at]));
}

std::string Name::to_string() const {
    if (is_root()) return ".";
    std::string out;
    for (size_t at = 0; wire_[at] != 0; at += 1 + static_cast<unsigned char>(wire_[at])) {
        const std::string_view l =
            std::string_view(wire_).substr(at + 1, static_cast<unsigned char>(wire_[at]));
        for (char ch : l) {
            const auto c = static_cast<unsigned char>(ch);
            if (special(c)) {
                out += '\\';
                out += ch;
            } else if (c > 0x20 && c < 0x7f) {
                out += ch;
            } else {
                out += fmt::format("\\{:03}", c);
            }
        }
        out += '.';
    }
    return out;
}

Name Name::parent() const {
    if (is_root()) return *this;
    return Name(wire_.substr(1 + static_cast<unsigned char>(wire_[0])));
}

base::Expected<Name, std::string> Name::prepend(std::string_view l) const {
    if (l.empty() || l.size() > max_label_len)
        return base::fail(fmt::format("a label of {} octets", l.size()));
    if (wire_.size() + 1 + l.size() > max_wire_len)
        return base::fail(std::string("the name would be longer than 255 octets"));
    std::string w;
    w += static_cast<char>(l.size());
    w += l;
    w += wire_;
    return Name(std::move(w));
}

bool Name::is_subdomain_of(const Name& zone) const {
    if (zone.wire_.size() > wire_.size()) return false;
    // The zone's wire form must be a suffix that starts on a label boundary.
    const size_t start = wire_.size() - zone.wire_.size();
    size_t at = 0;
    while (at < start)
        at += 1 + static_cast<unsigned char>(wire_[at]);
    if (at != start) return false;
    for (size_t i = 0; i < zone.wire_.size(); ++i) {
        if (lower(wire_[start + i]) != lower(zone.wire_[i])) return false;
    }
    return true;
}

Name Name::lowercased() const {
    std::string w = wire_;
    std::transform(w.begin(), w.end(), w.begin(), lower);
    return Name(std::move(w));
}

bool Name::operator==(const Name& o) const {
    return wire_.size() == o.wire_.size() &&
           std::equal(wire_.begin(), wire_.end(), o.wire_.begin(),
                      [](char a, char b) { return lower(a) == lower(b); });
}

namespace {

// Offsets of a wire name's label length bytes, left to right, without
// allocating (at most 127 labels fit in 255 octets); returns the count.
size_t offsets_of(const std::string& wire, std::array<uint8_t, 128>& out) {
    size_t n = 0;
    for (size_t at = 0; wire[at] != 0; at += 1 + static_cast<unsigned char>(wire[at]))
        out[n++] = static_cast<uint8_t>(at);
    return n;
}

}  // namespace

std::strong_ordering Name::operator<=>(const Name& o) const {
    std::array<uint8_t, 128> a{}, b{};
    size_t i = offsets_of(wire_, a), j = offsets_of(o.wire_, b);
    const size_t na = i, nb = j;
    while (i > 0 && j > 0) {
        --i;
        --j;
        const auto la =
            std::string_view(wire_).substr(a[i] + 1u, static_cast<unsigned char>(wire_[a[i]]));
        const auto lb =
            std::string_view(o.wire_).substr(b[j] + 1u, static_cast<unsigned char>(o.wire_[b[j]]));
        if (auto c = compare_labels(la, lb); c != 0) return c;
    }
    return na <=> nb;
}

size_t Name::hash() const {
    uint64_t h = 1469598103934665603ull;  // FNV-1a over the lowercased wire form
    for (char c : wire_) {
        h ^= static_cast<unsigned char>(lower(c));
        h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
}

}  // namespace dns
