#include "wire/address.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/generators.hpp"

namespace {

using wire::Error;
using wire::Ipv4Address;
using wire::Ipv4Cidr;
using wire::Ipv6Address;
using wire::Ipv6Cidr;
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

Ipv6Address v6(std::array<uint16_t, 8> groups) {
    return Ipv6Address::from_groups(groups);
}

TEST(Ipv6Address, ParsesTheTextFormsOfRfc4291) {
    const std::pair<const char*, Ipv6Address> cases[] = {
        {"2001:db8:0:0:8:800:200c:417a", v6({0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a})},
        {"2001:DB8::8:800:200C:417A", v6({0x2001, 0xdb8, 0, 0, 8, 0x800, 0x200c, 0x417a})},
        {"ff01::101", v6({0xff01, 0, 0, 0, 0, 0, 0, 0x101})},
        {"::1", Ipv6Address::loopback()},
        {"::", Ipv6Address::any()},
        {"1::", v6({1, 0, 0, 0, 0, 0, 0, 0})},
        {"0001:0002:0003:0004:0005:0006:0007:0008", v6({1, 2, 3, 4, 5, 6, 7, 8})},
        {"1:2:3:4:5:6:7::", v6({1, 2, 3, 4, 5, 6, 7, 0})},
        {"::2:3:4:5:6:7:8", v6({0, 2, 3, 4, 5, 6, 7, 8})},
        {"0:0:0:0:0:0:13.1.68.3", v6({0, 0, 0, 0, 0, 0, 0x0d01, 0x4403})},
        {"::13.1.68.3", v6({0, 0, 0, 0, 0, 0, 0x0d01, 0x4403})},
        {"::ffff:129.144.52.38", Ipv6Address::mapped(Ipv4Address{129, 144, 52, 38})},
        {"fe80::1:2", v6({0xfe80, 0, 0, 0, 0, 0, 1, 2})},
    };
    for (const auto& [text, want] : cases) {
        const auto got = Ipv6Address::parse(text);
        ASSERT_TRUE(got) << text;
        EXPECT_EQ(*got, want) << text;
    }
}

TEST(Ipv6Address, RejectsMalformedText) {
    for (const char* bad : {"",
                            ":",
                            ":::",
                            "1:2:3:4:5:6:7",
                            "1:2:3:4:5:6:7:8:9",
                            "1::2::3",
                            ":1:2:3:4:5:6:7:8",
                            "1:2:3:4:5:6:7:8:",
                            "12345::",
                            "g::",
                            "1:2:3:4:5:6:7::8",
                            "::1.2.3",
                            "1.2.3.4::",
                            "::1.2.3.4:5",
                            "fe80::1%eth0",
                            "::/64",
                            " ::1",
                            "1:2:3:4:5:6:1.2.3.4:8",
                            "::256.0.0.1",
                            "1:2:3:4:5:6:7:1.2.3.4"}) {
        const auto r = Ipv6Address::parse(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_EQ(r.error(), Error::bad_syntax) << bad;
        }
    }
}

// RFC 5952's rules and its own examples.
TEST(Ipv6Address, WritesTheCanonicalTextOfRfc5952) {
    const std::pair<const char*, const char*> cases[] = {
        {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},  // §4.1, §4.2.1
        {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},  // §4.2.2: one zero group stays
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},           // §4.2.3: the longest run
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},     // §4.2.3: the first of equals
        {"2001:DB8::AbCd", "2001:db8::abcd"},              // §4.3: lower case
        {"0:0:0:0:0:0:0:0", "::"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"1:0:0:0:0:0:0:0", "1::"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},  // §5: IPv4-mapped as a dotted quad
        {"fe80:0:0:0:200:5eff:fe00:5301", "fe80::200:5eff:fe00:5301"},
    };
    for (const auto& [text, canonical] : cases) {
        const auto a = Ipv6Address::parse(text);
        ASSERT_TRUE(a) << text;
        EXPECT_EQ(a->to_string(), canonical) << text;
    }
}

