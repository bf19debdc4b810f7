// The authoritative engine, query by query. The expected sections are what
// NSD 4.6 answered for the same zone (checked by hand with dig; the
// differential test against NSD itself runs many more).
#include "dns/auth/authority.hpp"

#include <gtest/gtest.h>

namespace {

using dns::Message;
using dns::Name;
using dns::Rcode;
using dns::RrType;

const char* const shop_zone = R"($ORIGIN shop.
$TTL 1d
@   IN  SOA ns1.shop. hostmaster.shop. 2026112101 2h 15m 2w 300
    IN  NS  ns1
    IN  MX 10 mail
ns1     3600 IN A 10.0.0.53
mail    A 10.0.0.25
kiminje IN 7200 NS ns1.kiminje
ns1.kiminje A 200.200.200.53
info    TXT "hello"
info    A 10.0.0.7
www     CNAME info
out     CNAME www.example.
loop1   CNAME loop2
loop2   CNAME loop1
*.wild  A 192.0.2.1
deep.empty.nonterminal AAAA 2001:db8::1
big     TXT "0123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "1123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "2123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "3123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "4123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "5123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "6123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT "7123456789012345678901234567890123456789012345678901234567890123456789"
)";

struct Fixture : ::testing::Test {
    dns::Authority auth{{.allow_update = {wire::Ipv4Address{127, 0, 0, 1}}}};
    Fixture() { auth.set_zone(*dns::parse_zone(shop_zone, "shop.zone")); }

    Message ask(std::string_view qname, RrType type, bool edns = true) {
        Message q;
        q.id = 42;
        q.questions.push_back({*Name::parse(qname), type, dns::RrClass::in});
        if (edns) q.edns = dns::Edns{};
        return auth.answer(q);
    }
};

std::vector<std::string> lines(const std::vector<dns::Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.to_string());
    return out;
}

using Lines = std::vector<std::string>;

TEST_F(Fixture, AnAnswerCarriesTheApexNsAndItsAddresses) {
    const Message r = ask("info.shop.", RrType::a);
    EXPECT_EQ(r.rcode, Rcode::noerror);
    EXPECT_TRUE(r.aa);
    EXPECT_EQ(r.id, 42);
    EXPECT_EQ(lines(r.answers), Lines{"info.shop. 86400 IN A 10.0.0.7"});
    EXPECT_EQ(lines(r.authority), Lines{"shop. 86400 IN NS ns1.shop."});
    EXPECT_EQ(lines(r.additional), Lines{"ns1.shop. 3600 IN A 10.0.0.53"});
}

TEST_F(Fixture, CnamesAreFollowedInsideTheZone) {
    const Message r = ask("WWW.shop.", RrType::a);
    EXPECT_EQ(lines(r.answers),
              (Lines{"www.shop. 86400 IN CNAME info.shop.", "info.shop. 86400 IN A 10.0.0.7"}));
    const Message out = ask("out.shop.", RrType::a);
    EXPECT_EQ(lines(out.answers), Lines{"out.shop. 86400 IN CNAME www.example."})
        << "a target outside the zone is the resolver's to follow";
    const Message loop = ask("loop1.shop.", RrType::a);
    EXPECT_EQ(loop.answers.size(), 2u) << "a loop stops where it meets itself";
    const Message self = ask("www.shop.", RrType::cname);
    EXPECT_EQ(lines(self.answers), Lines{"www.shop. 86400 IN CNAME info.shop."});
}

TEST_F(Fixture, BelowACutIsAReferralWithGlue) {
    for (const char* q : {"kiminje.shop.", "x.kiminje.shop."}) {
        const Message r = ask(q, RrType::a);
        EXPECT_EQ(r.rcode, Rcode::noerror) << q;
        EXPECT_FALSE(r.aa) << q;
        EXPECT_TRUE(r.answers.empty()) << q;
        EXPECT_EQ(lines(r.authority), Lines{"kiminje.shop. 7200 IN NS ns1.kiminje.shop."});
        EXPECT_EQ(lines(r.additional), Lines{"ns1.kiminje.shop. 86400 IN A 200.200.200.53"});
    }
}

