#include "dns/wire/record.hpp"

#include <cctype>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace dns {
namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// A character-string in quotes, with '"' and '\' escaped and other
// unprintable octets as \DDD.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c >= 0x20 && c < 0x7f) {
            out += ch;
        } else {
            out += fmt::format("\\{:03}", c);
        }
    }
    return out + "\"";
}

// Undoes presentation escapes in a character-string: "\X" is X, "\DDD" an octet.
base::Expected<std::string, std::string> unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\') {
            out += s[i];
            continue;
        }
        if (i + 1 >= s.size()) return base::fail(fmt::format("'{}' ends with a backslash", s));
        if (std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            if (i + 3 >= s.size())
                return base::fail(fmt::format("'\\DDD' needs three digits in '{}'", s));
            int v = 0;
            for (size_t k = 1; k <= 3; ++k) {
                if (!std::isdigit(static_cast<unsigned char>(s[i + k])))
                    return base::fail(fmt::format("'\\DDD' needs three digits in '{}'", s));
                v = v * 10 + (s[i + k] - '0');
            }
            if (v > 255) return base::fail(fmt::format("'\\{}' is not an octet", v));
            out += static_cast<char>(v);
            i += 3;
        } else {
            out += s[i + 1];
            ++i;
        }
    }
    return out;
}

template <class T>
base::Expected<T, std::string> number(const std::string& token, std::string_view what) {
    T v{};
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    if (ec != std::errc{} || end != token.data() + token.size())
        return base::fail(fmt::format("{} '{}' is not a number from 0 to {}", what, token,
                                      std::numeric_limits<T>::max()));
    return v;
}

base::Expected<Name, std::string> name_of(const std::string& token, const Name& origin) {
    return Name::parse(token, &origin);
}

base::Expected<void, std::string> count_is(const std::vector<std::string>& tokens, size_t n,
                                           std::string_view type, std::string_view form) {
    if (tokens.size() != n)
        return base::fail(
            fmt::format("{} takes {} ({}), not {} fields", type, n, form, tokens.size()));
    return {};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// RFC 3597 §5: "\# LENGTH HEX…".
base::Expected<RData, std::string> generic(const std::vector<std::string>& tokens) {
    if (tokens.size() < 2) return base::fail(std::string("'\\#' needs a length"));
    auto len = number<uint16_t>(tokens[1], "the '\\#' length");
    if (!len) return base::fail(len.error());
    std::string hex;
    for (size_t i = 2; i < tokens.size(); ++i)
        hex += tokens[i];
    if (hex.size() % 2 != 0) return base::fail(std::string("'\\#' data has an odd hex digit"));
    rdata::Opaque o;
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return base::fail(fmt::format("'\\#' data '{}' is not hexadecimal", hex));
        o.bytes.push_back(static_cast<std::byte>(hi * 16 + lo));
    }
    if (o.bytes.size() != *len)
        return base::fail(
            fmt::format("'\\#' says {} octets, the data has {}", *len, o.bytes.size()));
    return RData{std::move(o)};
}

}  // namespace

std::optional<uint32_t> parse_ttl(std::string_view text) {
    if (text.empty()) return std::nullopt;
    uint64_t total = 0, value = 0;
    bool digits = false, units = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<uint64_t>(c - '0');
            digits = true;
            if (value > 0xffffffffull) return std::nullopt;
            continue;
        }
        uint64_t scale = 0;
        switch (c | 0x20) {
            case 's':
                scale = 1;
                break;
            case 'm':
                scale = 60;
                break;
            case 'h':
                scale = 3600;
                break;
            case 'd':
                scale = 86400;
                break;
            case 'w':
                scale = 604800;
                break;
            default:
                return std::nullopt;
        }
        if (!digits) return std::nullopt;
        total += value * scale;
        value = 0;
        digits = false;
        units = true;
    }
    if (digits) {
        if (units) return std::nullopt;  // "1h30": a number with no unit after units
        total += value;
    }
    if (total > 0x7fffffffull) return std::nullopt;
    return static_cast<uint32_t>(total);
}

