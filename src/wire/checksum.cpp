#include "wire/checksum.hpp"

#include <cassert>

#include <bit>
#include <cstring>

namespace wire::checksum {
namespace {

uint64_t load_native64(const std::byte* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

// The ones' complement sum is independent of byte order (RFC 1071 §2(B)): summing
// native-order words and swapping the folded result once gives the network-order
// sum. On a little-endian machine the swap happens in `to_network`.
uint16_t to_network(uint16_t native_folded) {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<uint16_t>((native_folded >> 8) | (native_folded << 8));
    } else {
        return native_folded;
    }
}

uint16_t fold_native(uint64_t s) {
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffffffff) + (s >> 32);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(s);
}

// Native-order sum. Each 8-byte load adds its two 32-bit halves to 64-bit
// accumulators: no carry chain between steps, so four independent lanes run in
// parallel (and vectorise). A lane overflows only after 2^31 steps (16 GiB).
uint64_t sum_native(base::ByteSpan data) {
    const std::byte* p = data.data();
    size_t n = data.size();
    uint64_t a = 0, b = 0, c = 0, d = 0;
    while (n >= 32) {
        const uint64_t w0 = load_native64(p), w1 = load_native64(p + 8);
        const uint64_t w2 = load_native64(p + 16), w3 = load_native64(p + 24);
        a += (w0 & 0xffffffff) + (w0 >> 32);
        b += (w1 & 0xffffffff) + (w1 >> 32);
        c += (w2 & 0xffffffff) + (w2 >> 32);
        d += (w3 & 0xffffffff) + (w3 >> 32);
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        const uint64_t w = load_native64(p);
        a += (w & 0xffffffff) + (w >> 32);
        p += 8;
        n -= 8;
    }
    uint64_t s = (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) + (c & 0xffffffff) +
                 (c >> 32) + (d & 0xffffffff) + (d >> 32);
    if (n >= 4) {
        uint32_t w;
        std::memcpy(&w, p, 4);
        s += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        uint16_t w;
        std::memcpy(&w, p, 2);
        s += w;
        p += 2;
        n -= 2;
    }
    if (n == 1) {
        // A trailing byte is the high half of a network-order word padded with
        // zero; in native order that is the byte at its own address.
        uint16_t w = 0;
        std::memcpy(&w, p, 1);
        s += w;
    }
    return s;
}

}  // namespace

uint64_t sum(base::ByteSpan data) {
    return sum_native(data);
}

uint16_t fold(uint64_t wide_sum) {
    return to_network(fold_native(wide_sum));
}

void Accumulator::add(base::ByteSpan data) {
    if (data.empty()) return;
    if (!odd_) {
        // Aligned with the words so far: add the wide sum as it is, folding only
        // when the accumulator nears overflow (never, for packet-sized data).
        sum_ += sum_native(data);
        if (sum_ >> 62) sum_ = fold_native(sum_);
    } else {
        // A piece that starts at an odd offset has every byte in the other half
        // of its word: swap its folded sum (RFC 1071 §2(B) again).
        const uint16_t piece = fold_native(sum_native(data));
        sum_ += static_cast<uint16_t>((piece >> 8) | (piece << 8));
    }
    odd_ ^= (data.size() & 1) != 0;
}

void Accumulator::add_be16(uint16_t v) {
    std::byte b[2];
    base::store_be16(b, 0, v);
    add(b);
}

void Accumulator::add_be32(uint32_t v) {
    std::byte b[4];
    base::store_be32(b, 0, v);
    add(b);
}

uint16_t Accumulator::folded() const {
    return fold(sum_);
}

uint16_t compute(base::ByteSpan data) {
    return static_cast<uint16_t>(~fold(sum_native(data)));
}

void add_pseudo_header(Accumulator& acc, Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                       uint16_t length) {
    // One 12-byte piece: a single sum instead of four.
    std::byte pseudo[12];
    base::store_be32(pseudo, 0, src.to_u32());
    base::store_be32(pseudo, 4, dst.to_u32());
    base::store_be16(pseudo, 8, protocol);
    base::store_be16(pseudo, 10, length);
    acc.add(pseudo);
}

uint16_t transport(base::ByteSpan segment, Ipv4Address src, Ipv4Address dst, uint8_t protocol) {
    Accumulator acc;
    add_pseudo_header(acc, src, dst, protocol, static_cast<uint16_t>(segment.size()));
    acc.add(segment);
    return acc.finish();
}

uint16_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, uint8_t protocol, uint16_t length) {
    Accumulator acc;
    add_pseudo_header(acc, src, dst, protocol, length);
    return acc.folded();
}

void add_pseudo_header(Accumulator& acc, const Ipv6Address& src, const Ipv6Address& dst,
                       uint8_t next_header, uint32_t length) {
    std::byte pseudo[40];
    src.store(std::span{pseudo}.first(16));
    dst.store(std::span{pseudo}.subspan(16, 16));
    base::store_be32(pseudo, 32, length);
    base::store_be32(pseudo, 36, next_header);  // three zero bytes, then the next header
    acc.add(pseudo);
}

uint16_t transport(base::ByteSpan segment, const Ipv6Address& src, const Ipv6Address& dst,
                   uint8_t next_header) {
    Accumulator acc;
    add_pseudo_header(acc, src, dst, next_header, static_cast<uint32_t>(segment.size()));
    acc.add(segment);
    return acc.finish();
}

uint16_t pseudo_header_sum(const Ipv6Address& src, const Ipv6Address& dst, uint8_t next_header,
                           uint32_t length) {
    Accumulator acc;
    add_pseudo_header(acc, src, dst, next_header, length);
    return acc.folded();
}

void complete_pending(base::PacketBuffer& buffer) {
    if (!buffer.checksum_pending()) return;
    complete(buffer.bytes().subspan(buffer.checksum_start()), buffer.checksum_field());
    buffer.clear_checksum_pending();
}

void complete(base::MutableByteSpan covered, size_t field) {
    assert(field + 2 <= covered.size());
    base::store_be16(covered, field, compute(covered));
}

uint16_t adjust(uint16_t old_checksum, uint16_t old_word, uint16_t new_word) {
    // HC' = ~(~HC + ~m + m'), in ones' complement arithmetic.
    uint32_t s = static_cast<uint16_t>(~old_checksum);
    s += static_cast<uint16_t>(~old_word);
    s += new_word;
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return static_cast<uint16_t>(~s);
}

}  // namespace wire::checksum