TEST_F(Fixture, MissingNamesAndTypesGetTheSoaForNegativeCaching) {
    const std::string soa =
        "shop. 300 IN SOA ns1.shop. hostmaster.shop. 2026112101 7200 900 1209600 300";
    const Message nx = ask("nope.shop.", RrType::a);
    EXPECT_EQ(nx.rcode, Rcode::nxdomain);
    EXPECT_TRUE(nx.aa);
    EXPECT_EQ(lines(nx.authority), Lines{soa}) << "TTL: the lesser of 86400 and MINIMUM 300";
    const Message nodata = ask("info.shop.", RrType::mx);
    EXPECT_EQ(nodata.rcode, Rcode::noerror);
    EXPECT_TRUE(nodata.answers.empty());
    EXPECT_EQ(lines(nodata.authority), Lines{soa});
    const Message ent = ask("empty.nonterminal.shop.", RrType::a);
    EXPECT_EQ(ent.rcode, Rcode::noerror) << "an empty non-terminal exists";
    EXPECT_EQ(lines(ent.authority), Lines{soa});
}

TEST_F(Fixture, WildcardsSynthesizeTheNameAsked) {
    const Message r = ask("anything.wild.shop.", RrType::a);
    EXPECT_EQ(lines(r.answers), Lines{"anything.wild.shop. 86400 IN A 192.0.2.1"});
    const Message deeper = ask("a.b.wild.shop.", RrType::a);
    EXPECT_EQ(lines(deeper.answers), Lines{"a.b.wild.shop. 86400 IN A 192.0.2.1"});
    const Message nodata = ask("x.wild.shop.", RrType::txt);
    EXPECT_EQ(nodata.rcode, Rcode::noerror);
    EXPECT_TRUE(nodata.answers.empty());
    // RFC 4592 §2.2.1: the wildcard does not match below an existing name.
    const Message blocked = ask("x.deep.empty.nonterminal.shop.", RrType::a);
    EXPECT_EQ(blocked.rcode, Rcode::nxdomain);
}

TEST_F(Fixture, MxAnswersBringTheMailServersAddress) {
    const Message r = ask("shop.", RrType::mx);
    EXPECT_EQ(lines(r.answers), Lines{"shop. 86400 IN MX 10 mail.shop."});
    EXPECT_EQ(lines(r.additional),
              (Lines{"mail.shop. 86400 IN A 10.0.0.25", "ns1.shop. 3600 IN A 10.0.0.53"}));
    const Message ns = ask("shop.", RrType::ns);
    EXPECT_TRUE(ns.authority.empty()) << "the NS are the answer already";
}

TEST_F(Fixture, AnyGetsOneRRset) {
    const Message r = ask("info.shop.", RrType::any);
    EXPECT_EQ(lines(r.answers), Lines{"info.shop. 86400 IN A 10.0.0.7"});
    EXPECT_TRUE(r.authority.empty());
}

TEST_F(Fixture, OutsideTheZonesIsRefusedWithAnExtendedError) {
    const Message r = ask("example.com.", RrType::a);
    EXPECT_EQ(r.rcode, Rcode::refused);
    EXPECT_FALSE(r.aa);
    ASSERT_TRUE(r.edns);
    ASSERT_EQ(r.edns->options.size(), 1u);
    EXPECT_EQ(r.edns->options[0].code, 15);
    EXPECT_EQ(r.edns->options[0].data, (std::vector<std::byte>{std::byte{0}, std::byte{20}}));
    EXPECT_EQ(ask("shop.", RrType::axfr).rcode, Rcode::refused) << "no zone transfers";
}

