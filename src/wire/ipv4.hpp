// IPv4 headers (RFC 791).
//
// Options are not interpreted: the view exposes them as bytes, a router copies
// them through untouched, and a repr emits a 20-byte header without them.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace wire {

// IP protocol numbers (IANA), shared by IPv4's protocol field and IPv6's next
// header. ICMPv6 travels only over IPv6.
enum class IpProtocol : uint8_t { icmp = 1, tcp = 6, udp = 17, icmpv6 = 58 };

std::string_view to_string(IpProtocol p);  // "ICMP", "TCP", "UDP", "ICMPv6" or "unknown"

namespace ipv4 {
constexpr size_t min_header_len = 20;
constexpr size_t max_header_len = 60;
constexpr size_t max_packet_len = 65535;
constexpr uint8_t default_ttl = 64;
constexpr uint16_t flag_reserved = 0x8000;
constexpr uint16_t flag_dont_fragment = 0x4000;
constexpr uint16_t flag_more_fragments = 0x2000;
constexpr uint16_t fragment_offset_mask = 0x1fff;  // in units of 8 bytes
namespace field {
constexpr base::Range version_ihl{0, 1};
constexpr base::Range tos{1, 2};  // DSCP (6 bits) and ECN (2 bits)
constexpr base::Range total_len{2, 4};
constexpr base::Range identification{4, 6};
constexpr base::Range flags_fragment{6, 8};
constexpr base::Range ttl{8, 9};
constexpr base::Range protocol{9, 10};
constexpr base::Range checksum{10, 12};
constexpr base::Range src{12, 16};
constexpr base::Range dst{16, 20};
}  // namespace field
}  // namespace ipv4

// A checked view of one IPv4 packet. `parse` checks the version, the header
// length and the total length against the bytes given; after it succeeds no
// accessor can fail. The view covers exactly total-length bytes: link-layer
// padding after the packet is excluded. The checksum is not checked by `parse`
// (a router may want to look first); see `checksum_valid` and `Ipv4Repr::parse`.
class Ipv4View {
  public:
    static Result<Ipv4View> parse(base::ByteSpan packet);
    // As `parse`, but a total length beyond the bytes given is accepted and the
    // view covers what is there: for the datagram quoted inside an ICMP error,
    // which carries the header and only the start of the payload.
    static Result<Ipv4View> parse_truncated(base::ByteSpan packet);

    uint8_t version() const { return base::load_u8(b_, ipv4::field::version_ihl) >> 4; }
    size_t header_len() const {
        return size_t{base::load_u8(b_, ipv4::field::version_ihl) & 0x0fu} * 4;
    }
    uint8_t dscp() const { return base::load_u8(b_, ipv4::field::tos) >> 2; }
    uint8_t ecn() const { return base::load_u8(b_, ipv4::field::tos) & 0x03; }
    uint16_t total_len() const { return base::load_be16(b_, ipv4::field::total_len); }
    uint16_t identification() const { return base::load_be16(b_, ipv4::field::identification); }
    bool reserved_flag() const { return (flags_fragment() & ipv4::flag_reserved) != 0; }
    bool dont_fragment() const { return (flags_fragment() & ipv4::flag_dont_fragment) != 0; }
    bool more_fragments() const { return (flags_fragment() & ipv4::flag_more_fragments) != 0; }
    // In bytes (the field counts 8-byte units).
    uint16_t fragment_offset() const {
        return static_cast<uint16_t>((flags_fragment() & ipv4::fragment_offset_mask) * 8);
    }
    bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
    uint8_t ttl() const { return base::load_u8(b_, ipv4::field::ttl); }
    IpProtocol protocol() const { return IpProtocol{base::load_u8(b_, ipv4::field::protocol)}; }
    uint16_t checksum() const { return base::load_be16(b_, ipv4::field::checksum); }
    Ipv4Address src() const { return Ipv4Address::load(base::slice(b_, ipv4::field::src)); }
    Ipv4Address dst() const { return Ipv4Address::load(base::slice(b_, ipv4::field::dst)); }

    bool checksum_valid() const { return checksum::verify(header()); }

    base::ByteSpan header() const { return b_.first(header_len()); }
    base::ByteSpan options() const { return header().subspan(ipv4::min_header_len); }
    base::ByteSpan payload() const { return b_.subspan(header_len()); }
    base::ByteSpan bytes() const { return b_; }

  private:
    explicit Ipv4View(base::ByteSpan b) : b_(b) {}
    uint16_t flags_fragment() const { return base::load_be16(b_, ipv4::field::flags_fragment); }
    base::ByteSpan b_;
};

struct Ipv4Repr {
    Ipv4Address src;
    Ipv4Address dst;
    IpProtocol protocol = IpProtocol::udp;
    uint8_t ttl = ipv4::default_ttl;
    uint8_t dscp = 0;  // 0..63
    uint8_t ecn = 0;   // 0..3
    uint16_t identification = 0;
    bool dont_fragment = false;
    bool more_fragments = false;
    uint16_t fragment_offset = 0;  // bytes, a multiple of 8, at most 65528
    uint16_t payload_len = 0;      // bytes after the header

    // Fails with `bad_checksum` unless told to ignore it.
    static Result<Ipv4Repr> parse(const Ipv4View& v, ChecksumCheck check = ChecksumCheck::verify);
    static constexpr size_t buffer_len() { return ipv4::min_header_len; }
    // Writes a 20-byte header, checksum included.
    // Preconditions: header.size() >= buffer_len(); payload_len <= 65515.
    void emit(base::MutableByteSpan header) const;

    bool operator==(const Ipv4Repr&) const = default;
};

namespace ipv4 {
// Decrements the TTL of the packet whose header starts `header` and updates the
// checksum incrementally (RFC 1624), as a router does. Returns the new TTL.
// Precondition: `header` is a parsed packet's header and its TTL is above zero.
uint8_t decrement_ttl(base::MutableByteSpan header);

// Rewrites the total length, the MF flag and the fragment offset (bytes, a
// multiple of 8) of a header, keeping DF, the reserved bit and the options, and
// recomputes the checksum. For fragmenting and for reassembled datagrams.
// Precondition: `header` is exactly a parsed packet's header.
void set_fragment_fields(base::MutableByteSpan header, uint16_t total_len, bool more_fragments,
                         uint16_t fragment_offset);
}  // namespace ipv4

}  // namespace wire
