#include "sim/address_plan.hpp"

#include <gtest/gtest.h>

namespace sim {
namespace {

wire::Ipv4Cidr cidr(std::string_view text) {
    return *wire::Ipv4Cidr::parse(text);
}

TEST(AddressPlan, EachRouterHasAtLeastASlash24) {
    const auto plan = AddressPlan::make(3, 10, 1, 2);
    ASSERT_TRUE(plan) << plan.error();
    EXPECT_EQ(plan->block_size(), 256u);
    EXPECT_EQ(plan->router_block(0), cidr("10.0.0.0/24"));
    EXPECT_EQ(plan->router_block(2), cidr("10.0.2.0/24"));
    EXPECT_EQ(plan->host_link(1, 0), (std::array{cidr("10.0.1.1/30"), cidr("10.0.1.2/30")}));
    EXPECT_EQ(plan->host_link(1, 9), (std::array{cidr("10.0.1.37/30"), cidr("10.0.1.38/30")}));
    EXPECT_EQ(plan->router_link(0), (std::array{cidr("100.64.0.1/30"), cidr("100.64.0.2/30")}));
    EXPECT_EQ(plan->router_link(1), (std::array{cidr("100.64.0.5/30"), cidr("100.64.0.6/30")}));
}

TEST(AddressPlan, BlocksGrowToAPowerOfTwo) {
    // 100 hosts × 4 addresses = 400: a /23 of 512.
    const auto plan = AddressPlan::make(1000, 100, 64, 1000);
    ASSERT_TRUE(plan) << plan.error();
    EXPECT_EQ(plan->block_size(), 512u);
    EXPECT_EQ(plan->group_size(), 64u * 512u);
    EXPECT_EQ(plan->router_block(1), cidr("10.0.2.0/23"));
    EXPECT_EQ(plan->router_block(999), cidr("10.7.206.0/23"));
    EXPECT_EQ(plan->group_block(15), cidr("10.7.128.0/17"));
    EXPECT_EQ(plan->host_link(999, 99)[1], cidr("10.7.207.142/30"));
}

TEST(AddressPlan, GroupsStartOnTheirOwnBoundary) {
    // Three routers per group take four blocks each: router 3 starts group 1.
    const auto plan = AddressPlan::make(7, 1, 3, 0);
    ASSERT_TRUE(plan) << plan.error();
    EXPECT_EQ(plan->group_size(), 4u * 256u);
    EXPECT_EQ(plan->router_block(2), cidr("10.0.2.0/24"));
    EXPECT_EQ(plan->router_block(3), cidr("10.0.4.0/24"));
    EXPECT_EQ(plan->group_block(1), cidr("10.0.4.0/22"));
    EXPECT_EQ(plan->router_block(6), cidr("10.0.8.0/24"));
}

TEST(AddressPlan, AGroupIsNoBiggerThanTheRoutersThereAre) {
    const auto plan = AddressPlan::make(2, 100'000, 64, 0);
    ASSERT_TRUE(plan) << plan.error();
    EXPECT_EQ(plan->group_size(), 2u * 524'288u);
}

TEST(AddressPlan, SaysWhatDoesNotFit) {
    const auto hosts = AddressPlan::make(65'537, 1, 1, 0);
    ASSERT_FALSE(hosts);
    EXPECT_NE(hosts.error().find("10.0.0.0/8"), std::string::npos) << hosts.error();
    EXPECT_TRUE(AddressPlan::make(65'536, 1, 1, 0));
    const auto links = AddressPlan::make(1, 1, 1, 1'048'577);
    ASSERT_FALSE(links);
    EXPECT_NE(links.error().find("100.64.0.0/10"), std::string::npos) << links.error();
    EXPECT_TRUE(AddressPlan::make(1, 1, 1, 1'048'576));
    EXPECT_FALSE(AddressPlan::make(1, 5'000'000, 1, 0));
}

}  // namespace
}  // namespace sim
