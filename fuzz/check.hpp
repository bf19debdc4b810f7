// Shared by the fuzz targets: invariant checks that end the run, the fuzzer's
// bytes as a span, and a reference Internet checksum to hold the fast one to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/bytes.hpp"
#include "wire/address.hpp"

namespace fuzz {

// Ends the run when an invariant is broken; libFuzzer reports the abort as a
// crash and keeps the input. Unlike `assert` it stays in NDEBUG builds, and the
// fuzz preset is one (RelWithDebInfo).
inline void require(bool ok, const char* invariant) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant violated: %s\n", invariant);
    std::abort();
}

inline base::ByteSpan input(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const std::byte*>(data), size};
}

// True when `inner` lies entirely within `outer` (an empty span anywhere in it,
// or just past its end, counts).
inline bool within(base::ByteSpan inner, base::ByteSpan outer) {
    if (inner.empty()) return true;
    const auto* begin = outer.data();
    const auto* end = begin + outer.size();
    return inner.data() >= begin && inner.data() + inner.size() <= end;
}

// RFC 1071 the slow way: 16-bit big-endian words, a trailing odd byte padded
// with zero, end-around carry after every addition. Returns the folded sum
// (0xffff for data that includes a checksum field that verifies).
inline uint16_t reference_sum(base::ByteSpan data) {
    uint32_t sum = 0;
    for (size_t i = 0; i < data.size(); i += 2) {
        const auto hi = static_cast<uint32_t>(data[i]);
        const auto lo = i + 1 < data.size() ? static_cast<uint32_t>(data[i + 1]) : 0;
        sum += (hi << 8) | lo;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<uint16_t>(sum);
}

// The checksum field verifies: `data` (checksum included) sums to all ones.
inline bool reference_verify(base::ByteSpan data) {
    return reference_sum(data) == 0xffff;
}

// The same for a TCP segment or UDP datagram behind its IPv4 pseudo-header
// (RFC 9293 §3.1, RFC 768). Precondition: segment.size() <= 65535.
inline bool reference_verify(base::ByteSpan segment, wire::Ipv4Address src, wire::Ipv4Address dst,
                             uint8_t protocol) {
    std::vector<std::byte> whole(12 + segment.size());
    src.store(base::MutableByteSpan{whole}.subspan(0, 4));
    dst.store(base::MutableByteSpan{whole}.subspan(4, 4));
    base::store_u8(whole, 8, 0);
    base::store_u8(whole, 9, protocol);
    base::store_be16(whole, 10, static_cast<uint16_t>(segment.size()));
    base::copy_bytes(base::MutableByteSpan{whole}.subspan(12), segment);
    return reference_verify(whole);
}

// The same behind the IPv6 pseudo-header (RFC 8200 §8.1): the addresses, a
// 32-bit length, three zero bytes and the next header.
inline bool reference_verify(base::ByteSpan segment, const wire::Ipv6Address& src,
                             const wire::Ipv6Address& dst, uint8_t next_header) {
    std::vector<std::byte> whole(40 + segment.size());
    src.store(base::MutableByteSpan{whole}.subspan(0, 16));
    dst.store(base::MutableByteSpan{whole}.subspan(16, 16));
    base::store_be32(whole, 32, static_cast<uint32_t>(segment.size()));
    base::store_be32(whole, 36, next_header);
    base::copy_bytes(base::MutableByteSpan{whole}.subspan(40), segment);
    return reference_verify(whole);
}

// The first eight bytes of an input as the source and destination of the
// pseudo-header, so the fuzzer explores the addresses as well as the segment.
// Precondition: b.size() >= 8.
struct PseudoHeaderAddresses {
    wire::Ipv4Address src;
    wire::Ipv4Address dst;
    static PseudoHeaderAddresses load(base::ByteSpan b) {
        return {wire::Ipv4Address::load(b.subspan(0, 4)), wire::Ipv4Address::load(b.subspan(4, 4))};
    }
};

}  // namespace fuzz