// Any address, zero groups made likely so that "::" is exercised, comes back
// from its own text; and that text has no "::" where a single zero group is.
RC_GTEST_PROP(Ipv6Address, TextRoundTrip, ()) {
    const auto groups =
        *rc::gen::container<std::array<uint16_t, 8>>(rc::gen::weightedOneOf<uint16_t>(
            {{3, rc::gen::just<uint16_t>(0)}, {1, rc::gen::arbitrary<uint16_t>()}}));
    const Ipv6Address a = Ipv6Address::from_groups(groups);
    const std::string text = a.to_string();
    const auto back = Ipv6Address::parse(text);
    RC_ASSERT(back.has_value());
    RC_ASSERT(*back == a);
    RC_ASSERT(text.find(":::") == std::string::npos);
}

TEST(Ipv6Address, LoadsAndStoresItsSixteenBytes) {
    const Ipv6Address a = Ipv6Address::parse("2001:db8::8:800:200c:417a").value();
    std::array<std::byte, 16> raw{};
    a.store(raw);
    EXPECT_EQ(raw[0], std::byte{0x20});
    EXPECT_EQ(raw[1], std::byte{0x01});
    EXPECT_EQ(raw[15], std::byte{0x7a});
    EXPECT_EQ(Ipv6Address::load(raw), a);
}

TEST(Ipv6Address, Classification) {
    EXPECT_TRUE(Ipv6Address::any().is_unspecified());
    EXPECT_TRUE(Ipv6Address::loopback().is_loopback());
    EXPECT_TRUE(Ipv6Address::all_nodes().is_multicast());
    EXPECT_TRUE(Ipv6Address::parse("fe80::1").value().is_link_local());
    EXPECT_TRUE(Ipv6Address::parse("febf::1").value().is_link_local());
    EXPECT_FALSE(Ipv6Address::parse("fec0::1").value().is_link_local());
    EXPECT_FALSE(Ipv6Address::parse("2001:db8::1").value().is_multicast());
    const Ipv6Address mapped = Ipv6Address::parse("::ffff:10.0.0.1").value();
    EXPECT_TRUE(mapped.is_ipv4_mapped());
    EXPECT_EQ(mapped.ipv4(), (Ipv4Address{10, 0, 0, 1}));
    EXPECT_FALSE(Ipv6Address::parse("::10.0.0.1").value().is_ipv4_mapped());
}

// RFC 4291 §2.7.1's example, and RFC 2464 §7's mapping to Ethernet.
TEST(Ipv6Address, SolicitedNodeGroupAndItsMac) {
    const Ipv6Address a = Ipv6Address::parse("4037::01:800:200E:8C6C").value();
    EXPECT_EQ(a.solicited_node(), Ipv6Address::parse("FF02:0:0:0:0:1:FF0E:8C6C").value());
    EXPECT_EQ(a.solicited_node().multicast_mac(),
              (MacAddress{{0x33, 0x33, 0xff, 0x0e, 0x8c, 0x6c}}));
    EXPECT_EQ(Ipv6Address::all_nodes().multicast_mac(),
              (MacAddress{{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}}));
}

TEST(Ipv6Cidr, PrefixArithmetic) {
    const Ipv6Cidr c = Ipv6Cidr::parse("2001:db8:abcd:12ff::1/60").value();
    EXPECT_EQ(c.prefix_len, 60);
    EXPECT_EQ(c.network(), Ipv6Address::parse("2001:db8:abcd:12f0::").value());
    EXPECT_TRUE(c.contains(Ipv6Address::parse("2001:db8:abcd:12f9::5").value()));
    EXPECT_FALSE(c.contains(Ipv6Address::parse("2001:db8:abcd:1300::").value()));
    EXPECT_EQ(Ipv6Cidr::parse("::/0").value().network(), Ipv6Address::any());
    EXPECT_TRUE(Ipv6Cidr::parse("::/0").value().contains(Ipv6Address::all_nodes()));
    const Ipv6Cidr host = Ipv6Cidr::parse("2001:db8::7/128").value();
    EXPECT_EQ(host.network(), host.address);
    EXPECT_FALSE(host.contains(Ipv6Address::parse("2001:db8::6").value()));
    EXPECT_EQ(c.to_string(), "2001:db8:abcd:12ff::1/60");
    EXPECT_EQ(fmt::format("{}", c.address), "2001:db8:abcd:12ff::1");
}

