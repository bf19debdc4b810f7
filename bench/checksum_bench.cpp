// Internet checksum throughput (RFC 1071): the production `wire::checksum` code
// beside a naive reference that adds one 16-bit word per step, over a minimum
// frame (64 B), a full Ethernet MTU (1,500 B) and a 64 KiB buffer (a TSO/GRO-sized
// segment, or a reassembled datagram).
//
// Every benchmark reports bytes/second. The input pointer goes through
// `DoNotOptimize` on each iteration (its asm barrier clobbers memory), so the
// compiler must assume the bytes changed and cannot hoist the sum out of the loop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/ipv4.hpp"

namespace {

// Deterministic, incompressible-looking bytes (xorshift64), so no size is
// flattered by runs of zeros.
std::vector<std::byte> test_bytes(size_t n) {
    std::vector<std::byte> out(n);
    uint64_t x = 0x9e3779b97f4a7c15;
    for (std::byte& b : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = static_cast<std::byte>(x >> 56);
    }
    return out;
}

// RFC 1071 §4.1 as written: one big-endian 16-bit word per step into a wide
// accumulator, a trailing odd byte padded with zero, carries folded at the end.
// The reference the production code's speed-up is measured against.
uint16_t naive_checksum(base::ByteSpan data) {
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2)
        sum += base::load_be16(data, i);
    if (i < data.size()) sum += uint32_t{base::load_u8(data, i)} << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// The same loop with auto-vectorisation turned off, so it really adds one word
// per step: g++ 12 at -O3 turns `naive_checksum` into SSE2 code (16-byte loads,
// several words per instruction).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("no-tree-vectorize")
#endif
uint16_t naive_checksum_scalar(base::ByteSpan data) {
    uint64_t sum = 0;
    size_t i = 0;
#if defined(__clang__)
#pragma clang loop vectorize(disable) interleave(disable)
#endif
    for (; i + 1 < data.size(); i += 2)
        sum += base::load_be16(data, i);
    if (i < data.size()) sum += uint32_t{base::load_u8(data, i)} << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "checksum_bench: %s\n", what);
    std::abort();
}

void checksum_compute(benchmark::State& state) {
    const std::vector<std::byte> data = test_bytes(static_cast<size_t>(state.range(0)));
    if (wire::checksum::compute(data) != naive_checksum(data)) {
        die("wire::checksum::compute disagrees with the naive reference");
    }
    for (auto _ : state) {
        const std::byte* p = data.data();
        benchmark::DoNotOptimize(p);
        uint16_t c = wire::checksum::compute({p, data.size()});
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

void checksum_naive16(benchmark::State& state) {
    const std::vector<std::byte> data = test_bytes(static_cast<size_t>(state.range(0)));
    for (auto _ : state) {
        const std::byte* p = data.data();
        benchmark::DoNotOptimize(p);
        uint16_t c = naive_checksum({p, data.size()});
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

void checksum_naive16_scalar(benchmark::State& state) {
    const std::vector<std::byte> data = test_bytes(static_cast<size_t>(state.range(0)));
    if (naive_checksum_scalar(data) != naive_checksum(data)) {
        die("the scalar naive checksum disagrees with the vectorised one");
    }
    for (auto _ : state) {
        const std::byte* p = data.data();
        benchmark::DoNotOptimize(p);
        uint16_t c = naive_checksum_scalar({p, data.size()});
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

// The TCP/UDP path: pseudo-header (RFC 9293 §3.1) then the segment, through an
// `Accumulator`, as `TcpRepr::parse` and `emit` do. The length field is 16 bits,
// so the largest case is 65,535 bytes.
void checksum_pseudo_header(benchmark::State& state) {
    const std::vector<std::byte> segment = test_bytes(static_cast<size_t>(state.range(0)));
    const wire::Ipv4Address src{10, 0, 0, 1};
    const wire::Ipv4Address dst{10, 0, 0, 2};
    const auto protocol = static_cast<uint8_t>(wire::IpProtocol::tcp);
    const auto length = static_cast<uint16_t>(segment.size());
    {
        // Cross-check against the naive sum over pseudo-header and segment laid out
        // contiguously: src, dst, zero, protocol, TCP length (RFC 9293 §3.1).
        std::vector<std::byte> whole(12);
        src.store(whole);
        dst.store(base::MutableByteSpan{whole}.subspan(4));
        base::store_u8(whole, 9, protocol);
        base::store_be16(whole, 10, length);
        whole.insert(whole.end(), segment.begin(), segment.end());
        wire::checksum::Accumulator acc;
        wire::checksum::add_pseudo_header(acc, src, dst, protocol, length);
        acc.add(segment);
        if (acc.finish() != naive_checksum(whole)) {
            die("the pseudo-header checksum disagrees with the naive reference");
        }
    }
    for (auto _ : state) {
        const std::byte* p = segment.data();
        benchmark::DoNotOptimize(p);
        wire::checksum::Accumulator acc;
        wire::checksum::add_pseudo_header(acc, src, dst, protocol, length);
        acc.add({p, segment.size()});
        uint16_t c = acc.finish();
        benchmark::DoNotOptimize(c);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}

BENCHMARK(checksum_compute)->Arg(64)->Arg(1500)->Arg(65536);
BENCHMARK(checksum_naive16)->Arg(64)->Arg(1500)->Arg(65536);
BENCHMARK(checksum_naive16_scalar)->Arg(64)->Arg(1500)->Arg(65536);
BENCHMARK(checksum_pseudo_header)->Arg(64)->Arg(1500)->Arg(65535);

}  // namespace
