// DNS across the simulated internet, the seeds' story: a client asks its
// resolver for kiminje.shop; the resolver asks the root, then shop.'s server,
// then kiminje.shop.'s own server; the client learns 200.200.200.2 and talks
// to it over TCP. Every server is a simulated host running the same engines
// `minternet dns serve` and `dns recursor` run on OS sockets.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apps/dns_apps.hpp"
#include "dns/stub.hpp"
#include "dns/zone/zone.hpp"
#include "harness.hpp"
#include "socket/runtime.hpp"
#include "socket/tcp.hpp"

namespace {

using base::Duration;
using scenario::Scenario;
using sockets::Runtime;
using sockets::Task;
using wire::Ipv4Address;
using namespace base::literals;

// Client and resolver behind an ISP router; the root, shop. and kiminje.shop.
// servers and the web server behind a core router. `resolver_link` is spliced
// into the resolver's link (loss, say).
std::string topology(const std::string& resolver_link = "") {
    return R"(
seed: 5
hosts:
  client: {gateway: 100.100.100.254, nameserver: 10.53.0.53}
  resolver: {gateway: 10.53.0.1}
  root-server: {gateway: 198.41.0.1}
  shop-server: {gateway: 192.0.2.1}
  kiminje-dns: {gateway: 200.200.201.1}
  kiminje-web: {gateway: 200.200.200.1}
routers: {isp: {}, core: {}}
links:
  - {ends: [client, isp], addresses: [100.100.100.1/24, 100.100.100.254/24], delay: 5ms}
  - {ends: [resolver, isp], addresses: [10.53.0.53/24, 10.53.0.1/24], delay: 1ms)" +
           resolver_link + R"(}
  - {ends: [isp, core], addresses: [10.0.0.1/30, 10.0.0.2/30], delay: 10ms}
  - {ends: [core, root-server], addresses: [198.41.0.1/24, 198.41.0.4/24], delay: 20ms}
  - {ends: [core, shop-server], addresses: [192.0.2.1/24, 192.0.2.53/24], delay: 15ms}
  - {ends: [core, kiminje-dns], addresses: [200.200.201.1/24, 200.200.201.53/24], delay: 8ms}
  - {ends: [core, kiminje-web], addresses: [200.200.200.1/24, 200.200.200.2/24], delay: 8ms}
)";
}

constexpr std::string_view root_zone = R"(
$ORIGIN .
$TTL 86400
@ SOA a.root-servers.example. nstld.example. 1 1800 900 604800 86400
@ NS a.root-servers.example.
a.root-servers.example. A 198.41.0.4
shop. 172800 NS ns.shop.
ns.shop. 172800 A 192.0.2.53
)";

constexpr std::string_view shop_zone = R"(
$ORIGIN shop.
$TTL 3600
@ SOA ns hostmaster 1 7200 900 1209600 300
@ NS ns
ns A 192.0.2.53
kiminje NS ns.kiminje
ns.kiminje A 200.200.201.53
)";

// A TXT RRset of about 2,000 octets: more than the 1,232 a UDP reply may carry.
std::string kiminje_zone() {
    std::string z = R"(
$ORIGIN kiminje.shop.
$TTL 300
@ SOA ns hostmaster 1 7200 900 1209600 60
@ NS ns
ns A 200.200.201.53
@ A 200.200.200.2
www CNAME @
)";
    for (int i = 0; i < 20; ++i)
        z += "big TXT \"" + std::to_string(100 + i) + std::string(96, 'x') + "\"\n";
    return z;
}

constexpr std::string_view root_hints = R"(
. 3600000 NS a.root-servers.example.
a.root-servers.example. 3600000 A 198.41.0.4
)";

// The internet above with its servers running.
struct DnsInternet {
    explicit DnsInternet(const std::string& resolver_link = "") : s(topology(resolver_link)) {
        root = serve("root-server", root_zone);
        shop = serve("shop-server", shop_zone);
        kiminje = serve("kiminje-dns", kiminje_zone(), {Ipv4Address{200, 200, 200, 2}});
        dns::RecursorConfig config;
        config.resolver.root_hints = dns::parse_root_hints(root_hints, "root.hints").value();
        Runtime& rt = runtime("resolver");
        rt.spawn(apps::dns_recursor(rt, config, 53, [](const std::string&) {}));
        for (const char* n : {"root-server", "shop-server", "kiminje-dns", "resolver"})
            s.node(n).wake();
    }

