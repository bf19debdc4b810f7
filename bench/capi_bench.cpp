// What the C API costs: the same echo round trips and bulk transfer through
// minternet/minternet.h and through stack::Tcp (the C++ callback/poll API it
// wraps), between two hosts joined by the same in-memory wire, on a clock
// that moves only when nothing is left to deliver. The ratio of each pair is
// the C layer's price (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <deque>
#include <vector>

#include "minternet/minternet.h"
#include "stack/host.hpp"
#include "stack/tcp.hpp"

namespace {

constexpr size_t echo_bytes = 64;
constexpr size_t chunk = 64 * 1024;

// ---- through the C API

struct CWire {
    mnet_host* hosts[2] = {mnet_host_new(1), mnet_host_new(2)};
    struct Side {
        CWire* wire;
        int to;
    } sides[2] = {{this, 1}, {this, 0}};
    std::deque<std::pair<int, std::vector<unsigned char>>> frames;
    uint64_t now = 0;
    int client = -1, server = -1;

    CWire() {
        const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 1}, mac_b[6] = {2, 0, 0, 0, 0, 2};
        mnet_host_add_interface(hosts[0], mac_a, "10.0.0.1/24", 1500);
        mnet_host_add_interface(hosts[1], mac_b, "10.0.0.2/24", 1500);
        for (int i = 0; i < 2; ++i)
            mnet_host_set_output(hosts[i], &CWire::output, &sides[i]);
        const int l = mnet_socket(hosts[1], AF_INET, SOCK_STREAM, 0);
        sockaddr_in any{};
        any.sin_family = AF_INET;
        any.sin_port = htons(5001);
        mnet_bind(hosts[1], l, reinterpret_cast<sockaddr*>(&any), sizeof any);
        mnet_listen(hosts[1], l, 8);
        client = mnet_socket(hosts[0], AF_INET, SOCK_STREAM, 0);
        sockaddr_in to = any;
        to.sin_addr.s_addr = htonl(0x0a000002);
        mnet_connect(hosts[0], client, reinterpret_cast<sockaddr*>(&to), sizeof to);
        pump();
        server = mnet_accept(hosts[1], l, nullptr, nullptr);
    }
    ~CWire() {
        mnet_host_free(hosts[0]);
        mnet_host_free(hosts[1]);
    }
    static void output(void* user, int, const void* frame, size_t length) {
        auto* side = static_cast<Side*>(user);
        const auto* b = static_cast<const unsigned char*>(frame);
        side->wire->frames.emplace_back(side->to, std::vector<unsigned char>(b, b + length));
    }
    // Delivers everything; moves the clock to the next timer only when the
    // wire is empty and that timer is within 200 ms.
    void pump() {
        for (;;) {
            while (!frames.empty()) {
                auto [to, f] = std::move(frames.front());
                frames.pop_front();
                mnet_host_input(hosts[to], 0, f.data(), f.size(), now);
            }
            const uint64_t next =
                std::min(mnet_host_next_deadline(hosts[0]), mnet_host_next_deadline(hosts[1]));
            if (next > now + 200'000'000) return;
            now = std::max(now, next);
            mnet_host_poll(hosts[0], now);
            mnet_host_poll(hosts[1], now);
            if (frames.empty()) return;
        }
    }
};

