#include "wire/address.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/generators.hpp"

namespace {

using wire::Error;
using wire::Ipv4Address;
using wire::Ipv4Cidr;
using wire::MacAddress;

TEST(Ipv4Address, ParsesDottedQuads) {
    EXPECT_EQ(Ipv4Address::parse("200.200.200.2").value(), (Ipv4Address{200, 200, 200, 2}));
    EXPECT_EQ(Ipv4Address::parse("0.0.0.0").value(), Ipv4Address::any());
    EXPECT_EQ(Ipv4Address::parse("255.255.255.255").value(), Ipv4Address::broadcast());
}

TEST(Ipv4Address, RejectsMalformedText) {
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "01.2.3.4", "1..3.4",
                            "1.2.3.4 ", "a.b.c.d", "1.2.3.4/24", "1000.1.1.1"}) {
        auto r = Ipv4Address::parse(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_EQ(r.error(), Error::bad_syntax) << bad;
        }
    }
}

TEST(Ipv4Address, Classification) {
    EXPECT_TRUE((Ipv4Address{224, 0, 0, 1}).is_multicast());
    EXPECT_TRUE((Ipv4Address{127, 0, 0, 1}).is_loopback());
    EXPECT_TRUE(Ipv4Address::any().is_unspecified());
    EXPECT_EQ((Ipv4Address{10, 1, 2, 3}).octet(2), 2);
    EXPECT_EQ((Ipv4Address{10, 1, 2, 3}).to_u32(), 0x0a010203u);
}

RC_GTEST_PROP(Ipv4Address, TextRoundTrip, ()) {
    const Ipv4Address a = *testing_support::gen::ipv4_address();
    RC_ASSERT(Ipv4Address::parse(a.to_string()).value() == a);
}

TEST(Ipv4Cidr, NetworkArithmetic) {
    const Ipv4Cidr c = Ipv4Cidr::parse("10.0.3.7/22").value();
    EXPECT_EQ(c.netmask(), (Ipv4Address{255, 255, 252, 0}));
    EXPECT_EQ(c.network(), (Ipv4Address{10, 0, 0, 0}));
    EXPECT_EQ(c.broadcast(), (Ipv4Address{10, 0, 3, 255}));
    EXPECT_TRUE(c.contains(Ipv4Address{10, 0, 1, 1}));
    EXPECT_FALSE(c.contains(Ipv4Address{10, 0, 4, 0}));
    EXPECT_EQ(c.to_string(), "10.0.3.7/22");
    const Ipv4Cidr all = Ipv4Cidr::parse("0.0.0.0/0").value();
    EXPECT_TRUE(all.contains(Ipv4Address{8, 8, 8, 8}));
    const Ipv4Cidr host = Ipv4Cidr::parse("10.0.0.1/32").value();
    EXPECT_TRUE(host.contains(Ipv4Address{10, 0, 0, 1}));
    EXPECT_FALSE(host.contains(Ipv4Address{10, 0, 0, 2}));
}

TEST(Ipv4Cidr, RejectsMalformedText) {
    for (const char* bad :
         {"10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1", "/24", "10.0.0/24"}) {
        EXPECT_FALSE(Ipv4Cidr::parse(bad)) << bad;
    }
}

TEST(MacAddress, ParseAndFormat) {
    const MacAddress m = MacAddress::parse("02:00:5E:10:00:ff").value();
    EXPECT_EQ(m.to_string(), "02:00:5e:10:00:ff");
    EXPECT_TRUE(m.is_unicast());
    EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
    EXPECT_TRUE(MacAddress::broadcast().is_multicast());
    EXPECT_TRUE(MacAddress{}.is_zero());
    for (const char* bad :
         {"", "02:00:5e:10:00", "02-00-5e-10-00-ff", "02:00:5e:10:00:fg", "02:00:5e:10:00:ff:00"}) {
        EXPECT_FALSE(MacAddress::parse(bad)) << bad;
    }
}

TEST(Format, AddressesFormatWithFmt) {
    EXPECT_EQ(fmt::format("{} {}", Ipv4Address{1, 2, 3, 4}, MacAddress::broadcast()),
              "1.2.3.4 ff:ff:ff:ff:ff:ff");
}

}  // namespace