    std::shared_ptr<dns::Authority> serve(const std::string& node, std::string_view zone,
                                          std::vector<Ipv4Address> allow_update = {}) {
        dns::AuthorityConfig config;
        config.allow_update = std::move(allow_update);
        auto authority = std::make_shared<dns::Authority>(config);
        auto z = dns::parse_zone(zone, node + ".zone");
        EXPECT_TRUE(z) << z.error().to_string();
        if (z) authority->set_zone(std::move(*z));
        Runtime& rt = runtime(node);
        rt.spawn(apps::dns_server(rt, authority, 53, [](const std::string&) {}));
        return authority;
    }

    Runtime& runtime(const std::string& node) { return programs.runtime(node); }
    template <typename T>
    std::optional<T> run(const std::string& node, Task<T> task, Duration limit = 120_s) {
        return programs.run(node, std::move(task), limit);
    }

    Scenario s;
    scenario::Programs programs{s};
    std::shared_ptr<dns::Authority> root, shop, kiminje;
};

using dns::Addresses;

Task<Addresses> resolve(Runtime& rt, std::string name) {
    co_return co_await dns::resolve(rt, std::move(name));
}

// The whole story: the name, the address, the connection, "Hello!", "OK".
TEST(Dns, ClientResolvesKiminjeShopThenSaysHello) {
    DnsInternet net;
    Runtime& web = net.runtime("kiminje-web");
    std::string heard;
    web.spawn([](Runtime& rt, std::string* out) -> Task<void> {
        auto l = sockets::TcpListener::listen(rt, {Ipv4Address::any(), 80});
        if (!l) co_return;
        auto s = co_await l->accept();
        if (!s) co_return;
        auto msg = co_await s->receive(100);
        if (msg) *out = std::string(base::as_chars(msg->bytes()));
        (void)co_await s->send(base::as_bytes("OK"));
        (void)co_await s->close();
    }(web, &heard));
    net.s.node("kiminje-web").wake();

    auto reply = net.run("client", [](Runtime& rt) -> Task<std::string> {
        auto ip = co_await dns::resolve(rt, "kiminje.shop");
        if (!ip) co_return "resolve: " + ip.error();
        if (ip->size() != 1) co_return "want one address";
        auto s = co_await sockets::TcpStream::connect(rt, {ip->front(), 80});
        if (!s) co_return "connect failed";
        (void)co_await s->send(base::as_bytes("Hello!"));
        auto r = co_await s->receive(100);
        (void)co_await s->close();
        co_return ip->front().to_string() + " " +
            (r ? std::string(base::as_chars(r->bytes())) : "no reply");
    }(net.runtime("client")));
    ASSERT_TRUE(reply);
    EXPECT_EQ(*reply, "200.200.200.2 OK");
    EXPECT_EQ(heard, "Hello!");
}

// The first lookup walks the tree: one query to each server. The second is
// answered from the resolver's cache, in one round trip to it and no query
// beyond. After the TTL (300 s) the resolver asks again, but only
// kiminje.shop.'s server: the shop. delegation is still cached (3600 s).
TEST(Dns, SecondLookupComesFromTheCacheUntilTheTtlEnds) {
    DnsInternet net;
    auto timed = [](Runtime& rt) -> Task<Duration> {
        auto a = co_await dns::lookup(
            rt, dns::Question{*dns::Name::parse("kiminje.shop."), dns::RrType::a});
        co_return a ? a->elapsed : Duration::seconds(-1);
    };
    using Counts = std::array<uint64_t, 3>;
    auto queries = [&] {
        return Counts{net.root->stats().queries, net.shop->stats().queries,
                      net.kiminje->stats().queries};
    };
    const auto first = net.run("client", timed(net.runtime("client")));
    EXPECT_EQ(queries(), (Counts{1, 1, 1}));
    const auto second = net.run("client", timed(net.runtime("client")));
    EXPECT_EQ(queries(), (Counts{1, 1, 1}));
    net.s.sim().run_for(301_s);
    const auto third = net.run("client", timed(net.runtime("client")));
    EXPECT_EQ(queries(), (Counts{1, 1, 2}));
    ASSERT_TRUE(first && second && third);
    // client <-> resolver is 2 x (5 + 1) ms, plus microseconds of
    // serialization; the resolver's trips beyond take longer.
    EXPECT_GE(*second, 12_ms);
    EXPECT_LT(*second, 12_ms + 100_us);
    EXPECT_GT(*first, *second + 3 * 2 * 18_ms);
    EXPECT_GT(*third, *second + 2 * 18_ms);
}

