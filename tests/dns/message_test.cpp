#include "dns/wire/message.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

using dns::Message;
using dns::Name;
using dns::Record;
using dns::RrClass;
using dns::RrType;
namespace rdata = dns::rdata;

Name name(std::string_view text) {
    return *Name::parse(text);
}

std::vector<std::byte> hex(std::string_view h) {
    std::vector<std::byte> out;
    for (size_t i = 0; i + 1 < h.size();) {
        if (h[i] == ' ') {
            ++i;
            continue;
        }
        out.push_back(static_cast<std::byte>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
        i += 2;
    }
    return out;
}

Message answer_for_kiminje() {
    Message m;
    m.id = 0x1234;
    m.qr = m.aa = m.rd = true;
    m.questions.push_back({name("kiminje.shop."), RrType::a, RrClass::in});
    m.answers.push_back({name("kiminje.shop."), RrType::a, RrClass::in, 300,
                         rdata::A{wire::Ipv4Address{200, 200, 200, 2}}});
    m.authority.push_back(
        {name("shop."), RrType::ns, RrClass::in, 86400, rdata::Ns{name("ns1.shop.")}});
    m.additional.push_back({name("ns1.shop."), RrType::a, RrClass::in, 86400,
                            rdata::A{wire::Ipv4Address{10, 0, 0, 53}}});
    m.edns = dns::Edns{.udp_size = 1232};
    return m;
}

// The bytes, octet by octet, as RFC 1035 lays them out: the answer's owner is
// a pointer to the question's name at octet 12 (0xc00c).
TEST(DnsMessage, EmitsTheLayoutOfRfc1035WithCompression) {
    Message m;
    m.id = 0xbeef;
    m.qr = m.rd = m.ra = true;
    m.questions.push_back({name("kiminje.shop."), RrType::a, RrClass::in});
    m.answers.push_back({name("kiminje.shop."), RrType::a, RrClass::in, 300,
                         rdata::A{wire::Ipv4Address{200, 200, 200, 2}}});
    EXPECT_EQ(dns::emit_message(m), hex("beef 8180 0001 0001 0000 0000"
                                        "076b696d696e6a65 0473686f70 00 0001 0001"
                                        "c00c 0001 0001 0000012c 0004 c8c8c802"));
}

TEST(DnsMessage, RoundTripsEverySectionAndEdns) {
    const Message m = answer_for_kiminje();
    const auto bytes = dns::emit_message(m);
    auto back = dns::parse_message(bytes);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, m);
}

TEST(DnsMessage, EveryKnownTypeRoundTrips) {
    Message m;
    m.qr = true;
    const Name owner = name("x.example.");
    auto add = [&](RrType t, dns::RData d) {
        m.answers.push_back({owner, t, RrClass::in, 60, std::move(d)});
    };
    add(RrType::a, rdata::A{wire::Ipv4Address{192, 0, 2, 1}});
    add(RrType::aaaa, rdata::Aaaa{wire::Ipv6Address::from_groups({0x2001, 0, 0, 0, 0, 0, 0, 1})});
    add(RrType::ns, rdata::Ns{name("ns.example.")});
    add(RrType::cname, rdata::Cname{name("y.example.")});
    add(RrType::ptr, rdata::Ptr{name("host.example.")});
    add(RrType::soa, rdata::Soa{name("ns.example."), name("admin.example."), 2026112101, 7200, 900,
                                1209600, 300});
    add(RrType::mx, rdata::Mx{10, name("mail.example.")});
    add(RrType::txt, rdata::Txt{{"hello world", "", std::string("\0\xff", 2)}});
    add(RrType::srv, rdata::Srv{1, 2, 443, name("web.example.")});
    add(RrType::caa, rdata::Caa{0, "issue", "letsencrypt.org"});
    m.answers.push_back({owner, RrType{65280}, RrClass::in, 60,
                         rdata::Opaque{{std::byte{1}, std::byte{2}, std::byte{3}}}});
    m.answers.push_back(
        {owner, RrType::a, RrClass::ch, 60, rdata::Opaque{{std::byte{1}, std::byte{2}}}});
    auto back = dns::parse_message(dns::emit_message(m));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, m);
    EXPECT_EQ(back->answers[5].to_string(),
              "x.example. 60 IN SOA ns.example. admin.example. 2026112101 7200 900 1209600 300");
    EXPECT_EQ(back->answers[7].to_string(),
              "x.example. 60 IN TXT \"hello world\" \"\" \"\\000\\255\"");
    EXPECT_EQ(back->answers[1].to_string(), "x.example. 60 IN AAAA 2001::1");
    EXPECT_EQ(back->answers[10].to_string(), "x.example. 60 IN TYPE65280 \\# 3 010203");
    EXPECT_EQ(back->answers[9].to_string(), "x.example. 60 IN CAA 0 issue \"letsencrypt.org\"");
}

