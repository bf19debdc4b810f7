// The Internet checksum (RFC 1071), the pseudo-headers of IPv4 (TCP, UDP) and
// IPv6 (TCP, UDP, ICMPv6), and incremental update (RFC 1624).
//
// Values are 16-bit numbers in network-order meaning: store them with
// `base::store_be16`, read them with `base::load_be16`.
#pragma once

#include <cstdint>

#include "base/buffer.hpp"
#include "base/bytes.hpp"
#include "wire/address.hpp"

namespace wire {

// Whether a repr parse verifies the checksum. `ignore` is for tools that show a
// damaged packet as it is (and for fuzzing deeper than the checksum).
enum class ChecksumCheck : uint8_t { verify, ignore };

// What a transport's emit puts in its checksum field: the checksum, or only
// the pseudo-header's sum for a device (or the simulator) to complete over
// the segment later (base::PacketBuffer::set_checksum_pending).
enum class ChecksumFill : uint8_t { full, pseudo_header };

namespace checksum {

// The ones' complement sum of `data`, not yet folded: add the result of several
// calls with `fold`. Reads eight bytes per step. Correct for any length; pieces
// after the first must start at an even offset of the whole (use `Accumulator`
// otherwise).
uint64_t sum(base::ByteSpan data);

// Folds a wide ones' complement sum to 16 bits, in network-order meaning.
uint16_t fold(uint64_t wide_sum);

// Sums pieces of a message in order, whatever their lengths.
class Accumulator {
  public:
    void add(base::ByteSpan data);
    void add_be16(uint16_t v);
    void add_be32(uint32_t v);
    // The folded sum; 0xffff for a message whose checksum field verifies.
    uint16_t folded() const;
    // The value to store in the checksum field: the complement of the sum.
    uint16_t finish() const { return static_cast<uint16_t>(~folded()); }

  private:
    uint64_t sum_ = 0;  // native byte order; swapped once in folded()
    bool odd_ = false;  // an odd number of bytes added so far
};

// The checksum field value for `data` (with its own checksum field zeroed).
uint16_t compute(base::ByteSpan data);
// True when `data`, checksum field included, sums to all ones.
inline bool verify(base::ByteSpan data) {
    return compute(data) == 0;
}

// Adds the IPv4 pseudo-header of a TCP or UDP segment (RFC 9293 §3.1, RFC 768).
void add_pseudo_header(Accumulator& acc, Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                       uint16_t length);

// The checksum field value of a TCP or UDP segment (its own field zeroed), or 0
// when a segment with its checksum in place verifies: pseudo-header, then the
// segment. `protocol` is the IP protocol number (6 or 17).
uint16_t transport(base::ByteSpan segment, Ipv4Address src, Ipv4Address dst, uint8_t protocol);

// The pseudo-header's sum alone, folded and not complemented: what a checksum
// field holds while its checksum is pending.
uint16_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, uint8_t protocol, uint16_t length);

// Adds the IPv6 pseudo-header of an upper-layer packet (RFC 8200 §8.1): both
// addresses, the upper-layer length as 32 bits, three zero bytes and the next
// header (the upper layer's: 6, 17 or 58, whatever extension headers came
// before). `dst` is the final destination: with a routing header, its last
// address, not the header's destination field.
void add_pseudo_header(Accumulator& acc, const Ipv6Address& src, const Ipv6Address& dst,
                       uint8_t next_header, uint32_t length);

// As the IPv4 `transport` and `pseudo_header_sum`, over the IPv6 pseudo-header.
// Unlike IPv4's UDP, every IPv6 upper layer must carry a checksum.
uint16_t transport(base::ByteSpan segment, const Ipv6Address& src, const Ipv6Address& dst,
                   uint8_t next_header);
uint16_t pseudo_header_sum(const Ipv6Address& src, const Ipv6Address& dst, uint8_t next_header,
                           uint32_t length);

// Completes a partial checksum in place: `covered` holds, at `field`, the
// pseudo-header's sum instead of a checksum; the complement of the sum of
// the covered bytes goes there (Linux's CHECKSUM_PARTIAL, virtio-net's
// needs-checksum). Precondition: field + 2 <= covered.size().
void complete(base::MutableByteSpan covered, size_t field);

// Completes a pending checksum in place (no-op if none is pending): sums the
// covered bytes with the pseudo-header's sum already in the field, stores the
// complement, and marks the buffer done. For TCP, the only transport that
// leaves its checksum pending: UDP would need a result of 0 sent as 0xffff.
void complete_pending(base::PacketBuffer& buffer);

// RFC 1624 eqn. 3: the checksum after one 16-bit word of the message changes
// from `old_word` to `new_word`, without summing the message again.
uint16_t adjust(uint16_t old_checksum, uint16_t old_word, uint16_t new_word);

}  // namespace checksum
}  // namespace wire
