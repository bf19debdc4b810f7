#include "dns/zone/zone.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace {

using dns::Name;
using dns::RrType;

Name name(std::string_view text) {
    return *Name::parse(text);
}

const char* const shop_zone = R"(; The seeds' TLD: it delegates kiminje.shop.
$ORIGIN shop.
$TTL 1d
@   IN  SOA ns1.shop. hostmaster.shop. (
            2026112101 ; serial
            2h         ; refresh
            15m        ; retry
            2w         ; expire
            300 )      ; minimum: negative answers live 5 minutes
    IN  NS  ns1
ns1     3600 IN A 10.0.0.53
kiminje IN 7200 NS ns1.kiminje      ; class then TTL also works
ns1.kiminje A 200.200.200.53         ; glue
info    TXT "minternet's \"shop\" TLD" plain \059semi
*.wild  A 192.0.2.1
deep.empty.nonterminal AAAA 2001:db8::1
)";

TEST(DnsZone, ReadsAMasterFileWithEveryFeature) {
    auto z = dns::parse_zone(shop_zone, "shop.zone");
    ASSERT_TRUE(z) << z.error().to_string();
    EXPECT_EQ(z->origin(), name("shop."));
    const dns::RRset* soa = z->soa();
    ASSERT_TRUE(soa);
    EXPECT_EQ(soa->ttl, 86400u) << "$TTL 1d";
    const auto& s = std::get<dns::rdata::Soa>(soa->rdatas[0]);
    EXPECT_EQ(s.serial, 2026112101u);
    EXPECT_EQ(s.refresh, 7200u);
    EXPECT_EQ(s.retry, 900u);
    EXPECT_EQ(s.expire, 1209600u);
    EXPECT_EQ(s.minimum, 300u);
    const dns::RRset* ns = z->find(name("shop."), RrType::ns);
    ASSERT_TRUE(ns) << "the owner was omitted: the SOA's";
    EXPECT_EQ(std::get<dns::rdata::Ns>(ns->rdatas[0]).host, name("ns1.shop."));
    EXPECT_EQ(z->find(name("ns1.shop."), RrType::a)->ttl, 3600u);
    EXPECT_EQ(z->find(name("kiminje.shop."), RrType::ns)->ttl, 7200u);
    const dns::RRset* txt = z->find(name("info.shop."), RrType::txt);
    ASSERT_TRUE(txt);
    EXPECT_EQ(std::get<dns::rdata::Txt>(txt->rdatas[0]).strings,
              (std::vector<std::string>{"minternet's \"shop\" TLD", "plain", ";semi"}));
    EXPECT_TRUE(z->find(name("*.wild.shop."), RrType::a));
    EXPECT_TRUE(z->exists(name("empty.nonterminal.shop.")))
        << "no records of its own, but a descendant: it exists";
    EXPECT_FALSE(z->has_records(name("empty.nonterminal.shop.")));
    EXPECT_FALSE(z->exists(name("missing.shop.")));
    EXPECT_EQ(z->record_count(), 8u);
}

TEST(DnsZone, TtlsTakeUnits) {
    EXPECT_EQ(dns::parse_ttl("3600"), 3600u);
    EXPECT_EQ(dns::parse_ttl("1h30m"), 5400u);
    EXPECT_EQ(dns::parse_ttl("1W2D"), 777600u);
    EXPECT_EQ(dns::parse_ttl("2147483647"), 2147483647u);
    EXPECT_FALSE(dns::parse_ttl("2147483648")) << "RFC 2181 §8: 31 bits";
    EXPECT_FALSE(dns::parse_ttl("1h30"));
    EXPECT_FALSE(dns::parse_ttl("h"));
    EXPECT_FALSE(dns::parse_ttl("1x"));
    EXPECT_FALSE(dns::parse_ttl(""));
}

