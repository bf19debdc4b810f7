// TCP between two simulated hosts: how fast one bulk transfer runs through the
// whole stack (socket API, TCP, IPv4, ARP, Ethernet, the simulator) on an ideal
// 100 Gbit/s link with MTU 1500, and what connections cost in memory when idle.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <memory>
#include <vector>

#include <fmt/format.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "socket/runtime.hpp"
#include "socket/tcp.hpp"
#include "stack/tcp.hpp"

namespace {

using namespace base::literals;
using sockets::Runtime;
using sockets::Task;
using sockets::TcpListener;
using sockets::TcpStream;

const wire::Ipv4Address server_address{10, 0, 0, 2};

sim::Topology pair_topology() {
    // A queue deep enough that an ideal link never drops.
    return *sim::parse_topology(R"(
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], bandwidth: 100Gbit, delay: 10us, queue: 100000, mtu: 1500}
)",
                                "pair.yaml");
}

struct Bulk {
    uint64_t received = 0;
    bool sent = false;
    bool done = false;
};

Task<void> bulk_sender(Runtime& rt, uint64_t total, Bulk* b) {
    auto s = co_await TcpStream::connect(rt, {server_address, 5001});
    if (!s) co_return;
    std::vector<std::byte> chunk(64 * 1024, std::byte{0x5a});
    for (uint64_t left = total; left > 0;) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
        if (!co_await s->send(base::ByteSpan(chunk.data(), n))) co_return;
        left -= n;
    }
    (void)co_await s->close();
    b->sent = true;
}

Task<void> bulk_receiver(Runtime& rt, Bulk* b) {
    auto l = TcpListener::listen(rt, {wire::Ipv4Address::any(), 5001});
    if (!l) co_return;
    auto s = co_await l->accept();
    if (!s) co_return;
    while (true) {
        auto data = co_await s->receive(64 * 1024);
        if (!data) co_return;
        if (data->empty()) break;  // the sender's FIN
        b->received += data->size();
    }
    (void)co_await s->close();
    b->done = true;
}

