#include "sim/simulator.hpp"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

using base::Duration;
using base::Time;
using sim::Simulator;
using namespace base::literals;

Time at(Duration d) {
    return Time::zero() + d;
}

TEST(Simulator, RunsEventsInTimeOrderAndSameTimeFirstScheduledFirst) {
    Simulator s{base::Seed{1}};
    std::vector<int> order;
    s.schedule_at(at(3_ms), [&] { order.push_back(3); });
    s.schedule_at(at(1_ms), [&] { order.push_back(1); });
    s.schedule_at(at(2_ms), [&] { order.push_back(21); });
    s.schedule_at(at(2_ms), [&] { order.push_back(22); });
    s.schedule_at(at(2_ms), [&] { order.push_back(23); });
    s.run();
    EXPECT_EQ(order, (std::vector<int>{1, 21, 22, 23, 3}));
    EXPECT_EQ(s.now(), at(3_ms));
    EXPECT_EQ(s.events_executed(), 5u);
}

TEST(Simulator, TimeNeverGoesBackwards) {
    Simulator s{base::Seed{1}};
    Time seen;
    s.schedule_at(at(5_ms), [&] {
        s.schedule_at(at(1_ms), [&] { seen = s.now(); });  // in the past: runs now
    });
    s.run();
    EXPECT_EQ(seen, at(5_ms));
}

TEST(Simulator, CancelledTimersDoNotRun) {
    Simulator s{base::Seed{1}};
    int runs = 0;
    auto a = s.schedule_in(1_ms, [&] { ++runs; });
    auto b = s.schedule_in(2_ms, [&] { ++runs; });
    EXPECT_TRUE(s.cancel(a));
    EXPECT_FALSE(s.cancel(a)) << "cancelling twice";
    EXPECT_EQ(s.events_pending(), 1u);
    s.run();
    EXPECT_EQ(runs, 1);
    EXPECT_FALSE(s.cancel(b)) << "cancelling after it ran";
    EXPECT_FALSE(s.cancel(sim::TimerId{}));
}

// A host's next-poll timer: set far ahead, cancelled for something sooner, set
// again — at every packet. The dead entries must not pile up in the queue, and
// what remains still runs in order.
TEST(Simulator, TimersCancelledAndSetAgainDoNotPileUp) {
    Simulator s{base::Seed{1}};
    std::vector<int> order;
    sim::TimerId far;
    for (int i = 0; i < 100'000; ++i) {
        s.cancel(far);
        far = s.schedule_at(at(Duration::seconds(10) + Duration::microseconds(i)),
                            [&order, i] { order.push_back(i); });
        if (i % 10'000 == 0)
            s.schedule_at(at(Duration::microseconds(i)), [&order, i] { order.push_back(-i); });
    }
    EXPECT_EQ(s.events_pending(), 11u);
    EXPECT_LT(s.heap_entries(), 5'000u) << "cancelled entries were dropped";
    s.run();
    std::vector<int> expected;
    for (int i = 0; i < 100'000; i += 10'000)
        expected.push_back(-i);
    expected.push_back(99'999);
    EXPECT_EQ(order, expected);
}

// A slot freed by one timer and reused by another: the old id must not cancel
// the new timer.
TEST(Simulator, StaleTimerIdsCannotCancelReusedSlots) {
    Simulator s{base::Seed{1}};
    int runs = 0;
    auto old_id = s.schedule_in(1_ms, [] {});
    s.run();
    auto fresh = s.schedule_in(1_ms, [&] { ++runs; });
    EXPECT_FALSE(s.cancel(old_id));
    s.run();
    EXPECT_EQ(runs, 1);
    (void)fresh;
}

TEST(Simulator, RunForAdvancesTheClockExactly) {
    Simulator s{base::Seed{1}};
    int runs = 0;
    s.schedule_at(at(10_ms), [&] { ++runs; });
    s.schedule_at(at(30_ms), [&] { ++runs; });
    s.run_for(10_ms);  // an event exactly at the end runs
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(s.now(), at(10_ms));
    s.run_for(5_ms);
    EXPECT_EQ(s.now(), at(15_ms));
    EXPECT_EQ(runs, 1);
    s.run_for(1_s);
    EXPECT_EQ(runs, 2);
    EXPECT_EQ(s.now(), at(1015_ms));
}

TEST(Simulator, RunUntilStopsOnThePredicateOrTheLimit) {
    Simulator s{base::Seed{1}};
    int count = 0;
    std::function<void()> tick = [&] {
        ++count;
        s.schedule_in(1_ms, [&] { tick(); });
    };
    s.schedule_in(1_ms, [&] { tick(); });
    EXPECT_TRUE(s.run_until([&] { return count == 5; }));
    EXPECT_EQ(s.now(), at(5_ms));
    EXPECT_FALSE(s.run_until([] { return false; }, at(20_ms)));
    EXPECT_EQ(s.now(), at(20_ms));
    EXPECT_EQ(count, 20);
}

TEST(Simulator, CallbacksMayOwnMoveOnlyState) {
    Simulator s{base::Seed{1}};
    base::PacketBuffer p = s.pool().copy_of(base::as_bytes("frame"));
    std::string got;
    s.schedule_in(1_ms, [&got, q = std::move(p)] { got = std::string(base::as_chars(q.bytes())); });
    s.run();
    EXPECT_EQ(got, "frame");
    EXPECT_EQ(s.pool().stats().outstanding, 0u);
}

RC_GTEST_PROP(Simulator, AnyScheduleRunsSortedByTimeThenInsertion, ()) {
    const auto times =
        *rc::gen::container<std::vector<uint16_t>>(rc::gen::inRange<uint16_t>(0, 50));
    Simulator s{base::Seed{1}};
    std::vector<std::pair<int64_t, size_t>> ran;
    for (size_t i = 0; i < times.size(); ++i) {
        s.schedule_at(Time::from_ns(times[i]), [&, i] { ran.emplace_back(s.now().ns(), i); });
    }
    s.run();
    RC_ASSERT(ran.size() == times.size());
    RC_ASSERT(std::is_sorted(ran.begin(), ran.end()));
}

}  // namespace
