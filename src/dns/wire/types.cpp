#include "dns/wire/types.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include <fmt/format.h>

namespace dns {
namespace {

constexpr std::array<std::pair<RrType, std::string_view>, 15> type_names{{
    {RrType::a, "A"},
    {RrType::ns, "NS"},
    {RrType::cname, "CNAME"},
    {RrType::soa, "SOA"},
    {RrType::ptr, "PTR"},
    {RrType::hinfo, "HINFO"},
    {RrType::mx, "MX"},
    {RrType::txt, "TXT"},
    {RrType::aaaa, "AAAA"},
    {RrType::srv, "SRV"},
    {RrType::opt, "OPT"},
    {RrType::ixfr, "IXFR"},
    {RrType::axfr, "AXFR"},
    {RrType::any, "ANY"},
    {RrType::caa, "CAA"},
}};

constexpr std::array<std::pair<RrClass, std::string_view>, 5> class_names{{
    {RrClass::in, "IN"},
    {RrClass::ch, "CH"},
    {RrClass::hs, "HS"},
    {RrClass::none, "NONE"},
    {RrClass::any, "ANY"},
}};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// "TYPE123" / "CLASS3": the generic form with a 16-bit number.
std::optional<uint16_t> generic(std::string_view text, std::string_view prefix) {
    if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix))
        return std::nullopt;
    const std::string_view digits = text.substr(prefix.size());
    uint16_t v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return v;
}

}  // namespace

std::string to_string(RrType t) {
    for (const auto& [type, name] : type_names) {
        if (type == t) return std::string(name);
    }
    return fmt::format("TYPE{}", static_cast<uint16_t>(t));
}

std::string to_string(RrClass c) {
    for (const auto& [cls, name] : class_names) {
        if (cls == c) return std::string(name);
    }
    return fmt::format("CLASS{}", static_cast<uint16_t>(c));
}

std::string to_string(Rcode r) {
    switch (r) {
        case Rcode::noerror:
            return "NOERROR";
        case Rcode::formerr:
            return "FORMERR";
        case Rcode::servfail:
            return "SERVFAIL";
        case Rcode::nxdomain:
            return "NXDOMAIN";
        case Rcode::notimp:
            return "NOTIMP";
        case Rcode::refused:
            return "REFUSED";
        case Rcode::yxdomain:
            return "YXDOMAIN";
        case Rcode::yxrrset:
            return "YXRRSET";
        case Rcode::nxrrset:
            return "NXRRSET";
        case Rcode::notauth:
            return "NOTAUTH";
        case Rcode::notzone:
            return "NOTZONE";
        case Rcode::badvers:
            return "BADVERS";
    }
    return fmt::format("RCODE{}", static_cast<uint16_t>(r));
}

std::string to_string(Opcode o) {
    switch (o) {
        case Opcode::query:
            return "QUERY";
        case Opcode::status:
            return "STATUS";
        case Opcode::notify:
            return "NOTIFY";
        case Opcode::update:
            return "UPDATE";
    }
    return fmt::format("OPCODE{}", static_cast<unsigned>(o));
}

std::optional<RrType> parse_type(std::string_view text) {
    for (const auto& [type, name] : type_names) {
        if (iequals(text, name)) return type;
    }
    if (auto v = generic(text, "TYPE")) return RrType{*v};
    return std::nullopt;
}

std::optional<RrClass> parse_class(std::string_view text) {
    for (const auto& [cls, name] : class_names) {
        if (iequals(text, name)) return cls;
    }
    if (auto v = generic(text, "CLASS")) return RrClass{*v};
    return std::nullopt;
}

}  // namespace dns
