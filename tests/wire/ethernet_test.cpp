#include "wire/ethernet.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/data.hpp"
#include "testing/generators.hpp"

namespace {

using testing_support::from_hex;

TEST(Ethernet, ParsesHeaderFields) {
    const auto frame = from_hex("ffffffffffff 020000000001 0806 deadbeef");
    auto v = wire::EthernetView::parse(frame);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->dst().is_broadcast());
    EXPECT_EQ(v->src().to_string(), "02:00:00:00:00:01");
    EXPECT_EQ(v->ethertype(), wire::EtherType::arp);
    EXPECT_EQ(v->payload().size(), 4u);
    EXPECT_EQ(v->header().size(), 14u);
}

TEST(Ethernet, RejectsShortFrames) {
    for (size_t n = 0; n < 14; ++n) {
        std::vector<std::byte> b(n);
        auto v = wire::EthernetView::parse(b);
        ASSERT_FALSE(v);
        EXPECT_EQ(v.error(), wire::Error::truncated);
    }
    std::vector<std::byte> exact(14);
    EXPECT_TRUE(wire::EthernetView::parse(exact));
}

TEST(Ethernet, UnknownEtherTypeIsKept) {
    const auto frame = from_hex("ffffffffffff 020000000001 88b5");
    EXPECT_EQ(static_cast<uint16_t>(wire::EthernetView::parse(frame)->ethertype()), 0x88b5);
    EXPECT_EQ(wire::to_string(wire::EtherType{0x88b5}), "unknown");
}

RC_GTEST_PROP(Ethernet, EmitParseRoundTrip, ()) {
    const wire::EthernetRepr r = *testing_support::gen::ethernet_repr();
    std::vector<std::byte> b(wire::EthernetRepr::buffer_len());
    r.emit(b);
    auto v = wire::EthernetView::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(wire::EthernetRepr::parse(*v) == r);
}

}  // namespace
