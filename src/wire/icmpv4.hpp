// ICMPv4 (RFC 792): echo request and reply, destination unreachable (with the
// next-hop MTU of RFC 1191 for "fragmentation needed"), time exceeded. Other
// types parse as `unsupported`.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace wire {

enum class Icmpv4Type : uint8_t {
    echo_reply = 0,
    dest_unreachable = 3,
    echo_request = 8,
    time_exceeded = 11,
};

// Codes of `dest_unreachable` (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1).
enum class UnreachableCode : uint8_t {
    net = 0,
    host = 1,
    protocol = 2,
    port = 3,
    fragmentation_needed = 4,
    source_route_failed = 5,
    net_unknown = 6,
    host_unknown = 7,
    source_host_isolated = 8,
    net_prohibited = 9,
    host_prohibited = 10,
    net_tos = 11,
    host_tos = 12,
    admin_prohibited = 13,
    host_precedence = 14,
    precedence_cutoff = 15,
};

// Codes of `time_exceeded`.
enum class TimeExceededCode : uint8_t { ttl = 0, reassembly = 1 };

std::string_view to_string(Icmpv4Type t);
std::string_view to_string(UnreachableCode c);

namespace icmpv4 {
constexpr size_t header_len = 8;
// An error message quotes the offending datagram's header and at least this many
// bytes of its payload (RFC 792).
constexpr size_t quoted_payload_len = 8;
namespace field {
constexpr base::Range type{0, 1};
constexpr base::Range code{1, 2};
constexpr base::Range checksum{2, 4};
constexpr base::Range identifier{4, 6};    // echo
constexpr base::Range sequence{6, 8};      // echo
constexpr base::Range next_hop_mtu{6, 8};  // fragmentation needed
}  // namespace field
}  // namespace icmpv4

// A checked view of an ICMPv4 message (the whole IP payload). After `parse`
// succeeds no accessor can fail.
class Icmpv4View {
  public:
    static Result<Icmpv4View> parse(base::ByteSpan message);

    uint8_t type() const { return base::load_u8(b_, icmpv4::field::type); }
    uint8_t code() const { return base::load_u8(b_, icmpv4::field::code); }
    uint16_t checksum() const { return base::load_be16(b_, icmpv4::field::checksum); }
    uint16_t identifier() const { return base::load_be16(b_, icmpv4::field::identifier); }
    uint16_t sequence() const { return base::load_be16(b_, icmpv4::field::sequence); }
    uint16_t next_hop_mtu() const { return base::load_be16(b_, icmpv4::field::next_hop_mtu); }
    // Echo data, or the quoted datagram of an error.
    base::ByteSpan payload() const { return b_.subspan(icmpv4::header_len); }
    base::ByteSpan bytes() const { return b_; }
    bool checksum_valid() const { return checksum::verify(b_); }

  private:
    explicit Icmpv4View(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

struct Icmpv4Repr {
    Icmpv4Type type = Icmpv4Type::echo_request;
    uint8_t code = 0;
    uint16_t identifier = 0;    // echo only
    uint16_t sequence = 0;      // echo only
    uint16_t next_hop_mtu = 0;  // dest_unreachable/fragmentation_needed only
    // Echo data, or for errors the offending datagram's IP header and the start
    // of its payload. Borrowed: points into the parsed bytes or the caller's data.
    base::ByteSpan data;

    // unsupported: a type not listed in Icmpv4Type; bad_checksum unless ignored.
    static Result<Icmpv4Repr> parse(const Icmpv4View& v,
                                    ChecksumCheck check = ChecksumCheck::verify);
    size_t buffer_len() const { return icmpv4::header_len + data.size(); }
    // Writes the message, data and checksum included. `data` may already sit at
    // out[8..]. Precondition: out.size() >= buffer_len().
    void emit(base::MutableByteSpan out) const;

    bool operator==(const Icmpv4Repr& o) const;
};

}  // namespace wire
