// The receive and transmit paths of one Ethernet/IPv4/TCP frame through the wire
// codecs, without sockets or a stack around them:
//
//   frame_parse  EthernetView → Ipv4View → Ipv4Repr (header checksum verified)
//                → TcpView → TcpRepr (options parsed, checksum verified over
//                pseudo-header and segment)
//   frame_build  a pooled PacketBuffer: append the payload, then prepend and emit
//                the TCP, IPv4 and Ethernet headers into the headroom
//
// Two frames: 1,500 bytes with the timestamps option (a full-sized data segment,
// 14 + 20 + 32 + 1,434), and 64 bytes with no options (14 + 20 + 20 + 10; a
// timestamped header alone is 66 bytes). Each reports ns per frame and frames/s.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "base/buffer.hpp"
#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace {

struct FrameShape {
    size_t frame_len;
    bool timestamps;
};

// The reprs of one frame and its payload bytes.
struct Frame {
    wire::EthernetRepr eth;
    wire::Ipv4Repr ip;
    wire::TcpRepr tcp;  // payload empty: the bytes are `payload`
    std::vector<std::byte> payload;
};

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "parse_bench: %s\n", what);
    std::abort();
}

Frame make_frame(FrameShape shape) {
    Frame f;
    f.eth = {.dst = wire::MacAddress{{0x02, 0, 0, 0, 0, 0x02}},
             .src = wire::MacAddress{{0x02, 0, 0, 0, 0, 0x01}},
             .ethertype = wire::EtherType::ipv4};
    f.tcp = {.src_port = 49152,
             .dst_port = 80,
             .seq = wire::SeqNum{0x01020304},
             .ack = wire::SeqNum{0x0a0b0c0d},
             .flags = wire::TcpFlags{wire::TcpFlags::ack | wire::TcpFlags::psh},
             .window = 502};
    if (shape.timestamps) f.tcp.timestamps = wire::TcpTimestamps{123456789, 987654321};
    const size_t headers =
        wire::EthernetRepr::buffer_len() + wire::Ipv4Repr::buffer_len() + f.tcp.header_len();
    if (shape.frame_len < headers) die("frame shorter than its headers");
    f.payload.resize(shape.frame_len - headers);
    for (size_t i = 0; i < f.payload.size(); ++i) {
        f.payload[i] = static_cast<std::byte>(i * 131 + 7);
    }
    f.ip = {.src = wire::Ipv4Address{10, 0, 0, 1},
            .dst = wire::Ipv4Address{10, 0, 0, 2},
            .protocol = wire::IpProtocol::tcp,
            .identification = 0x1234,
            .dont_fragment = true,
            .payload_len = static_cast<uint16_t>(f.tcp.header_len() + f.payload.size())};
    return f;
}

// The transmit path: payload first, then each layer prepends its header.
base::PacketBuffer build_frame(base::BufferPool& pool, const Frame& f) {
    base::PacketBuffer buf = pool.acquire();
    buf.append(f.payload);

    wire::TcpRepr tcp = f.tcp;
    const size_t tcp_len = tcp.header_len();
    buf.prepend(tcp_len);
    tcp.payload = buf.bytes().subspan(tcp_len);  // already in place: emit does not copy it
    tcp.emit(buf.bytes(), f.ip.src, f.ip.dst);

    f.ip.emit(buf.prepend(wire::Ipv4Repr::buffer_len()));
    f.eth.emit(buf.prepend(wire::EthernetRepr::buffer_len()));
    return buf;
}

struct Parsed {
    wire::Ipv4Repr ip;
    wire::TcpRepr tcp;
};

// The receive path, every check a host makes before a segment reaches TCP.
// Writes into `out` (as a receive loop reuses one) and returns false on any
// failure.
bool parse_frame(base::ByteSpan frame, Parsed& out) {
    const auto eth = wire::EthernetView::parse(frame);
    if (!eth || eth->ethertype() != wire::EtherType::ipv4) return false;
    const auto ip_view = wire::Ipv4View::parse(eth->payload());
    if (!ip_view) return false;
    const auto ip = wire::Ipv4Repr::parse(*ip_view);
    if (!ip || ip->protocol != wire::IpProtocol::tcp) return false;
    const auto tcp_view = wire::TcpView::parse(ip_view->payload());
    if (!tcp_view) return false;
    const auto tcp = wire::TcpRepr::parse(*tcp_view, ip->src, ip->dst);
    if (!tcp) return false;
    out.ip = *ip;
    out.tcp = *tcp;
    return true;
}

// Aborts unless `frame` parses back to exactly the reprs it was built from.
void check_round_trip(base::ByteSpan frame, const Frame& f) {
    Parsed p;
    if (!parse_frame(frame, p)) die("the built frame does not parse");
    const auto eth = wire::EthernetView::parse(frame);
    wire::TcpRepr expected_tcp = f.tcp;
    expected_tcp.payload = f.payload;
    if (!(wire::EthernetRepr::parse(*eth) == f.eth && p.ip == f.ip && p.tcp == expected_tcp)) {
        die("the built frame parses to different reprs");
    }
}

void set_frame_counters(benchmark::State& state, size_t frame_len) {
    state.counters["frames/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(frame_len));
}

void frame_parse(benchmark::State& state, FrameShape shape) {
    const Frame f = make_frame(shape);
    base::BufferPool pool;
    std::vector<std::byte> frame;
    {
        const base::PacketBuffer buf = build_frame(pool, f);
        frame.assign(buf.bytes().begin(), buf.bytes().end());
    }
    if (frame.size() != shape.frame_len) die("built frame has the wrong length");
    check_round_trip(frame, f);

    Parsed parsed;
    for (auto _ : state) {
        const std::byte* p = frame.data();
        benchmark::DoNotOptimize(p);
        if (!parse_frame({p, frame.size()}, parsed)) die("frame failed to parse inside the loop");
        benchmark::DoNotOptimize(parsed);
    }
    set_frame_counters(state, shape.frame_len);
}

void frame_build(benchmark::State& state, FrameShape shape) {
    const Frame f = make_frame(shape);
    base::BufferPool pool;
    // Setup: one frame outside the timed loop leaves a block in the pool's free
    // list and checks that the builder's output parses back to its reprs.
    {
        const base::PacketBuffer buf = build_frame(pool, f);
        if (buf.size() != shape.frame_len) die("built frame has the wrong length");
        check_round_trip(buf.bytes(), f);
    }
    const uint64_t heap_allocations = pool.stats().heap_allocations;

    for (auto _ : state) {
        base::PacketBuffer buf = build_frame(pool, f);
        benchmark::DoNotOptimize(buf.bytes().data());
        benchmark::ClobberMemory();  // the header and payload stores must happen
    }

    // The steady state must be served from the pool: no heap block per frame.
    if (pool.stats().heap_allocations != heap_allocations) {
        die("BufferPool allocated from the heap inside the timed loop");
    }
    set_frame_counters(state, shape.frame_len);
}

BENCHMARK_CAPTURE(frame_parse, 1500B_ts, FrameShape{.frame_len = 1500, .timestamps = true});
BENCHMARK_CAPTURE(frame_parse, 64B, FrameShape{.frame_len = 64, .timestamps = false});
BENCHMARK_CAPTURE(frame_build, 1500B_ts, FrameShape{.frame_len = 1500, .timestamps = true});
BENCHMARK_CAPTURE(frame_build, 64B, FrameShape{.frame_len = 64, .timestamps = false});

}  // namespace