void BM_CApiEchoRoundTrip(benchmark::State& state) {
    CWire w;
    std::vector<unsigned char> buf(echo_bytes, 'x');
    for (auto _ : state) {
        mnet_send(w.hosts[0], w.client, buf.data(), echo_bytes, 0);
        w.pump();
        const ssize_t got = mnet_recv(w.hosts[1], w.server, buf.data(), buf.size(), 0);
        mnet_send(w.hosts[1], w.server, buf.data(), static_cast<size_t>(got), 0);
        w.pump();
        benchmark::DoNotOptimize(mnet_recv(w.hosts[0], w.client, buf.data(), buf.size(), 0));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CApiEchoRoundTrip);

void BM_CApiBulkTransfer(benchmark::State& state) {
    CWire w;
    std::vector<unsigned char> out(chunk, 0x5a), in(chunk);
    uint64_t received = 0;
    for (auto _ : state) {
        while (mnet_send(w.hosts[0], w.client, out.data(), out.size(), 0) > 0) {
        }
        w.pump();
        ssize_t n;
        while ((n = mnet_recv(w.hosts[1], w.server, in.data(), in.size(), 0)) > 0)
            received += static_cast<uint64_t>(n);
        w.pump();
    }
    state.SetBytesProcessed(static_cast<int64_t>(received));
}
BENCHMARK(BM_CApiBulkTransfer);

// ---- through stack::Tcp, the same way

struct CppWire {
    base::BufferPool pool;
    stack::Host a{stack::HostConfig{.name = "a"}, pool, base::Seed{1}};
    stack::Host b{stack::HostConfig{.name = "b"}, pool, base::Seed{2}};
    stack::Tcp tcp_a{a}, tcp_b{b};
    std::deque<std::pair<int, std::vector<unsigned char>>> frames;
    base::Time now = base::Time::zero();
    stack::SocketId client = 0, server = 0;

    CppWire() {
        a.add_interface({.name = "eth0",
                         .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                         .address = {wire::Ipv4Address{10, 0, 0, 1}, 24}});
        b.add_interface({.name = "eth0",
                         .mac = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
                         .address = {wire::Ipv4Address{10, 0, 0, 2}, 24}});
        a.set_frame_sink([this](stack::InterfaceId, base::PacketBuffer f) { keep(1, f); });
        b.set_frame_sink([this](stack::InterfaceId, base::PacketBuffer f) { keep(0, f); });
        const auto l = *tcp_b.listen({wire::Ipv4Address::any(), 5001}, 8);
        client = *tcp_a.connect({wire::Ipv4Address{10, 0, 0, 2}, 5001}, now);
        a.poll(now);
        pump();
        server = *tcp_b.accept(l);
    }
    void keep(int to, const base::PacketBuffer& f) {
        const base::ByteSpan bytes = f.bytes();
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        frames.emplace_back(to, std::vector<unsigned char>(p, p + bytes.size()));
    }
    void pump() {
        for (;;) {
            while (!frames.empty()) {
                auto [to, f] = std::move(frames.front());
                frames.pop_front();
                const base::ByteSpan bytes{reinterpret_cast<const std::byte*>(f.data()), f.size()};
                (to == 0 ? a : b).receive(0, pool.copy_of(bytes), now);
            }
            const base::Time next = std::min(a.next_deadline(), b.next_deadline());
            if (next > now + base::Duration::milliseconds(200)) return;
            now = std::max(now, next);
            a.poll(now);
            b.poll(now);
            if (frames.empty()) return;
        }
    }
};

void BM_CppEchoRoundTrip(benchmark::State& state) {
    CppWire w;
    std::vector<std::byte> buf(echo_bytes, std::byte{'x'});
    for (auto _ : state) {
        w.tcp_a.send(w.client, buf, w.now);
        w.pump();
        const size_t got = w.tcp_b.receive(w.server, buf, w.now);
        w.tcp_b.send(w.server, base::ByteSpan(buf).first(got), w.now);
        w.pump();
        benchmark::DoNotOptimize(w.tcp_a.receive(w.client, buf, w.now));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CppEchoRoundTrip);

void BM_CppBulkTransfer(benchmark::State& state) {
    CppWire w;
    std::vector<std::byte> out(chunk, std::byte{0x5a}), in(chunk);
    uint64_t received = 0;
    for (auto _ : state) {
        while (w.tcp_a.send(w.client, out, w.now) > 0) {
        }
        w.pump();
        size_t n;
        while ((n = w.tcp_b.receive(w.server, in, w.now)) > 0)
            received += n;
        w.pump();
    }
    state.SetBytesProcessed(static_cast<int64_t>(received));
}
BENCHMARK(BM_CppBulkTransfer);

}  // namespace
