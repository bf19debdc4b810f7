// DNS's numbers: record types, classes, opcodes, response codes (IANA's DNS
// parameters registry), with their mnemonics for presentation format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dns {

// A record type. An enum with an underlying integer, so types this code does
// not know (RFC 3597) are still values: RrType{65280}.
enum class RrType : uint16_t {
    a = 1,
    ns = 2,
    cname = 5,
    soa = 6,
    ptr = 12,
    hinfo = 13,
    mx = 15,
    txt = 16,
    aaaa = 28,
    srv = 33,
    opt = 41,
    ixfr = 251,
    axfr = 252,
    any = 255,
    caa = 257,
};

enum class RrClass : uint16_t {
    in = 1,
    ch = 3,
    hs = 4,
    none = 254,
    any = 255,
};

enum class Opcode : uint8_t {
    query = 0,
    status = 2,
    notify = 4,
    update = 5,
};

// Response codes, 12 bits with EDNS (the high 8 in the OPT record).
enum class Rcode : uint16_t {
    noerror = 0,
    formerr = 1,
    servfail = 2,
    nxdomain = 3,
    notimp = 4,
    refused = 5,
    yxdomain = 6,
    yxrrset = 7,
    nxrrset = 8,
    notauth = 9,
    notzone = 10,
    badvers = 16,
};

// "A", "CAA", or "TYPE65280" for types without a mnemonic (RFC 3597 §5).
std::string to_string(RrType t);
// "IN", or "CLASS42".
std::string to_string(RrClass c);
// "NOERROR", "NXDOMAIN", or "RCODE23".
std::string to_string(Rcode r);
// "QUERY", "UPDATE", or "OPCODE7".
std::string to_string(Opcode o);

// Mnemonics and the generic forms, case-insensitively.
std::optional<RrType> parse_type(std::string_view text);
std::optional<RrClass> parse_class(std::string_view text);

}  // namespace dns
