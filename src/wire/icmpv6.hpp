// ICMPv6 (RFC 4443): the error messages (destination unreachable, packet too
// big, time exceeded, parameter problem) and echo. Neighbour discovery
// (RFC 4861, types 133-137) travels in ICMPv6 too; its messages are parsed by
// `NdpRepr` (wire/ndp.hpp) from the same view. Other types, multicast listener
// discovery among them, parse as `unsupported`.
//
// Every ICMPv6 checksum covers the IPv6 pseudo-header (RFC 4443 §2.3), so
// verifying and emitting take the packet's addresses.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/ipv6.hpp"

namespace wire {

enum class Icmpv6Type : uint8_t {
    dest_unreachable = 1,
    packet_too_big = 2,
    time_exceeded = 3,
    parameter_problem = 4,
    echo_request = 128,
    echo_reply = 129,
    router_solicitation = 133,
    router_advertisement = 134,
    neighbor_solicitation = 135,
    neighbor_advertisement = 136,
    redirect = 137,
};

// Codes of `dest_unreachable` (RFC 4443 §3.1).
enum class Icmpv6UnreachableCode : uint8_t {
    no_route = 0,
    admin_prohibited = 1,
    beyond_scope = 2,
    address = 3,
    port = 4,
    source_policy = 5,
    reject_route = 6,
};

// Codes of `time_exceeded` (RFC 4443 §3.3).
enum class Icmpv6TimeExceededCode : uint8_t { hop_limit = 0, reassembly = 1 };

// Codes of `parameter_problem` (RFC 4443 §3.4, RFC 7112 §5).
enum class Icmpv6ParameterCode : uint8_t {
    header_field = 0,
    next_header = 1,
    option = 2,
    incomplete_chain = 3,
};

std::string_view to_string(Icmpv6Type t);
std::string_view to_string(Icmpv6UnreachableCode c);

namespace icmpv6 {
constexpr size_t header_len = 8;  // type, code, checksum and the four-byte body every type has
// An error quotes as much of the invoking packet as fits without the whole
// error exceeding the minimum MTU (RFC 4443 §2.4 (c)): 1280 - 40 - 8 bytes.
constexpr size_t max_quoted_len = ipv6::min_mtu - ipv6::header_len - header_len;
namespace field {
constexpr base::Range type{0, 1};
constexpr base::Range code{1, 2};
constexpr base::Range checksum{2, 4};
constexpr base::Range identifier{4, 6};  // echo
constexpr base::Range sequence{6, 8};    // echo
constexpr base::Range mtu{4, 8};         // packet too big
constexpr base::Range pointer{4, 8};     // parameter problem
}  // namespace field

// The error types are 0-127, informational ones 128-255 (RFC 4443 §2.1).
constexpr bool is_error(uint8_t type) {
    return type < 128;
}
// Types 133-137: parse them with NdpRepr.
constexpr bool is_neighbor_discovery(uint8_t type) {
    return type >= 133 && type <= 137;
}
}  // namespace icmpv6

// A checked view of an ICMPv6 message (the upper-layer payload after the IPv6
// header chain). After `parse` succeeds no accessor can fail.
class Icmpv6View {
  public:
    // truncated: fewer than icmpv6::header_len bytes.
    static Result<Icmpv6View> parse(base::ByteSpan message);

    uint8_t type() const { return base::load_u8(b_, icmpv6::field::type); }
    uint8_t code() const { return base::load_u8(b_, icmpv6::field::code); }
    uint16_t checksum() const { return base::load_be16(b_, icmpv6::field::checksum); }
    uint16_t identifier() const { return base::load_be16(b_, icmpv6::field::identifier); }
    uint16_t sequence() const { return base::load_be16(b_, icmpv6::field::sequence); }
    uint32_t mtu() const { return base::load_be32(b_, icmpv6::field::mtu); }
    uint32_t pointer() const { return base::load_be32(b_, icmpv6::field::pointer); }
    // After the first eight bytes: echo data, an error's invoking packet, or a
    // neighbour discovery message's fields and options.
    base::ByteSpan payload() const { return b_.subspan(icmpv6::header_len); }
    base::ByteSpan bytes() const { return b_; }
    // `dst` is the packet's final destination (RFC 8200 §8.1).
    bool checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const;

  private:
    explicit Icmpv6View(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

// Echo and the four error messages.
struct Icmpv6Repr {
    Icmpv6Type type = Icmpv6Type::echo_request;
    uint8_t code = 0;
    uint16_t identifier = 0;  // echo only
    uint16_t sequence = 0;    // echo only
    uint32_t mtu = 0;         // packet_too_big only
    uint32_t pointer = 0;     // parameter_problem only: the offending byte's offset
    // Echo data, or for errors the start of the invoking packet (its IPv6
    // header first). Borrowed: points into the parsed bytes or the caller's data.
    base::ByteSpan data;

    // bad_checksum unless ignored; unsupported for a type not handled here
    // (neighbour discovery included: see NdpRepr).
    static Result<Icmpv6Repr> parse(const Icmpv6View& v, const Ipv6Address& src,
                                    const Ipv6Address& dst,
                                    ChecksumCheck check = ChecksumCheck::verify);
    size_t buffer_len() const { return icmpv6::header_len + data.size(); }
    // Writes the message, data and checksum included. `data` may already sit at
    // out[8..]. Precondition: out.size() >= buffer_len().
    void emit(base::MutableByteSpan out, const Ipv6Address& src, const Ipv6Address& dst) const;

    bool operator==(const Icmpv6Repr& o) const;
};

}  // namespace wire