TEST(DnsZone, IncludeReadsAnotherFileWithItsOwnOrigin) {
    const auto dir = std::filesystem::temp_directory_path() / "minternet-zone-include";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "hosts.inc") << "www A 192.0.2.80\nmail A 192.0.2.25\n";
    std::ofstream(dir / "main.zone")
        << "$ORIGIN example.\n$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\n"
           "$INCLUDE hosts.inc sub.example.\nafter A 192.0.2.99\n";
    auto z = dns::load_zone((dir / "main.zone").string());
    ASSERT_TRUE(z) << z.error().to_string();
    EXPECT_TRUE(z->find(name("www.sub.example."), RrType::a));
    EXPECT_TRUE(z->find(name("mail.sub.example."), RrType::a));
    EXPECT_TRUE(z->find(name("after.example."), RrType::a)) << "the origin is back after it";
    std::filesystem::remove_all(dir);
}

struct Bad {
    std::string text;
    int line, column;
    std::string message;
};

TEST(DnsZone, MistakesAreReportedWithTheirPlace) {
    const std::string head = "$ORIGIN example.\n$TTL 300\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n";
    const std::vector<Bad> cases = {
        {head + "www BOGUS 1.2.3.4\n", 5, 5, "'BOGUS' is not a record type"},
        {head + "www A 1.2.3\n", 5, 7, "'1.2.3' is not an IPv4 address"},
        {head + "www A 1.2.3.4 5.6.7.8\n", 5, 7, "A takes 1 (an IPv4 address), not 2 fields"},
        {head + "www A\n", 5, 5, "A record with no data"},
        {head + "x SOA ( a b 1 2\n", 5, 7, "this '(' is never closed"},
        {head + "x TXT \"unterminated\n", 5, 7, "closing '\"' is missing"},
        {head + "www A 1.2.3.4\nwww CNAME other\n", 6, 1,
         "a CNAME at www.example., which has other records"},
        {head + "www.other. A 1.2.3.4\n", 5, 1, "www.other. is outside the zone example."},
        {head + "www 99999999999 A 1.2.3.4\n", 5, 5, "'99999999999' is not a TTL"},
        {head + "$INCLUDE /nonexistent/file\n", 5, 10, "cannot open '/nonexistent/file'"},
        {head + "$GENERATE 1-10 x A 1.2.3.4\n", 5, 1, "unknown directive '$GENERATE'"},
        {head + "www MX ten mail\n", 5, 8, "the preference 'ten' is not a number from 0 to 65535"},
        {head + "www CH A 1.2.3.4\n", 5, 8, "class CH in a zone of class IN"},
        {head + ")\n", 5, 1, "a ')' with no '(' before it"},
        {"$ORIGIN example.\n@ SOA ns hm 1 2 3 4 5\n", 2, 3,
         "no TTL on this record and no $TTL before it"},
        {"www A 1.2.3.4\n", 1, 1, "no origin"},
        {"$ORIGIN example.\n$TTL 300\n@ NS ns\n", 1, 1, "has no SOA record"},
    };
    for (const Bad& b : cases) {
        auto z = dns::parse_zone(b.text, "bad.zone");
        ASSERT_FALSE(z) << b.text;
        EXPECT_EQ(z.error().file, "bad.zone");
        EXPECT_EQ(z.error().line, b.line) << z.error().to_string();
        EXPECT_EQ(z.error().column, b.column) << z.error().to_string();
        EXPECT_NE(z.error().message.find(b.message), std::string::npos) << z.error().to_string();
    }
}

TEST(DnsZone, UpdatesKeepTheRules) {
    auto z = dns::parse_zone(shop_zone, "shop.zone");
    ASSERT_TRUE(z);
    const dns::Record a{name("new.shop."), RrType::a, dns::RrClass::in, 60,
                        dns::rdata::A{wire::Ipv4Address{192, 0, 2, 7}}};
    ASSERT_TRUE(z->add(a));
    ASSERT_TRUE(z->add(a)) << "a duplicate is dropped, not an error";
    EXPECT_EQ(z->find(name("new.shop."), RrType::a)->rdatas.size(), 1u);
    EXPECT_FALSE(z->add({name("new.shop."), RrType::cname, dns::RrClass::in, 60,
                         dns::rdata::Cname{name("x.shop.")}}));
    EXPECT_TRUE(z->remove(a));
    EXPECT_FALSE(z->has_records(name("new.shop.")));
    EXPECT_EQ(z->remove_all(name("ns1.kiminje.shop."), RrType::any), 1u);
}

}  // namespace
