#include "socket/tcp.hpp"

#include <gtest/gtest.h>

#include "testing/printers.hpp"
#include "testing/wires.hpp"

namespace {

using base::Duration;
using base::Time;
using sockets::Runtime;
using sockets::Task;
using sockets::TcpListener;
using sockets::TcpStream;
using stack::Endpoint;
using stack::SocketError;
using testing_support::Wires;
using wire::Ipv4Address;
using namespace base::literals;

const Ipv4Address server_addr{10, 0, 0, 2};

struct Net {
    Wires w;
    stack::Host& a = w.add("client");
    stack::Host& b = w.add("server");
    Net() { w.join(a, b, 0x0a000000); }
    Runtime client{a};
    Runtime server{b};
    void run(Duration d) { w.run(Time::zero(), Time::zero() + d); }
};

std::string text(const base::PacketBuffer& b) {
    return std::string(base::as_chars(b.bytes()));
}

// The seeds' conversation: connect, "Hello!", "OK", close.
TEST(TcpSocket, HelloOk) {
    Net n;
    std::string server_heard, client_heard;
    bool server_done = false, client_done = false;
    n.server.spawn([](Runtime& rt, std::string* heard, bool* done) -> Task<void> {
        auto listener = TcpListener::listen(rt, {Ipv4Address::any(), 9000});
        if (!listener) co_return;
        auto s = co_await listener->accept();
        if (!s) co_return;
        auto msg = co_await s->receive(100);
        if (msg) *heard = text(*msg);
        (void)co_await s->send(base::as_bytes("OK"));
        auto end = co_await s->receive(100);  // the client's FIN
        if (end && end->empty()) (void)co_await s->close();
        *done = true;
    }(n.server, &server_heard, &server_done));
    n.client.spawn([](Runtime& rt, std::string* heard, bool* done) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 9000});
        if (!s) co_return;
        (void)co_await s->send(base::as_bytes("Hello!"));
        auto reply = co_await s->receive(100);
        if (reply) *heard = text(*reply);
        (void)co_await s->close();
        *done = true;
    }(n.client, &client_heard, &client_done));
    n.run(5_s);
    EXPECT_EQ(server_heard, "Hello!");
    EXPECT_EQ(client_heard, "OK");
    EXPECT_TRUE(server_done);
    EXPECT_TRUE(client_done);
    n.run(200_s);  // TIME-WAIT passes
    EXPECT_EQ(n.client.tcp().connections(), 0u);
    EXPECT_EQ(n.server.tcp().connections(), 0u);
}

TEST(TcpSocket, ConnectionToAClosedPortIsRefused) {
    Net n;
    std::optional<SocketError> error;
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 1234});
        if (!s) *e = s.error();
    }(n.client, &error));
    n.run(5_s);
    EXPECT_EQ(error, SocketError::connection_refused);
    EXPECT_EQ(n.server.tcp().stats().resets_sent, 1u);
}

TEST(TcpSocket, ConnectionToAHostThatNeverAnswersTimesOut) {
    Net n;
    n.w.tamper = [](std::vector<std::byte>& f) {
        return f.size() < 54;
    };  // ARP passes, TCP does not
    std::optional<SocketError> error;
    Time at;
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e, Time* when) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 80});
        if (!s) *e = s.error();
        *when = rt.now();
    }(n.client, &error, &at));
    n.run(250_s);
    EXPECT_EQ(error, SocketError::timed_out);
    // SYN at 0, then 1, 3, 7, 15, 31, 63, 127 s; gives up after 3 minutes
    // (RFC 1122 §4.2.3.5).
    EXPECT_EQ(at, Time::zero() + 180_s);
}

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>(i * 131 + i / 7);
    return s;
}

