// Byte spans and explicit big-endian field access.
//
// Wire bytes are never cast to structs: every field is read and written one at a
// time, by offset, in network byte order. Offsets are named `Range`s kept next to
// each codec (`namespace field { constexpr Range src_port{0, 2}; }`).
//
// Contract: callers check lengths first (a view's `parse`); these accessors assert
// in debug builds and do not check in release builds.
#pragma once

#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace base {

using ByteSpan = std::span<const std::byte>;
using MutableByteSpan = std::span<std::byte>;

// A half-open byte range [begin, end) within a header.
struct Range {
    size_t begin;
    size_t end;
    constexpr size_t size() const { return end - begin; }
};

inline uint8_t load_u8(ByteSpan b, size_t offset) {
    assert(offset < b.size());
    return static_cast<uint8_t>(b[offset]);
}

// Network order to the host's, and back. A field is moved as one unaligned
// load or store (memcpy of a fixed size) and byte-swapped, rather than
// assembled a byte at a time, which the compiler does not always merge. The
// swap is its own inverse: the same function goes both ways.
namespace detail {
inline uint16_t network_order(uint16_t v) {
    return std::endian::native == std::endian::little ? __builtin_bswap16(v) : v;
}
inline uint32_t network_order(uint32_t v) {
    return std::endian::native == std::endian::little ? __builtin_bswap32(v) : v;
}
}  // namespace detail

inline uint16_t load_be16(ByteSpan b, size_t offset) {
    assert(offset + 2 <= b.size());
    uint16_t v;
    std::memcpy(&v, b.data() + offset, sizeof v);
    return detail::network_order(v);
}

inline uint32_t load_be32(ByteSpan b, size_t offset) {
    assert(offset + 4 <= b.size());
    uint32_t v;
    std::memcpy(&v, b.data() + offset, sizeof v);
    return detail::network_order(v);
}

inline void store_u8(MutableByteSpan b, size_t offset, uint8_t v) {
    assert(offset < b.size());
    b[offset] = std::byte{v};
}

inline void store_be16(MutableByteSpan b, size_t offset, uint16_t v) {
    assert(offset + 2 <= b.size());
    const uint16_t be = detail::network_order(v);
    std::memcpy(b.data() + offset, &be, sizeof be);
}

inline void store_be32(MutableByteSpan b, size_t offset, uint32_t v) {
    assert(offset + 4 <= b.size());
    const uint32_t be = detail::network_order(v);
    std::memcpy(b.data() + offset, &be, sizeof be);
}

inline uint8_t load_u8(ByteSpan b, Range r) {
    assert(r.size() == 1);
    return load_u8(b, r.begin);
}
inline uint16_t load_be16(ByteSpan b, Range r) {
    assert(r.size() == 2);
    return load_be16(b, r.begin);
}
inline uint32_t load_be32(ByteSpan b, Range r) {
    assert(r.size() == 4);
    return load_be32(b, r.begin);
}
inline void store_u8(MutableByteSpan b, Range r, uint8_t v) {
    assert(r.size() == 1);
    store_u8(b, r.begin, v);
}
inline void store_be16(MutableByteSpan b, Range r, uint16_t v) {
    assert(r.size() == 2);
    store_be16(b, r.begin, v);
}
inline void store_be32(MutableByteSpan b, Range r, uint32_t v) {
    assert(r.size() == 4);
    store_be32(b, r.begin, v);
}

inline ByteSpan slice(ByteSpan b, Range r) {
    return b.subspan(r.begin, r.size());
}
inline MutableByteSpan slice(MutableByteSpan b, Range r) {
    return b.subspan(r.begin, r.size());
}

// Copies `src` into the front of `dst`; `dst` must be at least as long. Overlap is
// allowed, and copying a span onto itself is a no-op (emitters rely on this when
// the payload already sits in place behind the header).
inline void copy_bytes(MutableByteSpan dst, ByteSpan src) {
    assert(dst.size() >= src.size());
    if (src.empty() || dst.data() == src.data()) return;
    std::memmove(dst.data(), src.data(), src.size());
}

inline ByteSpan as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline std::string_view as_chars(ByteSpan b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

inline bool equal_bytes(ByteSpan a, ByteSpan b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace base
