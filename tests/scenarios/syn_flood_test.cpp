// A SYN flood across the simulated internet: 100,000 forged SYNs a second at
// a server whose listener has the usual backlog of 128, while real clients
// connect and talk. With SYN cookies (the default) every client gets in and
// the server holds no more connections than the backlog and its clients;
// without, the forged half-open connections fill the queue and the clients
// wait for them to time out.
#include <gtest/gtest.h>

#include <algorithm>

#include "apps/syn_flood.hpp"
#include "harness.hpp"
#include "socket/tcp.hpp"

namespace {

using base::Duration;
using base::Time;
using scenario::Scenario;
using namespace base::literals;

// attacker, client —(1 Gbit/s, 1 ms)— r —(1 Gbit/s, 1 ms)— server
const std::string topology = R"(
seed: 3
hosts:
  attacker: {gateway: 10.1.0.254}
  client: {gateway: 10.2.0.254}
  server: {gateway: 10.3.0.254}
routers: {r: {}}
links:
  - {ends: [attacker, r], addresses: [10.1.0.1/24, 10.1.0.254/24]}
  - {ends: [client, r], addresses: [10.2.0.1/24, 10.2.0.254/24]}
  - {ends: [r, server], addresses: [10.3.0.254/24, 10.3.0.1/24]}
)";

constexpr int clients = 20;
constexpr size_t backlog = 128;

struct Outcome {
    apps::SynFloodResult flood;
    int connected = 0;         // clients whose "hello" came back within the flood
    size_t most_entries = 0;   // the server's TCP connections at their most
    stack::TcpStats server{};  // its listener's counters
};

// The flood runs from 1 s to 3 s; a client connects every 50 ms from 1.5 s,
// sends "hello", expects it echoed, and closes. Everything must happen
// before 4 s: a client still waiting then has not got in.
Outcome run(bool syn_cookies) {
    Scenario s(topology);
    stack::TcpConfig tcp;
    tcp.syn_cookies = syn_cookies;
    sockets::Runtime server(s.node("server").host(), {}, tcp);
    sockets::Runtime client(s.node("client").host());
    sockets::Runtime attacker(s.node("attacker").host());
    Outcome out;

    server.spawn([](sockets::Runtime& rt) -> sockets::Task<void> {
        auto l = sockets::TcpListener::listen(rt, {wire::Ipv4Address::any(), 80}, backlog);
        if (!l) co_return;
        while (true) {
            auto stream = co_await l->accept();
            if (!stream) continue;
            rt.spawn([](sockets::TcpStream st) -> sockets::Task<void> {
                auto got = co_await st.receive(100);
                if (got && !got->empty()) (void)co_await st.send(got->bytes());
                (void)co_await st.close();
            }(std::move(*stream)));
        }
    }(server));
    attacker.spawn([](sockets::Runtime& rt, wire::Ipv4Address to,
                      apps::SynFloodResult* result) -> sockets::Task<void> {
        co_await rt.sleep(1_s);
        // Named, not a temporary in the co_await (GCC 12 frees those early).
        apps::SynFloodOptions o{.to = to,
                                .port = 80,
                                .rate = 100'000,
                                .duration = 2_s,
                                .from = *wire::Ipv4Cidr::parse("198.18.0.0/15"),
                                .label = "flood"};
        apps::Output quiet = [](const std::string&) {};
        *result = co_await apps::syn_flood(rt, o, quiet);
    }(attacker, s.address("server"), &out.flood));
    for (int i = 0; i < clients; ++i) {
        client.spawn([](sockets::Runtime& rt, wire::Ipv4Address to, Duration at,
                        int* connected) -> sockets::Task<void> {
            co_await rt.sleep(at);
            auto stream = co_await sockets::TcpStream::connect(rt, {to, 80});
            if (!stream) co_return;
            (void)co_await stream->send(base::as_bytes("hello"));
            auto echo = co_await stream->receive(100);
            if (echo && std::string(base::as_chars(echo->bytes())) == "hello" &&
                rt.now() < Time::zero() + 4_s) {
                ++*connected;
            }
            (void)co_await stream->close();
        }(client, s.address("server"), 1500_ms + 50_ms * i, &out.connected));
    }
    for (const char* n : {"server", "client", "attacker"})
        s.node(n).wake();
    // Watch the server's connection table every 10 ms.
    for (Time t = Time::zero(); t < Time::zero() + 4_s; t = t + 10_ms) {
        s.sim().run_until([] { return false; }, t);
        out.most_entries = std::max(out.most_entries, server.tcp().connections());
    }
    out.server = server.tcp().stats();
    return out;
}

TEST(SynFlood, WithCookiesClientsGetInAndTheServerHoldsNoMore) {
    const Outcome o = run(true);
    EXPECT_EQ(o.flood.sent, 200'000u) << "two seconds at 100,000 a second";
    EXPECT_EQ(o.connected, clients) << "every client connected and was answered";
    // The queue filled with forged half-open connections; every SYN after
    // that was answered with a cookie and cost nothing.
    EXPECT_GT(o.server.syn_cookies_sent, 199'000u);
    EXPECT_LE(o.most_entries, backlog + clients);
    // The clients came in by cookie: the queue never had room for them.
    EXPECT_EQ(o.server.syn_cookies_accepted, static_cast<uint64_t>(clients));
}

TEST(SynFlood, WithoutCookiesTheQueueLocksClientsOut) {
    const Outcome o = run(false);
    EXPECT_EQ(o.flood.sent, 200'000u);
    EXPECT_EQ(o.connected, 0) << "the forged half-open connections hold the queue for a minute";
    EXPECT_GT(o.server.listen_overflows, 199'000u);
    EXPECT_EQ(o.server.syn_cookies_sent, 0u);
    EXPECT_LE(o.most_entries, backlog) << "bounded by the backlog, but all of it forged";
}

}  // namespace