TEST(TcpSocket, BulkBothWaysAtOnce) {
    Net n;
    const std::string up = pattern(300'000), down = pattern(200'000);
    std::string got_up, got_down;
    auto pump = [](TcpStream& s, const std::string& out, std::string* in) -> Task<void> {
        (void)co_await s.send(base::as_bytes(out));
        s.shutdown();
        (void)in;
    };
    auto drain = [](TcpStream& s, std::string* in) -> Task<void> {
        while (true) {
            auto b = co_await s.receive(8192);
            if (!b || b->empty()) co_return;
            *in += text(*b);
        }
    };
    n.server.spawn([](Runtime& rt, decltype(pump) p, decltype(drain) d, const std::string* out,
                      std::string* in) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 5001});
        auto s = co_await l->accept();
        if (!s) co_return;
        TcpStream stream = std::move(*s);
        rt.spawn(p(stream, *out, nullptr));
        co_await d(stream, in);
        co_await rt.sleep(1_s);
    }(n.server, pump, drain, &down, &got_up));
    n.client.spawn([](Runtime& rt, decltype(pump) p, decltype(drain) d, const std::string* out,
                      std::string* in) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 5001});
        if (!s) co_return;
        TcpStream stream = std::move(*s);
        rt.spawn(p(stream, *out, nullptr));
        co_await d(stream, in);
        co_await rt.sleep(1_s);
    }(n.client, pump, drain, &up, &got_down));
    n.run(60_s);
    EXPECT_EQ(got_up.size(), up.size());
    EXPECT_TRUE(got_up == up);
    EXPECT_TRUE(got_down == down);
    // Segments fit the 1,500-byte MTU: IP never fragments them.
    EXPECT_EQ(n.a.stats().fragments_sent, 0u);
    EXPECT_EQ(n.b.stats().fragments_sent, 0u);
}

// No host has the address: ARP gets no answer, the host reports "host
// unreachable" to itself, and connect fails with it instead of waiting for
// the SYN retries to run out.
TEST(TcpSocket, ConnectingToAnAddressNobodyHasIsHostUnreachable) {
    Net n;
    std::optional<SocketError> error;
    Time at;
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e, Time* when) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {Ipv4Address{10, 0, 0, 99}, 80});
        if (!s) *e = s.error();
        *when = rt.now();
    }(n.client, &error, &at));
    n.run(100_s);
    EXPECT_EQ(error, SocketError::host_unreachable);
    EXPECT_LT(at, Time::zero() + 10_s);
}

// The server aborts (RST): the client's waiting receive says so.
TEST(TcpSocket, APeerThatAbortsIsAConnectionReset) {
    Net n;
    std::optional<SocketError> error;
    n.server.spawn([](Runtime& rt) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 7001});
        auto s = co_await l->accept();
        if (!s) co_return;
        co_await rt.sleep(1_s);
        s->abort();
    }(n.server));
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7001});
        if (!s) co_return;
        auto r = co_await s->receive(100);
        if (!r) *e = r.error();
    }(n.client, &error));
    n.run(5_s);
    EXPECT_EQ(error, SocketError::connection_reset);
}

// Partial writes: a megabyte does not fit the 256 KiB send buffer, so
// send_some takes part of it and the writer loops, as with write(2).
TEST(TcpSocket, SendSomeTakesWhatFitsAndTheRestFollows) {
    Net n;
    const std::string data = pattern(1'000'000);
    std::string got;
    std::vector<size_t> writes;
    n.server.spawn([](Runtime& rt, std::string* in) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 6000});
        auto s = co_await l->accept();
        if (!s) co_return;
        while (true) {
            auto b = co_await s->receive(65536);
            if (!b || b->empty()) break;
            *in += text(*b);
        }
        (void)co_await s->close();
    }(n.server, &got));
    n.client.spawn([](Runtime& rt, const std::string* out, std::vector<size_t>* w) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 6000});
        if (!s) co_return;
        for (size_t at = 0; at < out->size();) {
            auto took = co_await s->send_some(base::as_bytes(*out).subspan(at));
            if (!took) co_return;
            w->push_back(*took);
            at += *took;
        }
        (void)co_await s->close();
    }(n.client, &data, &writes));
    n.run(60_s);
    EXPECT_TRUE(got == data) << got.size() << " of " << data.size();
    ASSERT_GE(writes.size(), 4u) << "1 MB in 256 KiB buffers takes several writes";
    EXPECT_EQ(writes[0], 256u * 1024) << "the first fills the empty buffer";
}

