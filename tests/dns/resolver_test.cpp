// The recursive resolver against authoritative engines in the same process:
// a tiny internet of root, TLD and zone servers, with queries delivered (or
// lost, or forged) by the test.
#include "dns/resolver/resolver.hpp"

#include <deque>
#include <functional>
#include <map>

#include "dns/resolver/recursor.hpp"

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using dns::Name;
using dns::Rcode;
using dns::RrType;
using wire::Ipv4Address;
using namespace base::literals;

dns::Zone zone(std::string_view text) {
    auto z = dns::parse_zone(text, "test.zone");
    EXPECT_TRUE(z) << z.error().to_string();
    return std::move(*z);
}

const Ipv4Address root_ip{198, 41, 0, 4}, shop_ip{10, 0, 0, 53}, shop2_ip{10, 0, 0, 54},
    kiminje_ip{200, 200, 200, 53}, net_ip{10, 1, 0, 53}, elsewhere_ip{10, 2, 0, 53};
// Every server has an IPv6 address too (2001:db8:53::N), in AAAA records
// beside its A records; a resolver asking over IPv4 only never uses them.
wire::Ipv6Address v6(uint16_t n) {
    return wire::Ipv6Address::from_groups({0x2001, 0xdb8, 0x53, 0, 0, 0, 0, n});
}
const wire::Ipv6Address root6 = v6(4), shop6 = v6(0x53), shop2_6 = v6(0x54), kiminje6 = v6(0x200),
                        net6 = v6(0x1053), elsewhere6 = v6(0x2053);

struct Internet {
    std::map<wire::IpAddress, dns::Authority> servers;
    std::deque<dns::Resolver::Outgoing> in_flight;
    std::set<wire::IpAddress> silent;  // servers that never answer
    // Servers that answer wrongly: given the query and what the zone's
    // engine would answer, the reply to send instead.
    using Script = std::function<dns::Message(const dns::Message& query, dns::Message proper)>;
    std::map<wire::IpAddress, Script> scripted;
    Time now = Time::zero();
    std::vector<std::string> log;        // "server qname type" for every query delivered
    std::vector<dns::TraceEvent> trace;  // what the resolver's per-query trace said
    dns::Resolver resolver;

