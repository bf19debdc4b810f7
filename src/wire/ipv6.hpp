// IPv6 headers (RFC 8200): the fixed 40-byte header and the chain of extension
// headers after it.
//
// The view checks only the fixed header; `walk_extensions` then follows the
// chain to the upper-layer header, checking every length and the rules a
// receiver must enforce (hop-by-hop options first and once, options that fit
// their header, a bounded number of headers), so that a crafted chain can
// neither run past the packet nor loop. What the stack does with an option,
// a routing header or a fragment is its decision; the walk reports them.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/error.hpp"
#include "wire/ipv4.hpp"

namespace wire {

namespace ipv6 {
constexpr size_t header_len = 40;
constexpr size_t max_payload_len = 65535;  // jumbograms (RFC 2675) are not supported
constexpr uint8_t default_hop_limit = 64;
constexpr size_t min_mtu = 1280;  // every link carries packets this big (RFC 8200 §5)
namespace field {
constexpr base::Range version_class_flow{0, 4};  // version 4 bits, class 8, flow label 20
constexpr base::Range payload_len{4, 6};
constexpr base::Range next_header{6, 7};
constexpr base::Range hop_limit{7, 8};
constexpr base::Range src{8, 24};
constexpr base::Range dst{24, 40};
}  // namespace field

// Next-header values of the extension headers (RFC 8200 §4, IANA).
constexpr uint8_t hop_by_hop = 0;
constexpr uint8_t routing = 43;
constexpr uint8_t fragment = 44;
constexpr uint8_t no_next_header = 59;
constexpr uint8_t destination_options = 60;
constexpr size_t fragment_header_len = 8;
// A walk stops after this many extension headers: RFC 8200 §4.1 allows each
// once (destination options twice), so more is an attack, not a packet.
constexpr size_t max_extension_headers = 8;
}  // namespace ipv6

// A checked view of one IPv6 packet: version 6, the 40-byte header, and as
// many payload bytes as its payload length says. It covers exactly the
// packet: link-layer padding after it is excluded.
class Ipv6View {
  public:
    static Result<Ipv6View> parse(base::ByteSpan packet);
    // As `parse`, but a payload length beyond the bytes given is accepted and
    // the view covers what is there: for the packet quoted inside an ICMPv6
    // error, which carries as much of it as fits in 1280 bytes.
    static Result<Ipv6View> parse_truncated(base::ByteSpan packet);

    uint8_t version() const { return static_cast<uint8_t>(first_word() >> 28); }
    uint8_t traffic_class() const { return static_cast<uint8_t>(first_word() >> 20); }
    uint32_t flow_label() const { return first_word() & 0xfffffu; }
    uint16_t payload_len() const { return base::load_be16(b_, ipv6::field::payload_len); }
    uint8_t next_header() const { return base::load_u8(b_, ipv6::field::next_header); }
    uint8_t hop_limit() const { return base::load_u8(b_, ipv6::field::hop_limit); }
    Ipv6Address src() const { return Ipv6Address::load(base::slice(b_, ipv6::field::src)); }
    Ipv6Address dst() const { return Ipv6Address::load(base::slice(b_, ipv6::field::dst)); }

    base::ByteSpan header() const { return b_.first(ipv6::header_len); }
    // Everything after the fixed header: extension headers, then the upper layer.
    base::ByteSpan payload() const { return b_.subspan(ipv6::header_len); }
    base::ByteSpan bytes() const { return b_; }

  private:
    explicit Ipv6View(base::ByteSpan b) : b_(b) {}
    uint32_t first_word() const { return base::load_be32(b_, ipv6::field::version_class_flow); }
    base::ByteSpan b_;
};

// The fixed header's fields. `next_header` is the header that follows: an
// extension header's number or the upper layer's protocol.
struct Ipv6Repr {
    Ipv6Address src;
    Ipv6Address dst;
    uint8_t next_header = static_cast<uint8_t>(IpProtocol::udp);
    uint8_t hop_limit = ipv6::default_hop_limit;
    uint8_t traffic_class = 0;
    uint32_t flow_label = 0;   // 20 bits
    uint16_t payload_len = 0;  // bytes after the fixed header

    static Ipv6Repr parse(const Ipv6View& v);
    static constexpr size_t buffer_len() { return ipv6::header_len; }
    // Writes the 40-byte header (IPv6 has no header checksum).
    // Preconditions: header.size() >= buffer_len(); flow_label < 2^20.
    void emit(base::MutableByteSpan header) const;

    bool operator==(const Ipv6Repr&) const = default;
};

// What a fragment header says (RFC 8200 §4.5).
struct Ipv6Fragment {
    uint16_t offset = 0;  // bytes, a multiple of 8
    bool more = false;
    uint32_t identification = 0;
    size_t header_at = 0;  // where the fragment header starts, from the packet's start

    bool operator==(const Ipv6Fragment&) const = default;
};

// A routing header's type and segments left (RFC 8200 §4.4). The stack
// refuses type 0 (RFC 5095) and any other type it does not know while
// segments are left.
struct Ipv6Routing {
    uint8_t type = 0;
    uint8_t segments_left = 0;
    size_t header_at = 0;

    bool operator==(const Ipv6Routing&) const = default;
};

// The chain of extension headers, walked.
struct Ipv6Chain {
    uint8_t upper = ipv6::no_next_header;  // the first header that is not an extension one
    size_t upper_at = ipv6::header_len;    // where it starts, from the packet's start
    // Where the next-header field naming `upper` is (the pointer of a
    // parameter problem about an unknown upper layer, RFC 8200 §4).
    size_t upper_named_at = ipv6::field::next_header.begin;
    size_t extension_headers = 0;
    std::optional<base::ByteSpan> hop_by_hop_options;  // the options' bytes, if present
    std::optional<Ipv6Routing> routing;
    std::optional<Ipv6Fragment> fragment;
};

// Walks from the fixed header to the upper layer. Fails with `truncated` when
// a header runs past the packet, `option_overrun` for an options header whose
// options do not fit it, and `unsupported` for a hop-by-hop header anywhere
// but first, or more than ipv6::max_extension_headers headers. After a fragment header with a
// non-zero offset the chain stops there (the rest is another fragment's data):
// `upper` is then the fragment header's next header and `upper_at` where the
// fragment's data starts.
Result<Ipv6Chain> walk_extensions(const Ipv6View& v);

}  // namespace wire