// A sender that must stop at a time: the server never reads, so the buffers
// fill and send_some waits for room — until its deadline, when it gives up
// with 0 bytes taken, at that very time.
TEST(TcpSocket, SendSomeWithADeadlineGivesUpThen) {
    Net n;
    const std::string data = pattern(64 * 1024);
    n.server.spawn([](Runtime& rt) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 6001});
        auto s = co_await l->accept();
        if (!s) co_return;
        co_await rt.sleep(3600_s);  // holds the connection and reads nothing
    }(n.server));
    uint64_t queued = 0;
    Time deadline = Time::never();
    std::optional<Time> gave_up;
    n.client.spawn([](Runtime& rt, const std::string* out, uint64_t* total, Time* until,
                      std::optional<Time>* at) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 6001});
        if (!s) co_return;
        *until = rt.now() + 2_s;
        while (true) {
            auto took = co_await s->send_some(base::as_bytes(*out), *until);
            if (!took) co_return;
            if (*took == 0) break;
            *total += *took;
        }
        *at = rt.now();
        s->abort();
    }(n.client, &data, &queued, &deadline, &gave_up));
    n.run(10_s);
    ASSERT_TRUE(gave_up);
    EXPECT_GT(queued, 256u * 1024) << "the send buffer, and the peer's receive window";
    EXPECT_EQ(*gave_up, deadline);
}

// SO_KEEPALIVE: the server vanishes (every TCP frame is lost from 5 s on); a
// client that only waits to receive learns it from the keep-alive probes.
TEST(TcpSocket, KeepAliveFindsAPeerThatVanished) {
    Net n;
    std::optional<SocketError> error;
    Time at;
    n.server.spawn([](Runtime& rt) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 7000});
        auto s = co_await l->accept();
        co_await rt.sleep(1000_s);  // says nothing
    }(n.server));
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e, Time* when) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7000});
        if (!s) co_return;
        s->set_keepalive(tcp::KeepAlive{.idle = 10_s, .interval = 2_s, .probes = 3});
        auto r = co_await s->receive(100);
        if (!r) *e = r.error();
        *when = rt.now();
    }(n.client, &error, &at));
    n.run(5_s);
    EXPECT_FALSE(error) << "still connected, nothing said";
    n.w.tamper = [](std::vector<std::byte>& f) { return f.size() < 54; };
    n.run(100_s);
    EXPECT_EQ(error, SocketError::timed_out);
    // Last heard at 0 s (the handshake); unanswered probes at 10, 12, 14 s,
    // the give-up at 16 s.
    EXPECT_GT(at, Time::zero() + 15_s);
    EXPECT_LT(at, Time::zero() + 17_s);
}

// Options given to listen() are every accepted connection's; options given
// to connect() are in place before the SYN. MSG_PEEK leaves data to read;
// TCP_INFO sees the MSS both agreed on.
TEST(TcpSocket, OptionsAtListenAndConnectPeekAndInfo) {
    Net n;
    std::string peeked, read;
    std::optional<tcp::Info> server_info, client_info;
    n.server.spawn([](Runtime& rt, std::string* seen, std::string* taken,
                      std::optional<tcp::Info>* info) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 7100}, 16,
                                     {.congestion = tcp::CongestionAlgorithm::new_reno});
        auto s = co_await l->accept();
        if (!s) co_return;
        auto p = co_await s->peek(100);
        if (p) *seen = text(*p);
        auto r = co_await s->receive(100);
        if (r) *taken = text(*r);
        *info = s->info();
    }(n.server, &peeked, &read, &server_info));
    n.client.spawn([](Runtime& rt, std::optional<tcp::Info>* info) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7100}, {.max_segment = 600});
        if (!s) co_return;
        (void)co_await s->send(base::as_bytes("peekaboo"));
        *info = s->info();
        co_await rt.sleep(1_s);
    }(n.client, &client_info));
    n.run(5_s);
    EXPECT_EQ(peeked, "peekaboo");
    EXPECT_EQ(read, "peekaboo") << "the peek took nothing";
    ASSERT_TRUE(server_info);
    ASSERT_TRUE(client_info);
    EXPECT_EQ(server_info->congestion, tcp::CongestionAlgorithm::new_reno) << "from the listener";
    EXPECT_EQ(client_info->congestion, tcp::CongestionAlgorithm::cubic);
    EXPECT_EQ(client_info->send_mss, 600u - 12) << "TCP_MAXSEG less the timestamps";
    EXPECT_EQ(server_info->send_mss, 600u - 12) << "the MSS the client offered";
}