    // Queries over IPv4 only unless `families` says otherwise; the root hint
    // gives both of the root's addresses.
    explicit Internet(dns::QueryFamilies families = {})
        : resolver({.root_hints = {{*Name::parse("a.root-servers.net."), root_ip},
                                   {*Name::parse("a.root-servers.net."), root6}},
                    .families = families,
                    .trace = [this](const dns::TraceEvent& e) { trace.push_back(e); }},
                   base::Seed{5},
                   [this](const dns::Resolver::Outgoing& o) { in_flight.push_back(o); }) {
        add(root_ip, root6, R"($ORIGIN .
$TTL 86400
@ SOA a.root-servers.net. nstld.example. 1 1800 900 604800 86400
@ NS a.root-servers.net.
a.root-servers.net. A 198.41.0.4
a.root-servers.net. AAAA 2001:db8:53::4
shop. 172800 NS ns1.shop.
shop. 172800 NS ns2.shop.
ns1.shop. A 10.0.0.53
ns1.shop. AAAA 2001:db8:53::53
ns2.shop. A 10.0.0.54
ns2.shop. AAAA 2001:db8:53::54
net. NS ns.net.
ns.net. A 10.1.0.53
ns.net. AAAA 2001:db8:53::1053
)");
        const char* shop = R"($ORIGIN shop.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
@ NS ns2
ns1 A 10.0.0.53
ns1 AAAA 2001:db8:53::53
ns2 A 10.0.0.54
ns2 AAAA 2001:db8:53::54
kiminje NS ns1.kiminje
ns1.kiminje A 200.200.200.53
ns1.kiminje AAAA 2001:db8:53::200
glueless NS ns.elsewhere.net.
)";
        add(shop_ip, shop6, shop);
        add(shop2_ip, shop2_6, shop);
        add(kiminje_ip, kiminje6, R"($ORIGIN kiminje.shop.
$TTL 300
@ SOA ns1 hostmaster 1 7200 900 1209600 60
@ NS ns1
ns1 A 200.200.200.53
ns1 AAAA 2001:db8:53::200
@ A 200.200.200.2
@ AAAA 2001:db8:1::2
www CNAME @
cdn CNAME edge.glueless.shop.
loop1 CNAME loop2
loop2 CNAME loop1
)");
        add(net_ip, net6, R"($ORIGIN net.
$TTL 3600
@ SOA ns hostmaster 1 7200 900 1209600 300
@ NS ns
ns A 10.1.0.53
ns AAAA 2001:db8:53::1053
elsewhere NS ns.elsewhere
ns.elsewhere A 10.2.0.53
ns.elsewhere AAAA 2001:db8:53::2053
)");
        add(elsewhere_ip, elsewhere6, R"($ORIGIN elsewhere.net.
$TTL 3600
@ SOA ns hostmaster 1 7200 900 1209600 300
@ NS ns
ns A 10.2.0.53
ns AAAA 2001:db8:53::2053
)");
        // The glueless zone is served by ns.elsewhere.net too.
        const char* glueless = R"($ORIGIN glueless.shop.
$TTL 3600
@ SOA ns.elsewhere.net. hostmaster 1 7200 900 1209600 300
@ NS ns.elsewhere.net.
edge A 192.0.2.77
)";
        servers[elsewhere_ip].set_zone(zone(glueless));
        servers[elsewhere6].set_zone(zone(glueless));
    }

    void add(Ipv4Address ip, wire::Ipv6Address ip6, std::string_view text) {
        servers[ip].set_zone(zone(text));
        servers[ip6].set_zone(zone(text));
    }

    // Delivers queries (and timeouts) until nothing is in flight.
    void run(Duration limit = 60_s) {
        const Time end = now + limit;
        while (now < end) {
            if (!in_flight.empty()) {
                auto o = in_flight.front();
                in_flight.pop_front();
                auto q = dns::parse_message(o.query);
                log.push_back(o.server.to_string() + " " + q->questions[0].to_string());
                if (silent.contains(o.server)) continue;
                auto it = servers.find(o.server);
                if (it == servers.end()) continue;
                auto reply = it->second.handle(o.query, o.transport);
                if (const auto script = scripted.find(o.server); script != scripted.end() && reply)
                    reply =
                        dns::emit_message(script->second(*q, dns::parse_message(*reply).value()));
                now = now + 10_ms;
                if (reply) resolver.on_reply(o.token, o.server, 53, *reply, now);
                continue;
            }
            const Time next = resolver.next_deadline();
            if (next.is_never() || next > end) break;
            now = next;
            resolver.poll(now);
        }
    }

    dns::Resolution ask(std::string_view name, RrType type = RrType::a) {
        std::optional<dns::Resolution> result;
        resolver.resolve({*Name::parse(name), type, dns::RrClass::in}, now,
                         [&](const dns::Resolution& r) { result = r; });
        run();
        EXPECT_TRUE(result) << name << " never finished";
        return result.value_or(dns::Resolution{});
    }
};

std::vector<std::string> lines(const std::vector<dns::Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.to_string());
    return out;
}

TEST(Resolver, FollowsReferralsFromTheRootAndCaches) {
    Internet net;
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror);
    EXPECT_EQ(lines(r.answers), std::vector<std::string>{"kiminje.shop. 300 IN A 200.200.200.2"});
    EXPECT_EQ(r.queries, 3) << "root, then shop., then kiminje.shop.";
    EXPECT_EQ(net.log[0], "198.41.0.4 kiminje.shop. IN A");
    EXPECT_TRUE(net.log[1].ends_with(" kiminje.shop. IN A"));
    EXPECT_EQ(net.log[2], "200.200.200.53 kiminje.shop. IN A");
    EXPECT_FALSE(r.from_cache);
    net.now = net.now + 100_s;
    const auto again = net.ask("kiminje.shop.");
    EXPECT_TRUE(again.from_cache);
    EXPECT_EQ(again.queries, 0);
    EXPECT_EQ(again.answers[0].ttl, 200u) << "the TTL counts down in the cache";
    // After the TTL the answer is asked again, of the zone's server directly
    // (its NS records are still cached).
    net.now = net.now + 250_s;
    const auto later = net.ask("kiminje.shop.");
    EXPECT_FALSE(later.from_cache);
    EXPECT_EQ(later.queries, 1);
}

