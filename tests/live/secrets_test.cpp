// A live host's secrets (RFC 6528's ISN key, RFC 6056's port key, DNS IDs)
// come from the OS unless a seed is given: two runs of `minternet live`
// choose different initial sequence numbers for the same 4-tuple at the same
// moment, and two runs with one --seed choose the same.
#include <gtest/gtest.h>

#include <optional>

#include "live/tap_host.hpp"
#include "stack/tcp.hpp"
#include "testing/wires.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace {

using base::Time;
using wire::Ipv4Address;

// The ISN of the SYN that a host whose secrets derive from `seed` sends from
// 10.0.0.1:40000 to 10.0.0.2:80 at time zero.
uint32_t isn_for(uint64_t seed) {
    testing_support::Wires w;
    stack::Host& ours = w.add("ours", false, base::Seed{seed});
    stack::Host& peer = w.add("peer");
    w.join(ours, peer, 0x0a000000);
    stack::Tcp tcp(ours);
    EXPECT_TRUE(tcp.connect({Ipv4Address{10, 0, 0, 2}, 80}, Time::zero(),
                            stack::Endpoint{Ipv4Address{10, 0, 0, 1}, 40000}));
    w.run(Time::zero(), Time::zero() + base::Duration::milliseconds(1));
    for (const auto& r : w.sent) {
        auto eth = wire::EthernetView::parse(r.frame);
        if (!eth || eth->ethertype() != wire::EtherType::ipv4) continue;
        auto ip = wire::Ipv4View::parse(eth->payload());
        if (!ip || ip->protocol() != wire::IpProtocol::tcp) continue;
        auto seg = wire::TcpView::parse(ip->payload());
        if (seg && seg->flags().has(wire::TcpFlags::syn)) return seg->seq().value();
    }
    ADD_FAILURE() << "no SYN was sent";
    return 0;
}

TEST(LiveSecrets, WithoutASeedEachRunHasItsOwnKeys) {
    const auto first = live::secret_seed(std::nullopt);
    const auto second = live::secret_seed(std::nullopt);
    ASSERT_TRUE(first && second);
    EXPECT_NE(*first, *second);
    // Equal only by a 1 in 2^32 chance.
    EXPECT_NE(isn_for(*first), isn_for(*second)) << "the same 4-tuple, the same moment";
}

TEST(LiveSecrets, AGivenSeedRepeatsTheRun) {
    EXPECT_EQ(live::secret_seed(42).value(), 42u);
    EXPECT_EQ(isn_for(42), isn_for(42));
    EXPECT_NE(isn_for(42), isn_for(43));
}

}  // namespace
