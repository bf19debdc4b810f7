// DNS messages (RFC 1035 §4): header, question, answer, authority and
// additional sections, with EDNS(0) (RFC 6891) taken out of the additional
// section into `edns`.
//
// Parsing is strict where it protects the reader: compression pointers must
// point backwards (so they cannot loop or point ahead), names and labels stay
// within their limits, every record's data must fill exactly its length, and
// at most one OPT record, owned by the root, in the additional section. A
// rejected message says what was wrong and at which octet.
//
// Emitting compresses names (RFC 1035 §4.1.4) in owner names and in the data
// of the types RFC 3597 §4 allows (NS, CNAME, SOA, PTR, MX), and can fit a
// message to a size: additional records go first, then, if it still does not
// fit, the answer and authority are left out and TC is set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "dns/wire/name.hpp"
#include "dns/wire/record.hpp"
#include "dns/wire/types.hpp"

namespace dns {

struct Question {
    // Constructors, so Question is not an aggregate: GCC 12 moves an
    // aggregate temporary that lives across a co_await bytewise, and a short
    // name's string then points into the old copy (a bad free). With them,
    // `co_await dns::lookup(rt, Question{...})` is safe.
    Question() = default;
    Question(Name n, RrType t, RrClass c = RrClass::in) : name(std::move(n)), type(t), cls(c) {}

    Name name;
    RrType type = RrType::a;
    RrClass cls = RrClass::in;
    bool operator==(const Question&) const = default;
    std::string to_string() const;  // "kiminje.shop. IN A"
};

struct EdnsOption {
    uint16_t code = 0;
    std::vector<std::byte> data;
    bool operator==(const EdnsOption&) const = default;
};

struct Edns {
    uint16_t udp_size = 1232;  // the largest UDP reply the sender takes (DNS flag day 2020)
    uint8_t version = 0;
    bool dnssec_ok = false;
    std::vector<EdnsOption> options;
    bool operator==(const Edns&) const = default;
};

struct Message {
    static constexpr size_t header_len = 12;

    uint16_t id = 0;
    bool qr = false;  // a response
    Opcode opcode = Opcode::query;
    bool aa = false;               // authoritative answer
    bool tc = false;               // truncated
    bool rd = false;               // recursion desired
    bool ra = false;               // recursion available
    bool z = false;                // reserved, kept as received
    bool ad = false;               // authentic data
    bool cd = false;               // checking disabled
    Rcode rcode = Rcode::noerror;  // 12 bits: the header's 4 and EDNS's 8
    std::vector<Question> questions;
    std::vector<Record> answers;
    std::vector<Record> authority;
    std::vector<Record> additional;  // without the OPT record
    std::optional<Edns> edns;

    bool operator==(const Message&) const = default;
};

struct WireError {
    std::string what;
    size_t offset = 0;              // the octet where the problem was found
    std::string to_string() const;  // "at octet 12: a compression pointer that does not point back"
};

base::Expected<Message, WireError> parse_message(base::ByteSpan bytes);

struct EmitOptions {
    size_t max_size = 65535;  // UDP: 512, or the EDNS size
    bool compress = true;
};

// The message's octets. If they would exceed `max_size`, first the additional
// records go (no TC: they are optional), then the answer and authority (TC set,
// so the client asks again over TCP). The question and OPT always stay.
std::vector<std::byte> emit_message(const Message& message, EmitOptions options = {});

// The message as dig prints it: header line, flags, then each section.
std::string to_text(const Message& message);

}  // namespace dns