TEST(DnsMessage, SrvTargetsAreNeverCompressed) {
    Message m;
    m.questions.push_back({name("web.example."), RrType::srv, RrClass::in});
    m.answers.push_back({name("_x._tcp.example."), RrType::srv, RrClass::in, 60,
                         rdata::Srv{0, 0, 80, name("web.example.")}});
    const auto bytes = dns::emit_message(m);
    // The target, written out in full, is in the last 13 octets.
    const auto tail = std::vector<std::byte>(bytes.end() - 13, bytes.end());
    EXPECT_EQ(tail, hex("03776562 076578616d706c65 00"));
}

TEST(DnsMessage, ExtendedRcodeTravelsInTheOptRecord) {
    Message m;
    m.qr = true;
    m.rcode = dns::Rcode::badvers;  // 16: needs EDNS's upper bits
    m.edns = dns::Edns{.udp_size = 4096,
                       .version = 0,
                       .dnssec_ok = true,
                       .options = {{10, {std::byte{1}, std::byte{2}}}}};
    const auto bytes = dns::emit_message(m);
    EXPECT_EQ(static_cast<int>(bytes[3]) & 0xf, 0) << "16's low four bits are zero";
    auto back = dns::parse_message(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->rcode, dns::Rcode::badvers);
    EXPECT_EQ(back->edns, m.edns);
}

// A response too big for the client: additional records go first (no TC),
// then everything but the question and OPT, with TC.
TEST(DnsMessage, FittingToASizeDropsAdditionalThenSetsTc) {
    Message m = answer_for_kiminje();
    const size_t full = dns::emit_message(m).size();
    const auto no_additional = dns::emit_message(m, {.max_size = full - 1});
    auto a = dns::parse_message(no_additional);
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->tc);
    EXPECT_TRUE(a->additional.empty());
    EXPECT_EQ(a->answers.size(), 1u);
    EXPECT_TRUE(a->edns) << "OPT stays";
    const auto tiny = dns::emit_message(m, {.max_size = 40});
    auto b = dns::parse_message(tiny);
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->tc);
    EXPECT_TRUE(b->answers.empty());
    EXPECT_EQ(b->questions.size(), 1u);
}

void expect_rejected(const std::vector<std::byte>& bytes, std::string_view why, size_t at) {
    auto r = dns::parse_message(bytes);
    ASSERT_FALSE(r) << "should fail: " << why;
    EXPECT_NE(r.error().what.find(why), std::string::npos) << r.error().to_string();
    EXPECT_EQ(r.error().offset, at) << r.error().to_string();
}

const std::string header_one_question = "0001 0100 0001 0000 0000 0000";

TEST(DnsMessage, CompressionPointersMustPointBack) {
    // A pointer to itself: a loop.
    expect_rejected(hex(header_one_question + "c00c 0001 0001"), "does not point back", 12);
    // A pointer forward.
    expect_rejected(hex(header_one_question + "c00e 0001 0001 00"), "does not point back", 12);
    // "a" then a pointer back to "a": a loop through a label.
    expect_rejected(hex(header_one_question + "0161 c00c 0001 0001"), "does not point back", 14);
}

TEST(DnsMessage, MalformedNamesAndRecordsAreRejectedWithTheirPlace) {
    expect_rejected(hex("0001 0100 0001"), "shorter than the 12-octet header", 0);
    expect_rejected(hex(header_one_question + "4161"), "label type 0x40", 12);
    expect_rejected(hex(header_one_question + "0561 62"), "label runs past", 12);
    // 128 labels of one octet plus root: 257 octets, too long.
    std::string many;
    for (int i = 0; i < 128; ++i)
        many += "0161";
    expect_rejected(hex(header_one_question + many + "00 0001 0001"), "longer than 255", 12 + 254);
    // An A record whose data is 5 octets.
    expect_rejected(hex("0001 8100 0000 0001 0000 0000 00 0001 0001 00000000 0005 0102030405"),
                    "A data of 5 octets", 23);
    // An NS record whose name ends before its data does.
    expect_rejected(hex("0001 8100 0000 0001 0000 0000 00 0002 0001 00000000 0002 00 00"),
                    "NS data is 1 octets, its length says 2", 23);
    // Record data longer than the message.
    expect_rejected(hex("0001 8100 0000 0001 0000 0000 00 0001 0001 00000000 0004 01"),
                    "runs past the end", 21);
    // Counts that promise more than is there.
    expect_rejected(hex("0001 8100 0000 0002 0000 0000 00 0001 0001 00000000 0004 01020304"),
                    "a name runs past the end", 27);
}

