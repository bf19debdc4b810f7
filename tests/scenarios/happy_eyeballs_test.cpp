// Happy Eyeballs (RFC 8305) across a dual-stack internet: a client asks its
// name server for AAAA and A, connects over IPv6 when it works, and falls
// back to IPv4 when IPv6 is broken — at once when the IPv6 attempt fails,
// after the connection attempt delay when it goes unanswered.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "apps/dns_apps.hpp"
#include "dns/happy_eyeballs.hpp"
#include "dns/zone/zone.hpp"
#include "harness.hpp"
#include "socket/tcp.hpp"
#include "socket/udp_socket.hpp"

namespace {

using base::Duration;
using scenario::Programs;
using scenario::Scenario;
using sockets::Runtime;
using sockets::Task;
using namespace base::literals;

// client — isp — server, both families on both links; `v4only` is a host
// without IPv6 beside the client. The server runs the name server too.
constexpr const char* dual_stack = R"(
seed: 3
hosts:
  client: {nameserver: "2001:db8:2::2"}
  v4only: {nameserver: 10.2.0.2}
  server: {}
routers: {isp: {}}
links:
  - ends: [client, isp]
    addresses: [10.1.0.2/24, 10.1.0.1/24]
    addresses6: ["2001:db8:1::2/64", "2001:db8:1::1/64"]
    delay: 10ms
  - ends: [v4only, isp]
    addresses: [10.3.0.2/24, 10.3.0.1/24]
    delay: 10ms
  - ends: [isp, server]
    addresses: [10.2.0.1/24, 10.2.0.2/24]
    addresses6: ["2001:db8:2::1/64", "2001:db8:2::2/64"]
    delay: 10ms
)";

// `dead` has an AAAA record nobody answers at (no host has it: the last
// router's neighbour discovery fails after seconds), `gone` only records
// nobody answers at.
constexpr std::string_view zone = R"(
$ORIGIN kiminje.shop.
$TTL 300
@ SOA ns hostmaster 1 7200 900 1209600 60
@ NS ns
ns AAAA 2001:db8:2::2
@ A 10.2.0.2
@ AAAA 2001:db8:2::2
dead A 10.2.0.2
dead AAAA 2001:db8:2::99
v6only AAAA 2001:db8:2::2
gone A 10.2.0.99
gone AAAA 2001:db8:2::99
)";

// A name server that answers A at once and AAAA `delay` late: the order
// the answers arrive in is the test's to choose.
Task<void> slow_aaaa_server(Runtime& rt, std::shared_ptr<dns::Authority> authority,
                            Duration delay) {
    auto socket = std::make_shared<sockets::UdpSocket>(rt);
    if (!socket->bind_any(53)) co_return;
    while (true) {
        auto d = co_await socket->receive();
        if (!d) continue;
        auto reply = authority->handle(d->payload.bytes(), dns::Transport::udp, d->from.address);
        if (!reply) continue;
        const auto query = dns::parse_message(d->payload.bytes());
        if (!query || query->questions.empty() || query->questions[0].type != dns::RrType::aaaa) {
            (void)socket->send_to(d->from, *reply);
            continue;
        }
        rt.spawn([](Runtime& r, std::shared_ptr<sockets::UdpSocket> s, stack::Endpoint to,
                    std::vector<std::byte> bytes, Duration wait) -> Task<void> {
            co_await r.sleep(wait);
            (void)s->send_to(to, bytes);
        }(rt, socket, d->from, std::move(*reply), delay));
    }
}

struct DualStack {
    // aaaa_delay: the name server holds AAAA answers back that long.
    explicit DualStack(Duration aaaa_delay = Duration::zero()) {
        auto z = dns::parse_zone(zone, "kiminje.zone");
        EXPECT_TRUE(z) << z.error().to_string();
        auto authority = std::make_shared<dns::Authority>();
        authority->set_zone(std::move(*z));
        Runtime& rt = programs.runtime("server");
        if (aaaa_delay > Duration::zero())
            programs.spawn("server", slow_aaaa_server(rt, authority, aaaa_delay));
        else
            programs.spawn("server",
                           apps::dns_server(rt, authority, 53, [](const std::string&) {}));
        // Let duplicate address detection finish before anyone connects.
        s.sim().run_until([] { return false; }, s.sim().now() + 3_s);
    }

    // A server on `port` that accepts and holds connections, over both
    // families or (ipv4_only) only IPv4: an IPv6 SYN then gets a reset.
    void listen(uint16_t port, bool ipv4_only) {
        Runtime& rt = programs.runtime("server");
        programs.spawn("server", [](Runtime& r, uint16_t p, bool v4) -> Task<void> {
            auto l = v4 ? sockets::TcpListener::listen(r, {wire::Ipv4Address::any(), p})
                        : sockets::TcpListener::listen_any(r, p);
            if (!l) co_return;
            std::vector<sockets::TcpStream> held;
            while (true) {
                auto c = co_await l->accept();
                if (c) held.push_back(std::move(*c));
            }
        }(rt, port, ipv4_only));
    }