std::string to_string(const RData& data) {
    return std::visit(Overloaded{
                          [](const rdata::A& a) { return a.address.to_string(); },
                          [](const rdata::Aaaa& a) { return a.address.to_string(); },
                          [](const rdata::Ns& n) { return n.host.to_string(); },
                          [](const rdata::Cname& c) { return c.target.to_string(); },
                          [](const rdata::Ptr& p) { return p.target.to_string(); },
                          [](const rdata::Soa& s) {
                              return fmt::format("{} {} {} {} {} {} {}", s.mname.to_string(),
                                                 s.rname.to_string(), s.serial, s.refresh, s.retry,
                                                 s.expire, s.minimum);
                          },
                          [](const rdata::Mx& m) {
                              return fmt::format("{} {}", m.preference, m.exchange.to_string());
                          },
                          [](const rdata::Txt& t) {
                              std::string out;
                              for (const std::string& s : t.strings) {
                                  if (!out.empty()) out += ' ';
                                  out += quoted(s);
                              }
                              return out;
                          },
                          [](const rdata::Srv& s) {
                              return fmt::format("{} {} {} {}", s.priority, s.weight, s.port,
                                                 s.target.to_string());
                          },
                          [](const rdata::Caa& c) {
                              return fmt::format("{} {} {}", c.flags, c.tag, quoted(c.value));
                          },
                          [](const rdata::Opaque& o) {
                              std::string out = fmt::format("\\# {}", o.bytes.size());
                              if (!o.bytes.empty()) out += ' ';
                              for (std::byte b : o.bytes)
                                  out += fmt::format("{:02x}", static_cast<unsigned>(b));
                              return out;
                          },
                      },
                      data);
}

std::optional<RrType> type_of(const RData& data) {
    return std::visit(
        Overloaded{
            [](const rdata::A&) -> std::optional<RrType> { return RrType::a; },
            [](const rdata::Aaaa&) -> std::optional<RrType> { return RrType::aaaa; },
            [](const rdata::Ns&) -> std::optional<RrType> { return RrType::ns; },
            [](const rdata::Cname&) -> std::optional<RrType> { return RrType::cname; },
            [](const rdata::Ptr&) -> std::optional<RrType> { return RrType::ptr; },
            [](const rdata::Soa&) -> std::optional<RrType> { return RrType::soa; },
            [](const rdata::Mx&) -> std::optional<RrType> { return RrType::mx; },
            [](const rdata::Txt&) -> std::optional<RrType> { return RrType::txt; },
            [](const rdata::Srv&) -> std::optional<RrType> { return RrType::srv; },
            [](const rdata::Caa&) -> std::optional<RrType> { return RrType::caa; },
            [](const rdata::Opaque&) -> std::optional<RrType> { return std::nullopt; },
        },
        data);
}

std::string Record::to_string() const {
    return fmt::format("{} {} {} {} {}", name.to_string(), ttl, dns::to_string(cls),
                       dns::to_string(type), dns::to_string(data));
}