TEST(Dns, MissingNameIsNxdomainAndTheClientIsToldSo) {
    DnsInternet net;
    auto r = net.run("client", resolve(net.runtime("client"), "nothing.kiminje.shop"));
    ASSERT_TRUE(r);
    ASSERT_FALSE(*r);
    EXPECT_EQ(r->error(), "nothing.kiminje.shop: no such name (NXDOMAIN)");
    auto cname = net.run("client", resolve(net.runtime("client"), "WWW.Kiminje.Shop"));
    ASSERT_TRUE(cname && *cname);
    EXPECT_EQ(**cname, std::vector<wire::IpAddress>{Ipv4Address(200, 200, 200, 2)});
}

// 20 % of the frames on the resolver's link are lost, both ways: the
// resolver's retries and the stub's carry the question through anyway.
TEST(Dns, ResolutionSurvivesALossyLink) {
    DnsInternet net(", loss: 20%");
    auto r = net.run("client", resolve(net.runtime("client"), "kiminje.shop"));
    ASSERT_TRUE(r);
    ASSERT_TRUE(*r) << r->error();
    EXPECT_EQ(**r, std::vector<wire::IpAddress>{Ipv4Address(200, 200, 200, 2)});
    const sim::Link& lossy = *net.s.net().find_link("resolver-isp");
    EXPECT_GT(lossy.stats(0).dropped_loss + lossy.stats(1).dropped_loss, 0u)
        << "the link lost nothing: the test shows nothing";
}

// A TXT RRset too big for UDP: the authority truncates to the resolver, the
// resolver fetches it over TCP, truncates to the client, and the client's
// stub fetches it over TCP in turn. All 20 strings arrive.
TEST(Dns, BigAnswerComesOverTcpAfterTruncation) {
    DnsInternet net;
    auto r =
        net.run("client", [](Runtime& rt) -> Task<base::Expected<dns::StubAnswer, std::string>> {
            co_return co_await dns::lookup(rt, dns::Question{*dns::Name::parse("big.kiminje.shop."),
                                                             dns::RrType::txt, dns::RrClass::in});
        }(net.runtime("client")));
    ASSERT_TRUE(r && *r);
    EXPECT_TRUE((*r)->over_tcp);
    EXPECT_EQ((*r)->message.answers.size(), 20u);
    EXPECT_FALSE((*r)->message.tc);
}

// "The server's address changed": an RFC 2136 update from an allowed address
// changes the zone at once; the resolver still gives the cached old answer
// until its TTL ends. An update from anyone else is refused.
TEST(Dns, DynamicUpdateIsSeenAfterTheTtl) {
    DnsInternet net;
    const auto old = net.run("client", resolve(net.runtime("client"), "kiminje.shop"));
    ASSERT_TRUE(old && *old);
    EXPECT_EQ(**old, std::vector<wire::IpAddress>{Ipv4Address(200, 200, 200, 2)});

    apps::DnsUpdateOptions update{.server = Ipv4Address(200, 200, 201, 53),
                                  .zone = "kiminje.shop",
                                  .name = "kiminje.shop",
                                  .addresses = {Ipv4Address(200, 200, 200, 9)}};
    auto refused = net.run(
        "client", apps::dns_update(net.runtime("client"), update, [](const std::string&) {}));
    ASSERT_TRUE(refused && *refused);
    EXPECT_EQ(**refused, dns::Rcode::refused);
    auto done = net.run("kiminje-web", apps::dns_update(net.runtime("kiminje-web"), update,
                                                        [](const std::string&) {}));
    ASSERT_TRUE(done && *done);
    EXPECT_EQ(**done, dns::Rcode::noerror);
    EXPECT_EQ(net.kiminje->stats().updates, 1u);

    const auto cached = net.run("client", resolve(net.runtime("client"), "kiminje.shop"));
    ASSERT_TRUE(cached && *cached);
    EXPECT_EQ(**cached, std::vector<wire::IpAddress>{Ipv4Address(200, 200, 200, 2)});
    net.s.sim().run_for(300_s);
    const auto fresh = net.run("client", resolve(net.runtime("client"), "kiminje.shop"));
    ASSERT_TRUE(fresh && *fresh);
    EXPECT_EQ(**fresh, std::vector<wire::IpAddress>{Ipv4Address(200, 200, 200, 9)});
}

}  // namespace
