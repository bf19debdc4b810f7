// tcp-bulk and tcp-sink across the simulated internet: every byte asked for
// arrives, either way; a timed transfer stops on time; loss only slows it.
#include <gtest/gtest.h>

#include "apps/bulk.hpp"
#include "harness.hpp"
#include "socket/tcp.hpp"

namespace {

using apps::BulkAmount;
using apps::TcpBulkOptions;
using apps::TcpBulkResult;
using apps::TcpSinkFlow;
using base::Duration;
using base::Time;
using scenario::Scenario;
using namespace base::literals;

// client —(100 Mbit/s, 5 ms)— r —(100 Mbit/s, 5 ms)— server
std::string path(const std::string& impairments = "") {
    return R"(
seed: 5
hosts:
  client: {gateway: 10.1.0.254}
  server: {gateway: 10.2.0.254}
routers: {r: {}}
links:
  - {ends: [client, r], addresses: [10.1.0.1/24, 10.1.0.254/24], bandwidth: 100Mbit, delay: 5ms}
  - {ends: [r, server], addresses: [10.2.0.254/24, 10.2.0.1/24], bandwidth: 100Mbit, delay: 5ms)" +
           impairments + "}\n";
}

struct Transfer {
    std::vector<TcpBulkResult> clients;
    std::vector<TcpSinkFlow> flows;  // as the sink reported them
    Time end;
};

// A sink on `server` and one tcp-bulk per options from `client`; runs until
// every client is done and the sink has accounted for each connection.
Transfer transfer(Scenario& s, std::vector<TcpBulkOptions> options) {
    Transfer t;
    sockets::Runtime server(s.node("server").host());
    sockets::Runtime client(s.node("client").host());
    apps::TcpSinkOptions sink{.port = 5001,
                              .on_flow = [&t](const TcpSinkFlow& f) { t.flows.push_back(f); }};
    server.spawn(apps::tcp_sink(server, sink, [](const std::string&) {}));
    t.clients.resize(options.size());
    size_t done = 0;
    for (size_t i = 0; i < options.size(); ++i) {
        options[i].to = s.address("server").to_string();
        client.spawn([](sockets::Runtime& rt, TcpBulkOptions o, TcpBulkResult* out,
                        size_t* finished) -> sockets::Task<void> {
            *out = co_await apps::tcp_bulk(rt, std::move(o), [](const std::string&) {});
            ++*finished;
        }(client, options[i], &t.clients[i], &done));
    }
    s.node("server").wake();
    s.node("client").wake();
    s.sim().run_until([&] { return done == options.size() && t.flows.size() == options.size(); },
                      s.sim().now() + 600_s);
    EXPECT_EQ(done, options.size()) << "a client did not finish";
    EXPECT_EQ(t.flows.size(), options.size()) << "the sink did not account for every connection";
    t.end = s.sim().now();
    return t;
}

TEST(Bulk, SendsExactlyTheBytesAskedFor) {
    Scenario s(path());
    const auto t = transfer(s, {{.amount = BulkAmount::of_bytes(10'000'000)}});
    ASSERT_EQ(t.clients.size(), 1u);
    const TcpBulkResult& c = t.clients[0];
    EXPECT_TRUE(c.completed) << c.error.value_or("");
    EXPECT_EQ(c.bytes, 10'000'000u);
    EXPECT_GE(c.handshake, 20_ms) << "one round trip: 4 × 5 ms";
    ASSERT_EQ(t.flows.size(), 1u);
    const TcpSinkFlow& f = t.flows[0];
    EXPECT_TRUE(f.request);
    EXPECT_FALSE(f.reverse);
    EXPECT_FALSE(f.error);
    EXPECT_EQ(f.bytes, 10'000'000u) << "the sink got every byte, the request not counted";
    EXPECT_EQ(f.peer.address, s.address("client"));
    // 10 MB at 100 Mbit/s is 0.8 s of payload alone; goodput cannot beat the link.
    EXPECT_GT(c.transfer, 800_ms);
    EXPECT_LT(c.goodput_mbit_s(), 100.0);
    EXPECT_GT(c.goodput_mbit_s(), 50.0);
}

// Reverse (iperf -R): the sink sends the same amount, the client reads it.
TEST(Bulk, ReverseModeDeliversToTheClient) {
    Scenario s(path());
    const auto t = transfer(s, {{.amount = BulkAmount::of_bytes(3'000'000), .reverse = true}});
    const TcpBulkResult& c = t.clients[0];
    EXPECT_TRUE(c.completed) << c.error.value_or("");
    EXPECT_EQ(c.bytes, 3'000'000u);
    const TcpSinkFlow& f = t.flows[0];
    EXPECT_TRUE(f.reverse);
    EXPECT_FALSE(f.error);
    EXPECT_EQ(f.bytes, 3'000'000u);
}

// With a duration the sender queues data until the time is up, then closes:
// the sink gets exactly what the client sent, and the transfer (to the FIN's
// acknowledgement) ends shortly after the duration — the data still queued
// then, at most the send buffer, drains in some 20 ms at 100 Mbit/s.
TEST(Bulk, DurationModeStopsAtTheDurationAndCloses) {
    Scenario s(path());
    const auto t = transfer(s, {{.amount = BulkAmount::for_time(2_s)}});
    const TcpBulkResult& c = t.clients[0];
    EXPECT_TRUE(c.completed) << c.error.value_or("");
    EXPECT_GT(c.bytes, 10'000'000u) << "about 2 s of a 100 Mbit/s path";
    EXPECT_EQ(t.flows[0].bytes, c.bytes);
    EXPECT_FALSE(t.flows[0].error) << "closed cleanly";
    EXPECT_GE(c.transfer, 2_s);
    EXPECT_LT(c.transfer, 2_s + 100_ms);
    EXPECT_EQ(s.node("client").host().stats().dropped, 0u);
}

TEST(Bulk, ReverseDurationModeStopsAtTheDuration) {
    Scenario s(path());
    const auto t = transfer(s, {{.amount = BulkAmount::for_time(1_s), .reverse = true}});
    const TcpBulkResult& c = t.clients[0];
    EXPECT_TRUE(c.completed) << c.error.value_or("");
    EXPECT_GT(c.bytes, 5'000'000u);
    EXPECT_EQ(t.flows[0].bytes, c.bytes);
    EXPECT_GE(c.transfer, 1_s);
    EXPECT_LT(c.transfer, 1_s + 100_ms);
}

// A link that loses, reorders and duplicates: TCP repairs it all, and the sink
// gets exactly the bytes sent — in both directions.
TEST(Bulk, AcrossALossyLinkEverythingArrives) {
    Scenario s(path(", loss: 2%, reorder: 1%, duplicate: 1%"));
    const auto t = transfer(s, {{.amount = BulkAmount::of_bytes(2'000'000)},
                                {.amount = BulkAmount::of_bytes(1'000'000), .reverse = true}});
    for (const TcpBulkResult& c : t.clients)
        EXPECT_TRUE(c.completed) << c.error.value_or("");
    EXPECT_EQ(t.clients[0].bytes, 2'000'000u);
    EXPECT_EQ(t.clients[1].bytes, 1'000'000u);
    uint64_t sink_received = 0, sink_sent = 0;
    for (const TcpSinkFlow& f : t.flows) {
        EXPECT_FALSE(f.error);
        (f.reverse ? sink_sent : sink_received) += f.bytes;
    }
    EXPECT_EQ(sink_received, 2'000'000u);
    EXPECT_EQ(sink_sent, 1'000'000u);
    const sim::Link& lossy = *s.net().find_link("r-server");
    EXPECT_GT(lossy.stats(0).dropped_loss + lossy.stats(1).dropped_loss, 20u)
        << "the link did lose segments";
}

// Same file, same seed: the same transfer to the byte and the nanosecond.
TEST(Bulk, SameSeedSameTransfer) {
    auto once = [] {
        Scenario s(path(", loss: 1%"));
        return transfer(s, {{.amount = BulkAmount::for_time(500_ms)}});
    };
    const auto a = once(), b = once();
    EXPECT_EQ(a.clients[0].bytes, b.clients[0].bytes);
    EXPECT_EQ(a.clients[0].transfer, b.clients[0].transfer);
    EXPECT_EQ(a.end, b.end);
}

// A client that sends no request (nc, say) is plain data: every byte counts.
TEST(Bulk, APlainConnectionIsCountedAsData) {
    Scenario s(path());
    sockets::Runtime server(s.node("server").host());
    sockets::Runtime client(s.node("client").host());
    std::vector<TcpSinkFlow> flows;
    apps::TcpSinkOptions sink{.port = 5001,
                              .on_flow = [&](const TcpSinkFlow& f) { flows.push_back(f); }};
    server.spawn(apps::tcp_sink(server, sink, [](const std::string&) {}));
    client.spawn([](sockets::Runtime& rt, wire::Ipv4Address to) -> sockets::Task<void> {
        auto st = co_await sockets::TcpStream::connect(rt, {to, 5001});
        if (!st) co_return;
        (void)co_await st->send(base::as_bytes("hello, sink\n"));
        (void)co_await st->close();
    }(client, s.address("server")));
    s.node("server").wake();
    s.node("client").wake();
    s.sim().run_until([&] { return !flows.empty(); }, s.sim().now() + 60_s);
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_FALSE(flows[0].request);
    EXPECT_EQ(flows[0].bytes, 12u);
    EXPECT_FALSE(flows[0].error);
}

}  // namespace