base::Expected<RData, std::string> parse_rdata(RrType type, RrClass cls,
                                               const std::vector<std::string>& t,
                                               const Name& origin) {
    if (!t.empty() && t[0] == "\\#") return generic(t);
    const std::string tname = to_string(type);
    const bool in = cls == RrClass::in;
    switch (type) {
        case RrType::a: {
            if (!in) break;
            if (auto ok = count_is(t, 1, tname, "an IPv4 address"); !ok)
                return base::fail(ok.error());
            auto a = wire::Ipv4Address::parse(t[0]);
            if (!a) return base::fail(fmt::format("'{}' is not an IPv4 address", t[0]));
            return RData{rdata::A{*a}};
        }
        case RrType::aaaa: {
            if (!in) break;
            if (auto ok = count_is(t, 1, tname, "an IPv6 address"); !ok)
                return base::fail(ok.error());
            auto a = wire::Ipv6Address::parse(t[0]);
            if (!a) return base::fail(fmt::format("'{}' is not an IPv6 address", t[0]));
            return RData{rdata::Aaaa{*a}};
        }
        case RrType::ns:
        case RrType::cname:
        case RrType::ptr: {
            if (auto ok = count_is(t, 1, tname, "a name"); !ok) return base::fail(ok.error());
            auto n = name_of(t[0], origin);
            if (!n) return base::fail(n.error());
            if (type == RrType::ns) return RData{rdata::Ns{*n}};
            if (type == RrType::cname) return RData{rdata::Cname{*n}};
            return RData{rdata::Ptr{*n}};
        }
        case RrType::soa: {
            if (auto ok = count_is(t, 7, tname,
                                   "primary, mailbox, serial, refresh, retry, expire, minimum");
                !ok)
                return base::fail(ok.error());
            auto m = name_of(t[0], origin);
            if (!m) return base::fail(m.error());
            auto r = name_of(t[1], origin);
            if (!r) return base::fail(r.error());
            rdata::Soa s{.mname = *m, .rname = *r};
            uint32_t* fields[] = {&s.serial, &s.refresh, &s.retry, &s.expire, &s.minimum};
            const char* what[] = {"serial", "refresh", "retry", "expire", "minimum"};
            for (size_t i = 0; i < 5; ++i) {
                auto v = number<uint32_t>(t[2 + i], what[i]);
                // The timers may be written as TTLs, "2h" (BIND's form).
                const auto as_ttl = i > 0 ? parse_ttl(t[2 + i]) : std::nullopt;
                if (!v && !as_ttl) return base::fail(v.error());
                *fields[i] = v ? *v : *as_ttl;
            }
            return RData{s};
        }
        case RrType::mx: {
            if (auto ok = count_is(t, 2, tname, "preference, exchange"); !ok)
                return base::fail(ok.error());
            auto p = number<uint16_t>(t[0], "the preference");
            if (!p) return base::fail(p.error());
            auto n = name_of(t[1], origin);
            if (!n) return base::fail(n.error());
            return RData{rdata::Mx{*p, *n}};
        }
        case RrType::txt: {
            if (t.empty()) return base::fail(std::string("TXT needs at least one string"));
            rdata::Txt txt;
            for (const std::string& token : t) {
                auto s = unescape(token);
                if (!s) return base::fail(s.error());
                if (s->size() > 255)
                    return base::fail(
                        fmt::format("a TXT string of {} octets (at most 255)", s->size()));
                txt.strings.push_back(*s);
            }
            return RData{txt};
        }
        case RrType::srv: {
            if (auto ok = count_is(t, 4, tname, "priority, weight, port, target"); !ok)
                return base::fail(ok.error());
            rdata::Srv s;
            uint16_t* fields[] = {&s.priority, &s.weight, &s.port};
            const char* what[] = {"the priority", "the weight", "the port"};
            for (size_t i = 0; i < 3; ++i) {
                auto v = number<uint16_t>(t[i], what[i]);
                if (!v) return base::fail(v.error());
                *fields[i] = *v;
            }
            auto n = name_of(t[3], origin);
            if (!n) return base::fail(n.error());
            s.target = *n;
            return RData{s};
        }
        case RrType::caa: {
            if (auto ok = count_is(t, 3, tname, "flags, tag, value"); !ok)
                return base::fail(ok.error());
            auto f = number<uint8_t>(t[0], "the flags");
            if (!f) return base::fail(f.error());
            if (t[1].empty() || t[1].size() > 255)
                return base::fail(std::string("a CAA tag is 1 to 255 characters"));
            for (char c : t[1]) {
                if (!std::isalnum(static_cast<unsigned char>(c)))
                    return base::fail(fmt::format("CAA tag '{}' must be letters and digits", t[1]));
            }
            auto v = unescape(t[2]);
            if (!v) return base::fail(v.error());
            return RData{rdata::Caa{*f, t[1], *v}};
        }
        default:
            break;
    }
    return base::fail(
        fmt::format("{} data must be written in the generic form '\\# LENGTH HEX'", tname));
}

}  // namespace dns