// One transfer of range(0) MiB, timed from connect to the last byte read.
void BM_TcpBulkTransfer(benchmark::State& state) {
    const uint64_t bytes = static_cast<uint64_t>(state.range(0)) << 20;
    const sim::Topology topology = pair_topology();
    Bulk b;
    uint64_t segments = 0;
    base::Duration virtual_time{};
    for (auto _ : state) {
        state.PauseTiming();
        sim::Simulator sim{base::Seed{1}};
        auto net = std::move(*sim::Network::build(sim, topology));
        stack::Host& a = net->find_node("a")->host();
        stack::Host& bh = net->find_node("b")->host();
        Runtime client(a), server(bh);
        b = {};
        server.spawn(bulk_receiver(server, &b));
        client.spawn(bulk_sender(client, bytes, &b));
        net->find_node("a")->wake();
        net->find_node("b")->wake();
        const base::Time start = sim.now();
        state.ResumeTiming();
        sim.run_until([&] { return b.done && b.sent; }, base::Time::zero() + 3600_s);
        state.PauseTiming();
        virtual_time = sim.now() - start;
        segments = client.tcp().stats().segments_out + server.tcp().stats().segments_out;
        state.ResumeTiming();
    }
    if (b.received != bytes) {
        state.SkipWithError(fmt::format("received {} of {} bytes", b.received, bytes).c_str());
        return;
    }
    const auto total = static_cast<double>(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
    state.counters["Gbit/s"] = benchmark::Counter(total * static_cast<double>(bytes) * 8 / 1e9,
                                                  benchmark::Counter::kIsRate);
    state.counters["segments/s"] =
        benchmark::Counter(total * static_cast<double>(segments), benchmark::Counter::kIsRate);
    state.counters["segments"] = static_cast<double>(segments);
    // What the simulated link would have carried: the window, not the CPU, limits it.
    state.counters["virtual_Gbit/s"] =
        static_cast<double>(bytes) * 8 / 1e9 / virtual_time.seconds_f();
}
BENCHMARK(BM_TcpBulkTransfer)->Arg(1024)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

size_t heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

// Packet buffers the pool holds (in use or cached for reuse): traffic, not
// connection state, so left out of the figures.
size_t pooled(sim::Simulator& sim) {
    const auto st = sim.pool().stats();
    return (st.outstanding + st.cached) *
           (sim.pool().config().block_size + sizeof(base::detail::BlockHeader));
}

// Opens `count` connections from a to b (spread over `ports` listening ports
// so the ephemeral range, 16,384 ports per destination, is enough), all
// established and idle. Returns false if any failed.
struct Idle {
    std::vector<TcpStream> client, server;
    size_t failed = 0;
};

Task<void> open_one(Runtime& rt, stack::Endpoint to, Idle* idle) {
    auto s = co_await TcpStream::connect(rt, to);
    if (s) {
        idle->client.push_back(std::move(*s));
    } else {
        ++idle->failed;
    }
}

Task<void> accept_all(Runtime& rt, uint16_t port, Idle* idle) {
    auto l = TcpListener::listen(rt, {wire::Ipv4Address::any(), port}, 4096);
    if (!l) co_return;
    while (true) {
        auto s = co_await l->accept();
        if (s) idle->server.push_back(std::move(*s));
    }
}

// Heap bytes per established, idle connection, and for range(0) connections
// on one host. Both hosts are in this process: the client's share is what
// goes when its runtime (with every connection on it) goes, the server's is
// the rest.
void BM_TcpIdleConnectionMemory(benchmark::State& state) {
    const auto count = static_cast<size_t>(state.range(0));
    const uint16_t ports = static_cast<uint16_t>((count + 15'999) / 16'000);
    const sim::Topology topology = pair_topology();
    double server_bytes = 0, client_bytes = 0;
    size_t established = 0;
    for (auto _ : state) {
        sim::Simulator sim{base::Seed{1}};
        auto net = std::move(*sim::Network::build(sim, topology));
        stack::Host& a = net->find_node("a")->host();
        stack::Host& bh = net->find_node("b")->host();
        auto server = std::make_unique<Runtime>(bh);
        auto client = std::make_unique<Runtime>(a);
        Idle idle;
        idle.client.reserve(count);
        idle.server.reserve(count);
        for (uint16_t p = 0; p < ports; ++p)
            server->spawn(accept_all(*server, static_cast<uint16_t>(8000 + p), &idle));
        net->find_node("b")->wake();
        sim.run_until([] { return false; }, sim.now() + 1_s);  // ARP settles
        const size_t before = heap_in_use() - pooled(sim);
        // In batches, as a busy server would see them arrive.
        for (size_t opened = 0; opened < count;) {
            const size_t batch = std::min<size_t>(1000, count - opened);
            for (size_t i = 0; i < batch; ++i, ++opened) {
                const auto port = static_cast<uint16_t>(8000 + opened % ports);
                client->spawn(open_one(*client, {server_address, port}, &idle));
            }
            net->find_node("a")->wake();
            sim.run_until([&] { return idle.client.size() + idle.failed == opened; },
                          sim.now() + 60_s);
        }
        sim.run_until([&] { return idle.server.size() >= idle.client.size(); }, sim.now() + 10_s);
        established = idle.client.size();
        const size_t with_both = heap_in_use() - pooled(sim);
        // The client goes without a word: the link is cut first, so its FINs
        // never reach the server, whose connections stay established.
        net->find_link("a-b")->set_up(false);
        idle.client.clear();
        idle.client.shrink_to_fit();
        client.reset();
        const size_t server_only = heap_in_use() - pooled(sim);
        client_bytes = static_cast<double>(with_both - server_only);
        server_bytes = static_cast<double>(server_only - before);
        if (idle.failed != 0 || established != count) {
            state.SkipWithError(fmt::format("{} of {} connections established ({} failed)",
                                            established, count, idle.failed)
                                    .c_str());
            return;
        }
        state.PauseTiming();
        idle.server.clear();
        server.reset();
        state.ResumeTiming();
    }
    state.counters["connections"] = static_cast<double>(established);
    state.counters["server_MiB"] = server_bytes / (1 << 20);
    state.counters["server_bytes/conn"] = server_bytes / static_cast<double>(established);
    state.counters["client_bytes/conn"] = client_bytes / static_cast<double>(established);
}
BENCHMARK(BM_TcpIdleConnectionMemory)
    ->Arg(1000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
