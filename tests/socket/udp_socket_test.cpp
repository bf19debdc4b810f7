#include "socket/udp_socket.hpp"

#include <gtest/gtest.h>

#include "testing/printers.hpp"
#include "testing/wires.hpp"

namespace {

using base::Duration;
using base::Time;
using sockets::Runtime;
using sockets::Task;
using sockets::UdpSocket;
using stack::Endpoint;
using stack::SocketError;
using testing_support::Wires;
using wire::Ipv4Address;
using namespace base::literals;

const Ipv4Address b_addr{10, 0, 0, 2};

struct Net {
    Wires w;
    stack::Host& a = w.add("a");
    stack::Host& b = w.add("b");
    Net() { w.join(a, b, 0x0a000000); }
    Runtime rt_a{a};
    Runtime rt_b{b};
    void run(Duration d) { w.run(Time::zero(), Time::zero() + d); }
};

// Echoes `count` datagrams back to their senders, then returns.
Task<void> echo_server(Runtime& rt, uint16_t port, int count, int* served) {
    UdpSocket s(rt);
    if (!s.bind({Ipv4Address::any(), port})) co_return;
    for (int i = 0; i < count; ++i) {
        auto d = co_await s.receive();
        if (!d) co_return;
        (void)s.send_to(d->from, d->payload.bytes());
        ++*served;
    }
}

Task<void> ask(Runtime& rt, Endpoint server, std::string question, std::string* answer) {
    UdpSocket s(rt);
    if (!s.connect(server)) co_return;
    (void)s.send(base::as_bytes(question));
    auto reply = co_await s.receive(5_s);
    *answer = reply ? std::string(base::as_chars(reply->payload.bytes()))
                    : std::string(to_string(reply.error()));
}

TEST(UdpSocket, CoroutinesExchangeDatagrams) {
    Net n;
    int served = 0;
    std::string answer;
    n.rt_b.spawn(echo_server(n.rt_b, 7, 1, &served));
    n.rt_a.spawn(ask(n.rt_a, {b_addr, 7}, "Hello!", &answer));
    n.run(1_s);
    EXPECT_EQ(answer, "Hello!");
    EXPECT_EQ(served, 1);
    EXPECT_EQ(n.rt_a.running(), 0u);
    EXPECT_EQ(n.rt_b.running(), 0u);
    EXPECT_EQ(n.rt_a.udp().open_sockets(), 0u) << "sockets close with their coroutine";
}

TEST(UdpSocket, ReceiveWithATimeoutTimesOut) {
    Net n;
    Time returned = Time::never();
    std::optional<SocketError> error;
    n.rt_a.spawn([](Runtime& rt, Time* at, std::optional<SocketError>* e) -> Task<void> {
        UdpSocket s(rt);
        (void)s.bind({Ipv4Address::any(), 9999});
        auto d = co_await s.receive(250_ms);
        *at = rt.now();
        if (!d) *e = d.error();
    }(n.rt_a, &returned, &error));
    n.run(1_s);
    EXPECT_EQ(error, SocketError::timed_out);
    EXPECT_EQ(returned, Time::zero() + 250_ms);
}

TEST(UdpSocket, PortUnreachableComesBackAsConnectionRefused) {
    Net n;
    std::string answer;
    n.rt_a.spawn(ask(n.rt_a, {b_addr, 4444}, "anyone?", &answer));
    n.run(1_s);
    EXPECT_EQ(answer, "connection refused");
}

TEST(UdpSocket, SleepWaitsInVirtualTime) {
    Net n;
    std::vector<Time> woke;
    n.rt_a.spawn([](Runtime& rt, std::vector<Time>* w) -> Task<void> {
        co_await rt.sleep(10_ms);
        w->push_back(rt.now());
        co_await rt.sleep(0_ms);
        w->push_back(rt.now());
        co_await rt.sleep(1_s);
        w->push_back(rt.now());
    }(n.rt_a, &woke));
    n.run(2_s);
    ASSERT_EQ(woke.size(), 3u);
    EXPECT_EQ(woke[0], Time::zero() + 10_ms);
    EXPECT_EQ(woke[1], Time::zero() + 10_ms);
    EXPECT_EQ(woke[2], Time::zero() + 1010_ms);
}

Task<int> add_later(Runtime& rt, int x) {
    co_await rt.sleep(1_ms);
    co_return x + 1;
}

TEST(UdpSocket, TasksAwaitTasksAndGetTheirValues) {
    Net n;
    int result = 0;
    n.rt_a.spawn([](Runtime& rt, int* out) -> Task<void> {
        const int one = co_await add_later(rt, 0);
        *out = co_await add_later(rt, one);
    }(n.rt_a, &result));
    n.run(1_s);
    EXPECT_EQ(result, 2);
}

// The check: 10,000 applications at once on one host, each with its
// own socket and port, all complete, and everything is freed (the sanitizer
// build checks the "freed").
TEST(UdpSocket, TenThousandConcurrentApplicationsCompleteAndFreeEverything) {
    constexpr int apps = 10'000;
    Net n;
    int served = 0;
    int answered = 0;
    n.rt_b.spawn(echo_server(n.rt_b, 7, apps, &served));
    for (int i = 0; i < apps; ++i) {
        n.rt_a.spawn([](Runtime& rt, int id, int* done) -> Task<void> {
            UdpSocket s(rt);
            if (!s.connect({b_addr, 7})) co_return;
            // Spread the sends over a second so no receive queue overflows.
            co_await rt.sleep(Duration::microseconds(100 * id));
            const std::string msg = "app " + std::to_string(id);
            (void)s.send(base::as_bytes(msg));
            auto reply = co_await s.receive(10_s);
            if (reply && base::as_chars(reply->payload.bytes()) == msg) ++*done;
        }(n.rt_a, i, &answered));
    }
    EXPECT_EQ(n.rt_a.running(), static_cast<size_t>(apps));
    n.run(20_s);
    EXPECT_EQ(answered, apps);
    EXPECT_EQ(served, apps);
    EXPECT_EQ(n.rt_a.running(), 0u);
    EXPECT_EQ(n.rt_b.running(), 0u);
    EXPECT_EQ(n.rt_a.udp().open_sockets(), 0u);
    EXPECT_EQ(n.w.pool.stats().outstanding, 0u);
}

TEST(UdpSocket, DestroyingTheRuntimeEndsWaitingApplications) {
    Wires w;
    stack::Host& a = w.add("a");
    stack::Host& b = w.add("b");
    w.join(a, b, 0x0a000000);
    {
        Runtime rt(a);
        for (int i = 0; i < 100; ++i) {
            rt.spawn([](Runtime& r) -> Task<void> {
                UdpSocket s(r);
                (void)s.bind({Ipv4Address::any(), 0});
                (void)co_await s.receive(1_s);  // never comes: destroyed while waiting
            }(rt));
        }
        w.run(Time::zero(), Time::zero() + 1_ms);
        EXPECT_EQ(rt.running(), 100u);
        EXPECT_EQ(rt.udp().open_sockets(), 100u);
    }
    // The runtime is gone; so are its sockets and timers (the sanitizer build
    // would report a leak or a use after free).
    EXPECT_EQ(a.next_deadline(), Time::never());
    EXPECT_EQ(w.pool.stats().outstanding, 0u);
}

}  // namespace
