// The simulated internet's speed: a chain of 10 routers forwarding 1,000,000
// packets end to end, and the memory an idle host costs.
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "stack/host.hpp"

namespace {

using namespace base::literals;

constexpr auto experimental = wire::IpProtocol{253};  // RFC 3692: for experiments

// Counts what reaches it.
class Sink : public stack::Transport {
  public:
    void receive(const stack::IpPacketInfo&, base::PacketBuffer, base::Time) override {
        ++received;
    }
    void icmp_error(const stack::IcmpError&, base::Time) override {}
    void poll(base::Time) override {}
    base::Time next_deadline() const override { return base::Time::never(); }
    uint64_t received = 0;
};

// Sends `total` packets, one every `gap`, after a first one that lets ARP
// resolve every hop (packets beyond the ARP queue would be dropped meanwhile,
// as Linux drops beyond unres_qlen).
class Source : public stack::Pollable {
  public:
    Source(stack::Host& host, wire::Ipv4Address dst, uint64_t total, base::Duration gap)
        : host_(host), dst_(dst), total_(total), gap_(gap) {}
    void poll(base::Time now) override {
        while (sent < total_ && next_ <= now) {
            base::PacketBuffer p = host_.pool().acquire();
            p.append(64);
            (void)host_.send_ip(dst_, experimental, std::move(p), now);
            ++sent;
            next_ = sent == 1 ? next_ + 100_ms : next_ + gap_;
        }
    }
    base::Time next_deadline() const override {
        return sent < total_ ? next_ : base::Time::never();
    }
    uint64_t sent = 0;

  private:
    stack::Host& host_;
    wire::Ipv4Address dst_;
    uint64_t total_;
    base::Duration gap_;
    base::Time next_ = base::Time::zero() + 100_ms;  // after the gratuitous ARPs
};

std::string chain_topology(int routers) {
    std::string y =
        "seed: 1\nhosts:\n  a: {gateway: 10.0.0.254}\n  b: {gateway: 10.1.0.254}\nrouters:\n";
    for (int i = 0; i < routers; ++i)
        y += fmt::format("  r{}: {{}}\n", i);
    y += "links:\n";
    y += "  - {ends: [a, r0], addresses: [10.0.0.1/24, 10.0.0.254/24], bandwidth: 10Gbit, delay: "
         "10us}\n";
    for (int i = 0; i + 1 < routers; ++i) {
        y += fmt::format(
            "  - {{ends: [r{}, r{}], addresses: [10.2.{}.1/30, 10.2.{}.2/30], bandwidth: 10Gbit, "
            "delay: 10us}}\n",
            i, i + 1, i, i);
    }
    y += fmt::format(
        "  - {{ends: [r{}, b], addresses: [10.1.0.254/24, 10.1.0.1/24], bandwidth: 10Gbit, delay: "
        "10us}}\n",
        routers - 1);
    return y;
}

void BM_ChainForwarding(benchmark::State& state) {
    const int routers = static_cast<int>(state.range(0));
    const uint64_t packets = static_cast<uint64_t>(state.range(1));
    const auto topology = sim::parse_topology(chain_topology(routers), "chain.yaml");
    if (!topology) {
        state.SkipWithError(topology.error().to_string().c_str());
        return;
    }
    uint64_t forwarded = 0, events = 0, delivered = 0;
    for (auto _ : state) {
        sim::Simulator sim{base::Seed{1}};
        auto net = std::move(*sim::Network::build(sim, *topology));
        Sink sink;
        stack::Host& b = net->find_node("b")->host();
        b.set_transport(experimental, &sink);
        Source source(net->find_node("a")->host(), wire::Ipv4Address{10, 1, 0, 1}, packets, 1_us);
        net->find_node("a")->host().attach(&source);
        net->find_node("a")->wake();
        sim.run();
        delivered = sink.received;
        events = sim.events_executed();
        forwarded = 0;
        for (int i = 0; i < routers; ++i) {
            forwarded += net->find_node(fmt::format("r{}", i))->host().stats().packets_forwarded;
        }
        net->find_node("a")->host().detach(&source);
    }
    if (delivered != packets) {
        state.SkipWithError(fmt::format("delivered {} of {}", delivered, packets).c_str());
        return;
    }
    state.counters["packets/s"] =
        benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
    state.counters["forwards/s"] =
        benchmark::Counter(static_cast<double>(forwarded), benchmark::Counter::kIsRate);
    state.counters["events/s"] =
        benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
    state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_ChainForwarding)
    ->Args({10, 1'000'000})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

size_t heap_in_use() {
    const struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

// Heap bytes per idle host: a stack::Host with one interface and its
// connected route, and per simulated node (the host plus its adapter).
void BM_IdleHostMemory(benchmark::State& state) {
    const size_t n = 10'000;
    double per_host = 0, per_node = 0;
    for (auto _ : state) {
        base::BufferPool pool;
        const size_t before = heap_in_use();
        std::vector<std::unique_ptr<stack::Host>> hosts;
        hosts.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            hosts.push_back(
                std::make_unique<stack::Host>(stack::HostConfig{.name = "h"}, pool, base::Seed{i}));
            hosts.back()->add_interface(
                {.name = "eth0",
                 .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                 .address = wire::Ipv4Cidr{
                     wire::Ipv4Address::from_u32(0x0a000000u + static_cast<uint32_t>(i) * 4 + 1),
                     30}});
        }
        per_host = static_cast<double>(heap_in_use() - before) / n;

        sim::Simulator sim{base::Seed{1}};
        const size_t before_nodes = heap_in_use();
        std::vector<std::unique_ptr<sim::Node>> nodes;
        nodes.reserve(n);
        for (size_t i = 0; i < n; ++i) {
            sim::NodeConfig c{.host = {.name = "n"}};
            c.interfaces.push_back(
                {.name = "eth0",
                 .mac = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                 .address = wire::Ipv4Cidr{
                     wire::Ipv4Address::from_u32(0x0a000000u + static_cast<uint32_t>(i) * 4 + 1),
                     30}});
            nodes.push_back(std::make_unique<sim::Node>(sim, std::move(c), base::Seed{i}));
        }
        per_node = static_cast<double>(heap_in_use() - before_nodes) / n;
    }
    state.counters["bytes/host"] = per_host;
    state.counters["bytes/node"] = per_node;
}
BENCHMARK(BM_IdleHostMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