TEST(Ipv6Cidr, RejectsMalformedText) {
    for (const char* bad : {"2001:db8::1", "2001:db8::1/", "2001:db8::1/129", "2001:db8::1/064",
                            "/64", "2001:db8::g/64", "2001:db8::1/-1"}) {
        EXPECT_FALSE(Ipv6Cidr::parse(bad)) << bad;
    }
}

// Linux's link-local and SLAAC addresses for 02:00:00:00:01:01, as captured
// in tests/data/ipv6_link_up.pcap.
TEST(Ipv6Address, Eui64InterfaceIdentifiersAsLinuxMakesThem) {
    const wire::MacAddress mac{{0x02, 0x00, 0x00, 0x00, 0x01, 0x01}};
    EXPECT_EQ(Ipv6Address::eui64(Ipv6Address::link_local_prefix(), mac).to_string(),
              "fe80::ff:fe00:101");
    EXPECT_EQ(Ipv6Address::eui64(Ipv6Address::parse("2001:db8:99:1::").value(), mac).to_string(),
              "2001:db8:99:1:0:ff:fe00:101");
    // A universal MAC: the bit flips the other way (0x34 → 0x36).
    const wire::MacAddress universal{{0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde}};
    EXPECT_EQ(Ipv6Address::eui64(Ipv6Address::link_local_prefix(), universal).to_string(),
              "fe80::3656:78ff:fe9a:bcde");
}

TEST(IpAddress, HoldsEitherFamilyAndKeepsThemApart) {
    const wire::IpAddress v4 = Ipv4Address{10, 0, 0, 1};
    const wire::IpAddress v6 = Ipv6Address::parse("2001:db8::1").value();
    EXPECT_TRUE(v4.is_v4());
    EXPECT_EQ(v4.v4(), (Ipv4Address{10, 0, 0, 1}));
    EXPECT_TRUE(v6.is_v6());
    EXPECT_EQ(v6.to_string(), "2001:db8::1");
    EXPECT_EQ(fmt::format("{} {}", v4, v6), "10.0.0.1 2001:db8::1");
    // The mapped form is another value, until unmapped.
    const wire::IpAddress mapped = Ipv6Address::mapped(Ipv4Address{10, 0, 0, 1});
    EXPECT_NE(mapped, v4);
    EXPECT_EQ(mapped.to_string(), "::ffff:10.0.0.1");
    EXPECT_EQ(mapped.unmapped(), v4);
    EXPECT_EQ(v6.unmapped(), v6);
    EXPECT_LT(v4, v6) << "IPv4 orders first";
    EXPECT_TRUE(wire::IpAddress{}.is_unspecified());
    EXPECT_TRUE(wire::IpAddress{}.is_v4());
    EXPECT_TRUE(wire::IpAddress{Ipv6Address::all_nodes()}.is_multicast());
    EXPECT_TRUE(wire::IpAddress{Ipv6Address::loopback()}.is_loopback());
}

TEST(IpAddress, ParsesEitherFamily) {
    EXPECT_EQ(wire::IpAddress::parse("192.0.2.7").value(),
              (wire::IpAddress{Ipv4Address{192, 0, 2, 7}}));
    EXPECT_EQ(wire::IpAddress::parse("2001:db8::7").value().v6(),
              Ipv6Address::parse("2001:db8::7").value());
    EXPECT_TRUE(wire::IpAddress::parse("::ffff:192.0.2.7").value().is_v6());
    EXPECT_EQ(wire::IpAddress::parse("192.0.2.300").error(), Error::bad_syntax);
    EXPECT_EQ(wire::IpAddress::parse("2001:db8::7::1").error(), Error::bad_syntax);
    EXPECT_FALSE(wire::IpAddress::parse(""));
}

RC_GTEST_PROP(IpAddress, TextRoundTripsInBothFamilies, ()) {
    const auto v4 = *testing_support::gen::ipv4_address();
    const auto v6 = *testing_support::gen::ipv6_address();
    for (const wire::IpAddress a : {wire::IpAddress{v4}, wire::IpAddress{v6}}) {
        const auto back = wire::IpAddress::parse(a.to_string());
        RC_ASSERT(back.has_value());
        RC_ASSERT(*back == a);
    }
}

}  // namespace
