// UDP datagrams per second between two simulated hosts on an ideal link:
// a socket on one host sends, a socket on the other receives, through the
// whole stack (UDP, IPv4, ARP, Ethernet) and the simulator.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "socket/runtime.hpp"
#include "stack/udp.hpp"

namespace {

using namespace base::literals;

void BM_UdpDatagrams(benchmark::State& state) {
    const auto size = static_cast<size_t>(state.range(0));
    const int64_t datagrams = state.range(1);
    const auto topology = *sim::parse_topology(R"(
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], bandwidth: 100Gbit, delay: 10us, queue: 100000}
)",
                                               "pair.yaml");
    std::vector<std::byte> payload(size, std::byte{0x42});
    int64_t received = 0;
    for (auto _ : state) {
        state.PauseTiming();
        sim::Simulator sim{base::Seed{1}};
        auto net = std::move(*sim::Network::build(sim, topology));
        stack::Host& a = net->find_node("a")->host();
        stack::Host& b = net->find_node("b")->host();
        stack::Udp udp_a(a), udp_b(b);
        const auto rx = udp_b.open();
        (void)udp_b.bind(rx, {wire::Ipv4Address::any(), 9000});
        received = 0;
        udp_b.on_readable(rx, [&] {
            while (udp_b.receive(rx))
                ++received;
        });
        const auto tx = udp_a.open();
        (void)udp_a.connect(tx, {wire::Ipv4Address{10, 0, 0, 2}, 9000});
        // Warm ARP with one datagram.
        (void)udp_a.send(tx, payload, sim.now());
        net->find_node("a")->wake();
        sim.run();
        received = 0;
        state.ResumeTiming();
        // Bursts of 64 back to back, then let them drain.
        for (int64_t sent = 0; sent < datagrams;) {
            for (int i = 0; i < 64 && sent < datagrams; ++i, ++sent)
                (void)udp_a.send(tx, payload, sim.now());
            sim.run();
        }
    }
    if (received != datagrams) {
        state.SkipWithError(fmt::format("received {} of {}", received, datagrams).c_str());
        return;
    }
    state.SetItemsProcessed(state.iterations() * datagrams);
    state.SetBytesProcessed(state.iterations() * datagrams * static_cast<int64_t>(size));
    state.counters["datagrams/s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * datagrams), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_UdpDatagrams)
    ->Args({64, 200'000})
    ->Args({1472, 200'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