TEST(Resolver, NegativeAnswersAreCachedForTheSoaMinimum) {
    Internet net;
    const auto r = net.ask("nothing.kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::nxdomain);
    ASSERT_EQ(r.authority.size(), 1u);
    EXPECT_EQ(r.authority[0].ttl, 60u) << "min(SOA TTL 300, MINIMUM 60)";
    EXPECT_TRUE(net.ask("nothing.kiminje.shop.", RrType::mx).from_cache)
        << "NXDOMAIN covers every type";
    const auto nodata = net.ask("kiminje.shop.", RrType::mx);
    EXPECT_EQ(nodata.rcode, Rcode::noerror);
    EXPECT_TRUE(nodata.answers.empty());
    EXPECT_TRUE(net.ask("kiminje.shop.", RrType::mx).from_cache);
    net.now = net.now + 61_s;
    EXPECT_FALSE(net.ask("nothing.kiminje.shop.").from_cache) << "expired";
}

TEST(Resolver, ChasesCnamesInsideAndAcrossZones) {
    Internet net;
    const auto www = net.ask("www.kiminje.shop.");
    EXPECT_EQ(lines(www.answers),
              (std::vector<std::string>{"www.kiminje.shop. 300 IN CNAME kiminje.shop.",
                                        "kiminje.shop. 300 IN A 200.200.200.2"}));
    const auto cdn = net.ask("cdn.kiminje.shop.");
    ASSERT_EQ(cdn.answers.size(), 2u);
    EXPECT_EQ(cdn.answers[1].to_string(), "edge.glueless.shop. 3600 IN A 192.0.2.77");
    const auto loop = net.ask("loop1.kiminje.shop.");
    EXPECT_EQ(loop.rcode, Rcode::servfail);
    EXPECT_EQ(loop.failure, "the CNAME chain is too long");
}

// ns.elsewhere.net. has no glue in shop.: the resolver looks it up (root →
// net. → elsewhere.net.) and then asks it.
TEST(Resolver, LooksUpNameServersGivenWithoutGlue) {
    Internet net;
    const auto r = net.ask("edge.glueless.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_EQ(lines(r.answers),
              std::vector<std::string>{"edge.glueless.shop. 3600 IN A 192.0.2.77"});
    EXPECT_GE(r.queries, 4);
}

TEST(Resolver, ASilentServerTimesOutAndTheNextIsAsked) {
    Internet net;
    net.silent.insert(shop_ip);
    net.silent.insert(shop2_ip);
    net.resolver.cache().clear();
    // Both shop. servers silent: every try times out, and it gives up.
    const auto dead = net.ask("kiminje.shop.");
    EXPECT_EQ(dead.rcode, Rcode::servfail);
    EXPECT_GE(net.resolver.stats().timeouts, 4u) << "two servers, two rounds";
    net.silent.erase(shop2_ip);
    net.resolver.cache().clear();
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
}

// A forger who does not see the query: wrong ID, wrong port or wrong source.
TEST(Resolver, ForgedRepliesAreIgnored) {
    Internet net;
    std::optional<dns::Resolution> result;
    net.resolver.resolve({*Name::parse("kiminje.shop."), RrType::a, dns::RrClass::in}, net.now,
                         [&](const dns::Resolution& r) { result = r; });
    ASSERT_EQ(net.in_flight.size(), 1u);
    const auto real = net.in_flight.front();
    dns::Message forged;
    forged.qr = true;
    forged.questions.push_back({*Name::parse("kiminje.shop."), RrType::a, dns::RrClass::in});
    forged.answers.push_back({*Name::parse("kiminje.shop."), RrType::a, dns::RrClass::in, 86400,
                              dns::rdata::A{Ipv4Address{6, 6, 6, 6}}});
    const uint16_t real_id = dns::parse_message(real.query)->id;
    forged.id = static_cast<uint16_t>(real_id + 1);
    net.resolver.on_reply(real.token, root_ip, 53, dns::emit_message(forged), net.now);
    forged.id = real_id;
    net.resolver.on_reply(real.token, root_ip, 5353, dns::emit_message(forged), net.now);
    net.resolver.on_reply(real.token, Ipv4Address{6, 6, 6, 6}, 53, dns::emit_message(forged),
                          net.now);
    EXPECT_EQ(net.resolver.stats().mismatched, 3u);
    EXPECT_FALSE(result);
    net.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(lines(result->answers),
              std::vector<std::string>{"kiminje.shop. 300 IN A 200.200.200.2"});
}

// A server for shop. that also claims things about other zones: not believed.
TEST(Resolver, OutOfBailiwickRecordsAreDropped) {
    Internet net;
    net.servers[shop_ip].set_zone(zone(R"($ORIGIN shop.
$TTL 3600
@ SOA ns1 hostmaster 1 7200 900 1209600 300
@ NS ns1
ns1 A 10.0.0.53
kiminje NS ns.bank.example.
)"));
    // Its referral names a server in another zone and "glue" for it, which
    // the shop. server has no say over; this server's zone file cannot even
    // hold it, so forge the reply by hand.
    std::optional<dns::Resolution> result;
    net.resolver.resolve({*Name::parse("www.kiminje.shop."), RrType::a, dns::RrClass::in}, net.now,
                         [&](const dns::Resolution& r) { result = r; });
    // Root answers normally.
    auto q = net.in_flight.front();
    net.in_flight.pop_front();
    net.resolver.on_reply(q.token, root_ip, 53, *net.servers[root_ip].handle(q.query, q.transport),
                          net.now);
    q = net.in_flight.front();
    net.in_flight.pop_front();
    auto query = dns::parse_message(q.query);
    dns::Message evil;
    evil.id = query->id;
    evil.qr = true;
    evil.questions = query->questions;
    evil.authority.push_back({*Name::parse("kiminje.shop."), RrType::ns, dns::RrClass::in, 3600,
                              dns::rdata::Ns{*Name::parse("ns.bank.example.")}});
    evil.additional.push_back({*Name::parse("ns.bank.example."), RrType::a, dns::RrClass::in, 86400,
                               dns::rdata::A{Ipv4Address{6, 6, 6, 6}}});
    evil.additional.push_back({*Name::parse("www.bank.example."), RrType::a, dns::RrClass::in,
                               86400, dns::rdata::A{Ipv4Address{6, 6, 6, 6}}});
    net.resolver.on_reply(q.token, q.server, 53, dns::emit_message(evil), net.now);
    EXPECT_EQ(net.resolver.stats().out_of_bailiwick, 2u);
    EXPECT_FALSE(net.resolver.cache().get(*Name::parse("www.bank.example."), RrType::a, net.now));
    EXPECT_FALSE(net.resolver.cache().get(*Name::parse("ns.bank.example."), RrType::a, net.now));
    net.run();
}

TEST(Resolver, TruncatedRepliesAreAskedAgainOverTcp) {
    Internet net;
    std::string big =
        "$ORIGIN kiminje.shop.\n$TTL 300\n@ SOA ns1 h 1 1 1 1 60\n@ NS ns1\n"
        "ns1 A 200.200.200.53\n";
    for (int i = 0; i < 100; ++i)  // 100 × 16 octets: more than the 1,232 EDNS offers
        big += "many A 192.0.2." + std::to_string(i + 1) + "\n";
    net.servers[kiminje_ip].set_zone(zone(big));
    const auto r = net.ask("many.kiminje.shop.");
    EXPECT_EQ(r.answers.size(), 100u);
    EXPECT_EQ(net.resolver.stats().truncated, 1u);
}

TEST(Resolver, RootHintsAreReadFromAMasterFile) {
    auto hints = dns::parse_root_hints(
        ".  3600000 NS A.ROOT-SERVERS.NET.\nA.ROOT-SERVERS.NET. 3600000 A 198.41.0.4\n"
        "A.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:ba3e::2:30\n",
        "named.root");
    ASSERT_TRUE(hints) << hints.error();
    ASSERT_EQ(hints->size(), 2u) << "the A and the AAAA record";
    EXPECT_EQ((*hints)[0].address, root_ip);
    EXPECT_EQ((*hints)[1].address,
              wire::IpAddress(*wire::Ipv6Address::parse("2001:503:ba3e::2:30")));
    // A hints file with only AAAA records is enough.
    auto six = dns::parse_root_hints(
        ".  3600000 NS A.ROOT-SERVERS.NET.\nA.ROOT-SERVERS.NET. 3600000 AAAA 2001:503:ba3e::2:30\n",
        "named6.root");
    ASSERT_TRUE(six) << six.error();
    EXPECT_TRUE((*six)[0].address.is_v6());
    EXPECT_FALSE(dns::parse_root_hints("; nothing\n", "empty.hints"));
}

// The same internet asked over IPv6 only: every query goes to a server's
// IPv6 address, from the root hint's AAAA through the AAAA glue of each
// referral, and a server named without glue is looked up by AAAA.
TEST(Resolver, AsksOverIpv6AloneWhenThatIsAllItHas) {
    Internet net(dns::QueryFamilies{.ipv4 = false, .ipv6 = true});
    const auto r = net.ask("kiminje.shop.", RrType::aaaa);
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_EQ(lines(r.answers),
              std::vector<std::string>{"kiminje.shop. 300 IN AAAA 2001:db8:1::2"});
    ASSERT_EQ(net.log.size(), 3u);
    EXPECT_EQ(net.log[0], "2001:db8:53::4 kiminje.shop. IN AAAA");
    EXPECT_EQ(net.log[2], "2001:db8:53::200 kiminje.shop. IN AAAA");
    const auto edge = net.ask("edge.glueless.shop.");
    EXPECT_EQ(edge.rcode, Rcode::noerror) << edge.failure;
    bool asked_aaaa_of_server = false;
    for (const std::string& line : net.log) {
        const std::string server = line.substr(0, line.find(' '));
        EXPECT_TRUE(wire::Ipv6Address::parse(server)) << "asked over IPv4: " << line;
        if (line.ends_with("ns.elsewhere.net. IN AAAA")) asked_aaaa_of_server = true;
    }
    EXPECT_TRUE(asked_aaaa_of_server) << "the glueless server's address, by AAAA";
}

// Dual-stack: a server's IPv6 address first; when that is silent, its IPv4
// address is the next one tried.
TEST(Resolver, DualStackTriesIpv6FirstThenIpv4) {
    Internet net(dns::QueryFamilies{.ipv4 = true, .ipv6 = true});
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_EQ(net.log[0], "2001:db8:53::4 kiminje.shop. IN A");
    EXPECT_EQ(net.log[1], "2001:db8:53::53 kiminje.shop. IN A") << "ns1.shop.'s AAAA glue";

    Internet broken(dns::QueryFamilies{.ipv4 = true, .ipv6 = true});
    broken.silent.insert(root6);
    const auto fallback = broken.ask("kiminje.shop.");
    EXPECT_EQ(fallback.rcode, Rcode::noerror) << fallback.failure;
    ASSERT_GE(broken.log.size(), 2u);
    EXPECT_EQ(broken.log[0], "2001:db8:53::4 kiminje.shop. IN A");
    EXPECT_EQ(broken.log[1], "198.41.0.4 kiminje.shop. IN A");
    EXPECT_EQ(broken.resolver.stats().timeouts, 1u);
}

// A resolver with IPv4 alone and servers reachable only over IPv6 (root
// hints with AAAA records only) cannot start: it says so, sends nothing.
TEST(Resolver, ServersOfAFamilyItCannotUseAreNotAsked) {
    Internet net;
    dns::Resolver only6({.root_hints = {{*Name::parse("a.root-servers.net."), root6}}},
                        base::Seed{1},
                        [&](const dns::Resolver::Outgoing& o) { net.in_flight.push_back(o); });
    std::optional<dns::Resolution> result;
    only6.resolve({*Name::parse("kiminje.shop."), RrType::a, dns::RrClass::in}, net.now,
                  [&](const dns::Resolution& r) { result = r; });
    ASSERT_TRUE(result);
    EXPECT_EQ(result->rcode, Rcode::servfail);
    EXPECT_TRUE(net.in_flight.empty());
}

// Issue 19, 14: the per-query trace says each step — what was asked of
// whom, what came back, what was decided — as values.
TEST(Resolver, TracesEveryStepOfAResolution) {
    Internet net;
    net.ask("www.kiminje.shop.");
    std::vector<std::string> steps;
    for (const dns::TraceEvent& e : net.trace)
        steps.push_back(std::string(dns::to_string(e.step)) + " " + e.zone.to_string());
    EXPECT_EQ(steps, (std::vector<std::string>{"query_sent .", "referral .", "query_sent shop.",
                                               "referral shop.", "query_sent kiminje.shop.",
                                               "cname kiminje.shop.", "answer kiminje.shop.",
                                               "done kiminje.shop."}));
    EXPECT_EQ(net.trace[0].server, wire::IpAddress{root_ip});
    EXPECT_EQ(net.trace[1].detail, "shop.");
    EXPECT_EQ(net.trace[3].detail, "kiminje.shop.");
    EXPECT_EQ(net.trace[4].server, wire::IpAddress{kiminje_ip});
    EXPECT_EQ(net.trace[5].detail, "kiminje.shop.") << "the CNAME's target";
    EXPECT_EQ(net.trace[6].question.name, *Name::parse("www.kiminje.shop.")) << "as sent";
    // A timeout and the next server, in the trace too.
    net.trace.clear();
    net.silent.insert(kiminje_ip);
    net.resolver.cache().clear();
    const auto dead = net.ask("kiminje.shop.");
    EXPECT_EQ(dead.rcode, Rcode::servfail);
    EXPECT_TRUE(std::any_of(net.trace.begin(), net.trace.end(), [](const dns::TraceEvent& e) {
        return e.step == dns::TraceStep::timeout && e.server == wire::IpAddress{kiminje_ip};
    }));
    EXPECT_EQ(net.trace.back().step, dns::TraceStep::done);
}

// Issue 19, 2: a referral that carries the AA bit is still a referral
// (NS without SOA, RFC 2308 §2.2), and is followed.
TEST(Resolver, AReferralWithTheAaBitIsFollowed) {
    Internet net;
    for (const wire::IpAddress& shop : {wire::IpAddress{shop_ip}, wire::IpAddress{shop2_ip}}) {
        net.scripted[shop] = [](const dns::Message&, dns::Message proper) {
            proper.aa = true;
            return proper;
        };
    }
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_EQ(lines(r.answers), std::vector<std::string>{"kiminje.shop. 300 IN A 200.200.200.2"});
    EXPECT_EQ(net.log.back(), "200.200.200.53 kiminje.shop. IN A");
}

// Issue 19, 2: a server that refers upward (to the root) is lame: the next
// server is asked; when every one does that, SERVFAIL — never an empty
// NOERROR, AA bit or not.
TEST(Resolver, AnUpwardReferralMarksALameServer) {
    const auto upward = [](const dns::Message& query, dns::Message) {
        dns::Message m;
        m.id = query.id;
        m.qr = true;
        m.aa = true;
        m.questions = query.questions;
        m.authority.push_back(
            dns::Record{.name = Name{},
                        .type = RrType::ns,
                        .ttl = 3600,
                        .data = dns::rdata::Ns{*Name::parse("a.root-servers.net.")}});
        return m;
    };
    Internet net;
    net.scripted[shop_ip] = upward;
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_EQ(lines(r.answers), std::vector<std::string>{"kiminje.shop. 300 IN A 200.200.200.2"});
    EXPECT_EQ(net.resolver.stats().lame, 1u);
    const auto asked = [&](Ipv4Address ip) {
        return std::count_if(net.log.begin(), net.log.end(), [&](const std::string& l) {
            return l.starts_with(wire::IpAddress{ip}.to_string() + " ");
        });
    };
    EXPECT_EQ(asked(shop_ip) + asked(shop2_ip), 2) << "the lame one, then the other";

    Internet all_lame;
    all_lame.scripted[shop_ip] = upward;
    all_lame.scripted[shop2_ip] = upward;
    const auto dead = all_lame.ask("kiminje.shop.");
    EXPECT_EQ(dead.rcode, Rcode::servfail);
    EXPECT_TRUE(dead.answers.empty());
}

// Issue 19, 11: an authoritative answer holding only records of another
// type (and the zone's NS beside them, as BIND sends) is "no data": an
// empty NOERROR, not a referral, not SERVFAIL.
TEST(Resolver, AnAnswerOfAnotherTypeOnlyIsNoData) {
    Internet net;
    net.scripted[kiminje_ip] = [](const dns::Message& query, dns::Message proper) {
        if (query.questions[0].type != RrType::a) return proper;
        dns::Message m;
        m.id = query.id;
        m.qr = true;
        m.aa = true;
        m.questions = query.questions;
        m.answers.push_back(dns::Record{.name = query.questions[0].name,
                                        .type = RrType::txt,
                                        .ttl = 300,
                                        .data = dns::rdata::Txt{{"not an address"}}});
        m.authority.push_back(
            dns::Record{.name = *Name::parse("kiminje.shop."),
                        .type = RrType::ns,
                        .ttl = 300,
                        .data = dns::rdata::Ns{*Name::parse("ns1.kiminje.shop.")}});
        return m;
    };
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::noerror) << r.failure;
    EXPECT_TRUE(r.answers.empty());
    EXPECT_EQ(net.resolver.stats().lame, 0u);
}

// Issue 19, 13: the only root server silent — it is asked the question
// (two rounds), and never for its own address on top.
TEST(Resolver, ALoneFailedRootIsNotAskedForItsOwnAddress) {
    Internet net;
    net.silent.insert(root_ip);
    const auto r = net.ask("kiminje.shop.");
    EXPECT_EQ(r.rcode, Rcode::servfail);
    EXPECT_EQ(net.log, (std::vector<std::string>{"198.41.0.4 kiminje.shop. IN A",
                                                 "198.41.0.4 kiminje.shop. IN A"}));
}

// Issue 19, 8: CD and DO come back as the client set them (RFC 4035
// §3.2.2, RFC 3225 §3).
TEST(Recursor, CopiesTheCdAndDoBitsIntoTheResponse) {
    Internet net;
    std::deque<dns::Resolver::Outgoing> out;
    dns::Recursor recursor(
        {.resolver = {.root_hints = {{*Name::parse("a.root-servers.net."), root_ip}}}},
        base::Seed{9}, [&](const dns::Resolver::Outgoing& o) { out.push_back(o); });
    for (bool set : {true, false}) {
        dns::Message query;
        query.id = 77;
        query.rd = true;
        query.cd = set;
        query.questions.push_back({*Name::parse("kiminje.shop."), RrType::a, dns::RrClass::in});
        query.edns = dns::Edns{.dnssec_ok = set};
        std::optional<dns::Message> response;
        recursor.handle(
            dns::emit_message(query), dns::Transport::udp,
            wire::IpAddress{Ipv4Address{127, 0, 0, 1}}, net.now,
            [&](std::vector<std::byte> b) { response = dns::parse_message(b).value(); });
        while (!out.empty()) {
            const auto o = out.front();
            out.pop_front();
            auto reply = net.servers.at(o.server).handle(o.query, o.transport);
            ASSERT_TRUE(reply);
            recursor.resolver().on_reply(o.token, o.server, 53, *reply, net.now);
        }
        ASSERT_TRUE(response);
        EXPECT_EQ(response->rcode, Rcode::noerror);
        EXPECT_EQ(response->answers.size(), 1u);
        EXPECT_EQ(response->cd, set);
        ASSERT_TRUE(response->edns);
        EXPECT_EQ(response->edns->dnssec_ok, set);
    }
}

// Issue 19, 9: RD clear — the cache answers, or refers to the closest zone
// it knows (the root hints when it knows none); nothing is sent upstream.
TEST(Recursor, WithoutRdAnswersFromTheCacheAlone) {
    Internet net;
    std::deque<dns::Resolver::Outgoing> out;
    dns::Recursor recursor(
        {.resolver = {.root_hints = {{*Name::parse("a.root-servers.net."), root_ip}}}},
        base::Seed{9}, [&](const dns::Resolver::Outgoing& o) { out.push_back(o); });
    auto ask = [&](const char* name, bool rd) {
        dns::Message query;
        query.id = 5;
        query.rd = rd;
        query.questions.push_back({*Name::parse(name), RrType::a, dns::RrClass::in});
        std::optional<dns::Message> response;
        recursor.handle(
            dns::emit_message(query), dns::Transport::udp,
            wire::IpAddress{Ipv4Address{127, 0, 0, 1}}, net.now,
            [&](std::vector<std::byte> b) { response = dns::parse_message(b).value(); });
        size_t sent = 0;
        while (!out.empty()) {
            const auto o = out.front();
            out.pop_front();
            ++sent;
            auto reply = net.servers.at(o.server).handle(o.query, o.transport);
            recursor.resolver().on_reply(o.token, o.server, 53, *reply, net.now);
        }
        EXPECT_TRUE(response) << name;
        return std::pair{response.value_or(dns::Message{}), sent};
    };
    const auto [cold, cold_sent] = ask("kiminje.shop.", false);
    EXPECT_EQ(cold_sent, 0u);
    EXPECT_EQ(cold.rcode, Rcode::noerror);
    EXPECT_TRUE(cold.answers.empty());
    EXPECT_FALSE(cold.rd);
    EXPECT_EQ(lines(cold.authority),
              std::vector<std::string>{". 3600000 IN NS a.root-servers.net."})
        << "the root hints";
    EXPECT_EQ(lines(cold.additional),
              std::vector<std::string>{"a.root-servers.net. 3600000 IN A 198.41.0.4"});

    const auto [resolved, resolved_sent] = ask("kiminje.shop.", true);
    EXPECT_EQ(resolved_sent, 3u);
    const auto [cached, cached_sent] = ask("kiminje.shop.", false);
    EXPECT_EQ(cached_sent, 0u);
    EXPECT_EQ(lines(cached.answers),
              std::vector<std::string>{"kiminje.shop. 300 IN A 200.200.200.2"});
    // A name below it not cached: a referral to kiminje.shop.'s server.
    const auto [referral, referral_sent] = ask("other.kiminje.shop.", false);
    EXPECT_EQ(referral_sent, 0u);
    EXPECT_TRUE(referral.answers.empty());
    EXPECT_EQ(lines(referral.authority),
              std::vector<std::string>{"kiminje.shop. 3600 IN NS ns1.kiminje.shop."});
    EXPECT_EQ(lines(referral.additional),
              std::vector<std::string>{"ns1.kiminje.shop. 3600 IN A 200.200.200.53"});
    EXPECT_EQ(recursor.stats().cache_only, 3u);
}

}  // namespace
