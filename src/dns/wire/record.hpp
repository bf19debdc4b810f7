// Resource records: owner name, type, class, TTL and the type's data (RDATA).
//
// Known types are decoded into structs; any other type (or A/AAAA outside
// class IN) is kept as opaque octets (RFC 3597), so a record this code does not
// understand passes through unchanged. Records print and parse in presentation
// format (RFC 1035 §5.1; RFC 3597's "\# LENGTH HEX" for opaque data).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "dns/wire/name.hpp"
#include "dns/wire/types.hpp"
#include "wire/address.hpp"

namespace dns {

namespace rdata {
struct A {
    wire::Ipv4Address address;
    bool operator==(const A&) const = default;
};
struct Aaaa {
    wire::Ipv6Address address;
    bool operator==(const Aaaa&) const = default;
};
struct Ns {
    Name host;
    bool operator==(const Ns&) const = default;
};
struct Cname {
    Name target;
    bool operator==(const Cname&) const = default;
};
struct Ptr {
    Name target;
    bool operator==(const Ptr&) const = default;
};
struct Soa {
    Name mname;  // the primary server
    Name rname;  // the responsible mailbox, "@" written as "."
    uint32_t serial = 0;
    uint32_t refresh = 0;
    uint32_t retry = 0;
    uint32_t expire = 0;
    uint32_t minimum = 0;  // the TTL of negative answers (RFC 2308)
    bool operator==(const Soa&) const = default;
};
struct Mx {
    uint16_t preference = 0;
    Name exchange;
    bool operator==(const Mx&) const = default;
};
struct Txt {
    std::vector<std::string> strings;  // each at most 255 octets
    bool operator==(const Txt&) const = default;
};
struct Srv {
    uint16_t priority = 0;
    uint16_t weight = 0;
    uint16_t port = 0;
    Name target;
    bool operator==(const Srv&) const = default;
};
struct Caa {
    uint8_t flags = 0;
    std::string tag;  // "issue", "iodef", …
    std::string value;
    bool operator==(const Caa&) const = default;
};
struct Opaque {
    std::vector<std::byte> bytes;
    bool operator==(const Opaque&) const = default;
};
}  // namespace rdata

using RData = std::variant<rdata::A, rdata::Aaaa, rdata::Ns, rdata::Cname, rdata::Ptr, rdata::Soa,
                           rdata::Mx, rdata::Txt, rdata::Srv, rdata::Caa, rdata::Opaque>;

struct Record {
    Name name;
    RrType type = RrType::a;
    RrClass cls = RrClass::in;
    uint32_t ttl = 0;
    RData data;

    // "kiminje.shop. 300 IN A 200.200.200.2"
    std::string to_string() const;
    bool operator==(const Record&) const = default;
};

// The data alone in presentation format: "200.200.200.2", "10 mail.example.".
std::string to_string(const RData& data);

// The data's type when decoded; nullopt for Opaque (its record says).
std::optional<RrType> type_of(const RData& data);

// Presentation tokens (already split, quotes removed from TXT and CAA
// strings by the caller's tokenizer) to data of `type`; relative names get
// `origin`. "\#" generic data works for every type.
base::Expected<RData, std::string> parse_rdata(RrType type, RrClass cls,
                                               const std::vector<std::string>& tokens,
                                               const Name& origin);

// "3600", "1h", "1w2d", "90m": seconds, at most 2^31 - 1 (RFC 2181 §8). Units
// are BIND's: s, m, h, d, w, any case.
std::optional<uint32_t> parse_ttl(std::string_view text);

}  // namespace dns