TEST(DnsMessage, OptRulesAreEnforced) {
    const std::string opt = "00 0029 1000 00000000 0000";
    expect_rejected(hex("0001 0100 0000 0000 0000 0002" + opt + opt), "a second OPT record", 23);
    expect_rejected(hex("0001 0100 0000 0001 0000 0000" + opt), "outside the additional", 12);
    expect_rejected(hex("0001 0100 0000 0000 0000 0001 0161 00 0029 1000 00000000 0000"),
                    "not owned by the root", 12);
}

// ---- property: whatever we emit, we read back the same --------------------------

rc::Gen<std::string> gen_label() {
    return rc::gen::exec([] {
        const int n = *rc::gen::inRange(1, 13);
        std::string l;
        for (int i = 0; i < n; ++i) {
            l += static_cast<char>(*rc::gen::oneOf(rc::gen::inRange<int>('a', 'z' + 1),
                                                   rc::gen::inRange<int>('A', 'Z' + 1),
                                                   rc::gen::inRange<int>(0, 256)));
        }
        return l;
    });
}

rc::Gen<Name> gen_name() {
    return rc::gen::exec([] {
        std::vector<std::string> labels;
        const int n = *rc::gen::inRange(0, 5);
        for (int i = 0; i < n; ++i)
            labels.push_back(*gen_label());
        return *Name::from_labels(labels);
    });
}

rc::Gen<dns::RData> gen_rdata() {
    return rc::gen::exec([]() -> dns::RData {
        switch (*rc::gen::inRange(0, 6)) {
            case 0:
                return rdata::A{wire::Ipv4Address::from_u32(*rc::gen::arbitrary<uint32_t>())};
            case 1:
                return rdata::Ns{*gen_name()};
            case 2:
                return rdata::Cname{*gen_name()};
            case 3:
                return rdata::Mx{*rc::gen::arbitrary<uint16_t>(), *gen_name()};
            case 4:
                return rdata::Soa{*gen_name(), *gen_name(), 1, 2, 3, 4, 5};
            default: {
                rdata::Txt t;
                const int n = *rc::gen::inRange(1, 4);
                for (int i = 0; i < n; ++i) {
                    t.strings.push_back(*rc::gen::container<std::string>(
                        static_cast<size_t>(*rc::gen::inRange(0, 40)), rc::gen::arbitrary<char>()));
                }
                return t;
            }
        }
    });
}

RC_GTEST_PROP(DnsMessageProperty, EmitThenParseGivesTheSameMessage, ()) {
    Message m;
    m.id = *rc::gen::arbitrary<uint16_t>();
    m.qr = *rc::gen::arbitrary<bool>();
    m.aa = *rc::gen::arbitrary<bool>();
    m.rd = *rc::gen::arbitrary<bool>();
    m.rcode = dns::Rcode{*rc::gen::inRange<uint16_t>(0, 16)};
    m.questions.push_back({*gen_name(), RrType::a, RrClass::in});
    const int n = *rc::gen::inRange(0, 8);
    for (int i = 0; i < n; ++i) {
        dns::RData d = *gen_rdata();
        const RrType t = *dns::type_of(d);
        m.answers.push_back({*gen_name(), t, RrClass::in, *rc::gen::arbitrary<uint32_t>(), d});
    }
    if (*rc::gen::arbitrary<bool>())
        m.edns = dns::Edns{.udp_size = *rc::gen::arbitrary<uint16_t>()};
    if (!m.edns && static_cast<uint16_t>(m.rcode) > 15) m.rcode = dns::Rcode::noerror;
    for (bool compress : {true, false}) {
        auto back = dns::parse_message(dns::emit_message(m, {.compress = compress}));
        RC_ASSERT(back.has_value());
        RC_ASSERT(*back == m);
    }
}

}  // namespace
