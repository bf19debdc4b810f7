#include "dns/wire/name.hpp"

#include <gtest/gtest.h>

namespace {

using dns::Name;

Name name(std::string_view text) {
    auto n = Name::parse(text);
    EXPECT_TRUE(n) << text << ": " << (n ? "" : n.error());
    return n ? *n : Name{};
}

TEST(DnsName, ParsesAndPrintsAsWritten) {
    const Name n = name("KimInje.Shop.");
    EXPECT_EQ(n.to_string(), "KimInje.Shop.");
    EXPECT_EQ(n.label_count(), 2u);
    EXPECT_EQ(n.label(0), "KimInje");
    EXPECT_EQ(n.label(1), "Shop");
    EXPECT_EQ(n.wire_size(), 1u + 7 + 1 + 4 + 1);
    EXPECT_TRUE(Name{}.is_root());
    EXPECT_EQ(Name{}.to_string(), ".");
    EXPECT_EQ(name(".").to_string(), ".");
}

TEST(DnsName, ComparesWithoutCase) {
    EXPECT_EQ(name("kiminje.shop."), name("KIMINJE.SHOP."));
    EXPECT_EQ(name("kiminje.shop.").hash(), name("KimInje.sHop.").hash());
    EXPECT_NE(name("kiminje.shop."), name("kiminje.shop.example."));
}

TEST(DnsName, RelativeNamesTakeTheOrigin) {
    const Name origin = name("shop.");
    auto www = Name::parse("www", &origin);
    ASSERT_TRUE(www);
    EXPECT_EQ(www->to_string(), "www.shop.");
    auto at = Name::parse("@", &origin);
    ASSERT_TRUE(at);
    EXPECT_EQ(*at, origin);
    EXPECT_FALSE(Name::parse("@")) << "no origin";
    auto abs = Name::parse("example.", &origin);
    EXPECT_EQ(abs->to_string(), "example.");
}

TEST(DnsName, EscapesRoundTrip) {
    const Name n = name("a\\.b.c\\\\d.\\000x.");
    EXPECT_EQ(n.label_count(), 3u);
    EXPECT_EQ(n.label(0), "a.b");
    EXPECT_EQ(n.label(1), "c\\d");
    EXPECT_EQ(n.label(2), std::string_view("\0x", 2));
    EXPECT_EQ(n.to_string(), "a\\.b.c\\\\d.\\000x.");
    EXPECT_EQ(name(n.to_string()), n);
}

TEST(DnsName, LimitsAreEnforced) {
    EXPECT_TRUE(Name::parse(std::string(63, 'a') + "."));
    auto long_label = Name::parse(std::string(64, 'a') + ".");
    ASSERT_FALSE(long_label);
    EXPECT_NE(long_label.error().find("a label of 64 octets"), std::string::npos);
    // 4 labels of 63 = 256 octets with lengths, plus the root: too long.
    const std::string l63(63, 'b');
    EXPECT_FALSE(Name::parse(l63 + "." + l63 + "." + l63 + "." + l63 + "."));
    // 3 of 63 and one of 61: 255 exactly.
    EXPECT_TRUE(Name::parse(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'c') + "."));
    EXPECT_FALSE(Name::parse("a..b."));
    EXPECT_FALSE(Name::parse(".a."));
    EXPECT_FALSE(Name::parse(""));
    EXPECT_FALSE(Name::parse("a\\"));
    EXPECT_FALSE(Name::parse("a\\25"));
    EXPECT_FALSE(Name::parse("a\\256."));
}

TEST(DnsName, SubdomainsParentsAndWildcards) {
    const Name shop = name("shop.");
    EXPECT_TRUE(name("www.KimInje.SHOP.").is_subdomain_of(shop));
    EXPECT_TRUE(shop.is_subdomain_of(shop));
    EXPECT_TRUE(shop.is_subdomain_of(Name{}));
    EXPECT_FALSE(name("xshop.").is_subdomain_of(shop)) << "on a label boundary only";
    EXPECT_FALSE(shop.is_subdomain_of(name("kiminje.shop.")));
    EXPECT_EQ(name("kiminje.shop.").parent(), shop);
    EXPECT_EQ(shop.parent(), Name{});
    EXPECT_TRUE(name("*.shop.").is_wildcard());
    EXPECT_FALSE(name("a*.shop.").is_wildcard());
    EXPECT_EQ(shop.prepend("*")->to_string(), "*.shop.");
}

// RFC 4034 §6.1's example, in canonical order.
TEST(DnsName, CanonicalOrder) {
    const std::vector<std::string> sorted = {
        "example.",         "a.example.",      "yljkjljk.a.example.",
        "Z.a.example.",     "zABC.a.EXAMPLE.", "z.example.",
        "\\001.z.example.", "*.z.example.",    "\\200.z.example."};
    for (size_t i = 0; i + 1 < sorted.size(); ++i)
        EXPECT_LT(name(sorted[i]), name(sorted[i + 1])) << sorted[i] << " < " << sorted[i + 1];
}

}  // namespace