// MSG_TRUNC: discard takes bytes without handing them over, in order, and
// what follows is read as usual; 0 is the end of the stream.
TEST(TcpSocket, DiscardTakesBytesWithoutCopyingThem) {
    Net n;
    std::vector<size_t> dropped;
    std::string rest;
    bool ended = false;
    n.server.spawn(
        [](Runtime& rt, std::vector<size_t>* counts, std::string* after, bool* end) -> Task<void> {
            auto l = TcpListener::listen(rt, {Ipv4Address::any(), 7200});
            auto s = co_await l->accept();
            if (!s) co_return;
            co_await rt.sleep(1_s);  // all ten bytes are in
            for (size_t max : {3u, 4u}) {
                auto got = co_await s->discard(max);
                if (got) counts->push_back(*got);
            }
            auto r = co_await s->receive(100);
            if (r) *after = text(*r);
            auto last = co_await s->discard(100);
            *end = last && *last == 0;
        }(n.server, &dropped, &rest, &ended));
    n.client.spawn([](Runtime& rt) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7200});
        if (!s) co_return;
        (void)co_await s->send(base::as_bytes("0123456789"));
        (void)co_await s->close();
    }(n.client));
    n.run(5_s);
    EXPECT_EQ(dropped, (std::vector<size_t>{3, 4}));
    EXPECT_EQ(rest, "789");
    EXPECT_TRUE(ended);
}

// A bad value is refused where it is given, and nothing is opened.
TEST(TcpSocket, OptionsOutOfRangeAreInvalid) {
    Net n;
    std::optional<SocketError> connect_error;
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7200}, {.send_buffer = 1});
        if (!s) *e = s.error();
    }(n.client, &connect_error));
    n.run(1_s);
    EXPECT_EQ(connect_error, SocketError::invalid_argument);
    EXPECT_EQ(n.client.tcp().connections(), 0u);
    const auto l =
        TcpListener::listen(n.server, {Ipv4Address::any(), 7200}, 16, {.max_segment = 10});
    ASSERT_FALSE(l);
    EXPECT_EQ(l.error(), SocketError::invalid_argument);
}

// SO_LINGER on with a time: close() waits at most that long for the FIN's
// ACK, and says so when it did not come.
TEST(TcpSocket, LingerBoundsHowLongCloseWaits) {
    Net n;
    std::optional<SocketError> close_error;
    Time closed_at;
    n.server.spawn([](Runtime& rt) -> Task<void> {
        auto l = TcpListener::listen(rt, {Ipv4Address::any(), 7300});
        auto s = co_await l->accept();
        co_await rt.sleep(1000_s);
    }(n.server));
    n.client.spawn([](Runtime& rt, std::optional<SocketError>* e, Time* at) -> Task<void> {
        auto s = co_await TcpStream::connect(rt, {server_addr, 7300}, {.linger = 2_s});
        if (!s) co_return;
        co_await rt.sleep(2_s);
        auto r = co_await s->close();
        if (!r) *e = r.error();
        *at = rt.now();
    }(n.client, &close_error, &closed_at));
    n.run(1_s);
    n.w.tamper = [](std::vector<std::byte>& f) { return f.size() < 54; };  // the server is gone
    n.run(10_s);
    EXPECT_EQ(close_error, SocketError::timed_out);
    // Closed at 2 s (plus the handshake), the linger over 2 s later.
    EXPECT_GE(closed_at, Time::zero() + 4_s);
    EXPECT_LT(closed_at, Time::zero() + 4100_ms);
}

}  // namespace