    using Result = base::Expected<dns::NamedConnection, dns::ConnectFailure>;
    std::optional<Result> connect(const std::string& from, std::string name, uint16_t port,
                                  Duration limit = 120_s) {
        return programs.run(
            from, dns::connect_by_name(programs.runtime(from), std::move(name), port), limit);
    }

    Scenario s{dual_stack};
    Programs programs{s};
};

wire::IpAddress ip(const char* text) {
    return wire::IpAddress::parse(text).value();
}

TEST(HappyEyeballs, ConnectsOverIpv6WhenItWorks) {
    DualStack net;
    net.listen(80, false);
    auto r = net.connect("client", "kiminje.shop", 80);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    const dns::NamedConnection& c = **r;
    EXPECT_EQ(c.addresses, (std::vector<wire::IpAddress>{ip("2001:db8:2::2"), ip("10.2.0.2")}));
    EXPECT_EQ(c.remote.address, ip("2001:db8:2::2"));
    ASSERT_EQ(c.attempts.size(), 1u) << "IPv6 answered within the attempt delay";
    EXPECT_TRUE(c.attempts[0].won);
    EXPECT_GT(c.lookup, Duration::zero());
    EXPECT_GE(c.handshake, 40_ms) << "one round trip over two 10 ms links";
}

// The IPv6 SYN is unanswered: 250 ms later the IPv4 attempt starts and wins;
// the IPv6 one is abandoned, not waited for.
TEST(HappyEyeballs, FallsBackToIpv4AfterTheAttemptDelayWhenIpv6IsSilent) {
    DualStack net;
    net.listen(80, false);
    auto r = net.connect("client", "dead.kiminje.shop", 80);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    const dns::NamedConnection& c = **r;
    ASSERT_EQ(c.attempts.size(), 2u);
    EXPECT_EQ(c.attempts[0].address, ip("2001:db8:2::99"));
    EXPECT_FALSE(c.attempts[0].won);
    EXPECT_FALSE(c.attempts[0].error) << "abandoned, not failed";
    EXPECT_EQ(c.attempts[1].address, ip("10.2.0.2"));
    EXPECT_TRUE(c.attempts[1].won);
    EXPECT_EQ(c.attempts[1].started - c.attempts[0].started, 250_ms);
    EXPECT_EQ(c.remote.address, ip("10.2.0.2"));
}

// How long the lookup of kiminje.shop takes when both answers come at once:
// the yardstick for the two tests below (the same seed, the same network).
Duration lookup_without_delay() {
    DualStack net;
    net.listen(80, false);
    auto r = net.connect("client", "kiminje.shop", 80);
    EXPECT_TRUE(r && *r);
    return r && *r ? (*r)->lookup : Duration::zero();
}

// RFC 8305 §3: A answered first, AAAA 30 ms later — inside the 50 ms
// resolution delay, so the connection still goes over IPv6, as soon as
// AAAA is in.
TEST(HappyEyeballs, AnAaaaAnswerWithinTheResolutionDelayStillGoesFirst) {
    const Duration both_at_once = lookup_without_delay();
    DualStack net(30_ms);
    net.listen(80, false);
    auto r = net.connect("client", "kiminje.shop", 80);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    const dns::NamedConnection& c = **r;
    ASSERT_EQ(c.attempts.size(), 1u);
    EXPECT_EQ(c.attempts[0].address, ip("2001:db8:2::2"));
    EXPECT_TRUE(c.attempts[0].won);
    EXPECT_GE(c.lookup - both_at_once, 30_ms) << "it waited for AAAA";
    EXPECT_LT(c.lookup - both_at_once, 50_ms) << "and started when AAAA came, not at the deadline";
}

// AAAA 200 ms late: A plus the 50 ms resolution delay, and IPv4 goes ahead
// without it.
TEST(HappyEyeballs, AnAaaaAnswerLaterThanTheResolutionDelayIsNotWaitedFor) {
    const Duration both_at_once = lookup_without_delay();
    DualStack net(200_ms);
    net.listen(80, false);
    auto r = net.connect("client", "kiminje.shop", 80);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    const dns::NamedConnection& c = **r;
    ASSERT_GE(c.attempts.size(), 1u);
    EXPECT_EQ(c.attempts[0].address, ip("10.2.0.2"));
    EXPECT_EQ(c.remote.address, ip("10.2.0.2"));
    EXPECT_GE(c.lookup - both_at_once, 50_ms) << "the whole resolution delay";
    EXPECT_LT(c.lookup - both_at_once, 60_ms) << "not until AAAA";
}