TEST_F(Fixture, TooBigForUdpIsTruncatedAndWholeOverTcp) {
    Message q;
    q.id = 7;
    q.questions.push_back({*Name::parse("big.shop."), RrType::txt, dns::RrClass::in});
    const auto query = dns::emit_message(q);
    auto udp = auth.handle(query, dns::Transport::udp);
    ASSERT_TRUE(udp);
    EXPECT_LE(udp->size(), 512u);
    auto u = dns::parse_message(*udp);
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tc);
    EXPECT_TRUE(u->answers.empty());
    auto tcp = auth.handle(query, dns::Transport::tcp);
    auto t = dns::parse_message(*tcp);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->tc);
    EXPECT_EQ(t->answers.size(), 8u);
    // With EDNS the client offers more room, and it fits.
    q.edns = dns::Edns{.udp_size = 4096};
    auto big = dns::parse_message(*auth.handle(dns::emit_message(q), dns::Transport::udp));
    EXPECT_FALSE(big->tc);
    EXPECT_EQ(big->answers.size(), 8u);
}

TEST_F(Fixture, BrokenQueriesGetFormerrAndResponsesNothing) {
    const std::vector<std::byte> garbage = {
        std::byte{0x12}, std::byte{0x34}, std::byte{0x01}, std::byte{0x00}, std::byte{0},
        std::byte{1},    std::byte{0},    std::byte{0},    std::byte{0},    std::byte{0},
        std::byte{0},    std::byte{0},    std::byte{0xc0}};
    auto r = auth.handle(garbage, dns::Transport::udp);
    ASSERT_TRUE(r);
    auto m = dns::parse_message(*r);
    EXPECT_EQ(m->rcode, Rcode::formerr);
    EXPECT_EQ(m->id, 0x1234);
    auto response = garbage;
    response[2] = std::byte{0x81};
    EXPECT_FALSE(auth.handle(response, dns::Transport::udp)) << "never answer a response";
    EXPECT_FALSE(auth.handle(base::ByteSpan(garbage).first(5), dns::Transport::udp));
    Message v1;
    v1.questions.push_back({*Name::parse("shop."), RrType::a, dns::RrClass::in});
    v1.edns = dns::Edns{.version = 1};
    EXPECT_EQ(auth.answer(v1).rcode, Rcode::badvers);
}

// RFC 2136: the server's address changes, and the next answer says so.
TEST_F(Fixture, DynamicUpdateChangesTheZoneAndTheSerial) {
    Message u;
    u.id = 9;
    u.opcode = dns::Opcode::update;
    u.questions.push_back({*Name::parse("shop."), RrType::soa, dns::RrClass::in});
    // Prerequisite: info.shop. has an A RRset.
    u.answers.push_back(
        {*Name::parse("info.shop."), RrType::a, dns::RrClass::any, 0, dns::rdata::Opaque{}});
    // Delete it, add the new address.
    u.authority.push_back(
        {*Name::parse("info.shop."), RrType::a, dns::RrClass::any, 0, dns::rdata::Opaque{}});
    u.authority.push_back({*Name::parse("info.shop."), RrType::a, dns::RrClass::in, 60,
                           dns::rdata::A{wire::Ipv4Address{10, 0, 0, 8}}});
    // Round trip through the wire, as a real update would arrive.
    auto wire_reply =
        auth.handle(dns::emit_message(u), dns::Transport::udp, wire::Ipv4Address{127, 0, 0, 1});
    auto reply = dns::parse_message(*wire_reply);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->rcode, Rcode::noerror);
    EXPECT_EQ(lines(ask("info.shop.", RrType::a).answers), Lines{"info.shop. 60 IN A 10.0.0.8"});
    const auto& soa = std::get<dns::rdata::Soa>(auth.zone(*Name::parse("shop."))->soa()->rdatas[0]);
    EXPECT_EQ(soa.serial, 2026112102u);
    // From an address not allowed: refused. A failed prerequisite: NXRRSET.
    EXPECT_EQ(auth.answer(u, wire::Ipv4Address{10, 9, 9, 9}).rcode, Rcode::refused);
    u.answers[0].name = *Name::parse("nothing.shop.");
    EXPECT_EQ(auth.answer(u, wire::Ipv4Address{127, 0, 0, 1}).rcode, Rcode::nxrrset);
}

}  // namespace