// IPv6 refused (the server listens on IPv4 only): the reset ends that
// attempt, and IPv4 starts at once rather than after the delay.
TEST(HappyEyeballs, AFailedIpv6AttemptStartsIpv4AtOnce) {
    DualStack net;
    net.listen(81, true);
    auto r = net.connect("client", "kiminje.shop", 81);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    const dns::NamedConnection& c = **r;
    ASSERT_EQ(c.attempts.size(), 2u);
    EXPECT_EQ(c.attempts[0].error, stack::SocketError::connection_refused);
    EXPECT_LT(c.attempts[1].started - c.attempts[0].started, 250_ms);
    EXPECT_GE(c.attempts[1].started - c.attempts[0].started, 40_ms) << "after the RST came back";
    EXPECT_EQ(c.remote.address, ip("10.2.0.2"));
}

TEST(HappyEyeballs, AnIpv4OnlyHostAsksForAAndUsesIt) {
    DualStack net;
    net.listen(80, false);
    auto r = net.connect("v4only", "kiminje.shop", 80);
    ASSERT_TRUE(r && *r) << (r ? (*r).error().error : "no result");
    EXPECT_EQ((*r)->addresses, std::vector<wire::IpAddress>{ip("10.2.0.2")});
    EXPECT_EQ((*r)->remote.address, ip("10.2.0.2"));
}

TEST(HappyEyeballs, ANameWithOnlyAaaaWorksAndLiteralsNeedNoLookup) {
    DualStack net;
    net.listen(80, false);
    auto six = net.connect("client", "v6only.kiminje.shop", 80);
    ASSERT_TRUE(six && *six) << (six ? (*six).error().error : "no result");
    EXPECT_EQ((*six)->remote.address, ip("2001:db8:2::2"));
    auto literal = net.connect("client", "10.2.0.2", 80);
    ASSERT_TRUE(literal && *literal);
    EXPECT_EQ((*literal)->lookup, Duration::zero());
    EXPECT_EQ((*literal)->attempts.size(), 1u);
}

TEST(HappyEyeballs, FailuresSayWhetherTheLookupOrEveryAttemptFailed) {
    DualStack net;
    net.listen(80, false);
    auto none = net.connect("client", "nothing.kiminje.shop", 80);
    ASSERT_TRUE(none);
    ASSERT_FALSE(*none);
    EXPECT_TRUE(none->error().lookup_failed);
    EXPECT_TRUE(none->error().attempts.empty());
    // Nobody at either address: both attempts run until they fail, IPv4 from
    // 250 ms on; the connection fails only when both have.
    auto gone = net.connect("client", "gone.kiminje.shop", 80, 600_s);
    ASSERT_TRUE(gone);
    ASSERT_FALSE(*gone);
    EXPECT_FALSE(gone->error().lookup_failed);
    ASSERT_EQ(gone->error().attempts.size(), 2u);
    for (const dns::ConnectAttempt& a : gone->error().attempts)
        EXPECT_TRUE(a.error) << a.address.to_string();
}

// The coroutine API's IPV6_V6ONLY choice: a listener on :: takes IPv4
// connections only when told it may.
TEST(HappyEyeballs, AListenerOnTheIpv6WildcardTakesIpv4OnlyWhenAllowed) {
    DualStack net;
    Runtime& rt = net.programs.runtime("server");
    auto only6 = sockets::TcpListener::listen(rt, {wire::Ipv6Address::any(), 82});
    auto both = sockets::TcpListener::listen(rt, {wire::Ipv6Address::any(), 83}, 128, {},
                                             /*ipv6_only=*/false);
    ASSERT_TRUE(only6 && both);
    auto refused = net.connect("client", "10.2.0.2", 82);
    ASSERT_TRUE(refused);
    ASSERT_FALSE(*refused);
    ASSERT_EQ(refused->error().attempts.size(), 1u);
    EXPECT_EQ(refused->error().attempts[0].error, stack::SocketError::connection_refused);
    auto six = net.connect("client", "2001:db8:2::2", 82);
    ASSERT_TRUE(six && *six) << "IPv6 is what it takes";
    auto four = net.connect("client", "10.2.0.2", 83);
    ASSERT_TRUE(four && *four) << (four ? four->error().error : "no result");
    auto accepted = net.programs.run("server", both->accept());
    ASSERT_TRUE(accepted && *accepted);
    const tcp::Connection* c = (*accepted)->connection();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->tuple().remote_address.unmapped(), ip("10.1.0.2"));
}

}  // namespace
