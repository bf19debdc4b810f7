#include "sim/simulator.hpp"

#include <algorithm>
#include <functional>
#include <tuple>
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

// Events that schedule, cancel and move others from inside their callbacks,
// against a model kept as a plain list (earliest time, then the order of
// scheduling or moving, first): the same events run in the same order, and
// what a callback sees of the queue (its next time, its size) is the same.
RC_GTEST_PROP(Simulator, EventsChangingTheQueueFromCallbacksMatchAListModel, ()) {
    enum Kind : uint8_t { schedule, cancel, move, end_of_event };
    using Step = std::tuple<uint8_t, uint16_t, uint16_t>;  // kind, delay (ns), which timer
    const auto script = *rc::gen::container<std::vector<Step>>(
        rc::gen::tuple(rc::gen::inRange<uint8_t>(0, 4), rc::gen::inRange<uint16_t>(0, 20),
                       rc::gen::arbitrary<uint16_t>()));
    constexpr size_t max_timers = 300;
    using Seen = std::tuple<int64_t, size_t, int64_t, size_t>;  // now, timer, next, pending

    // The simulator.
    std::vector<Seen> real;
    {
        Simulator s{base::Seed{1}};
        std::vector<sim::TimerId> ids;
        size_t cursor = 0;
        std::function<void(size_t)> run = [&](size_t timer) {
            real.emplace_back(s.now().ns(), timer, -1, 0);
            while (cursor < script.size()) {
                const auto [kind, delay, which] = script[cursor++];
                if (kind == end_of_event) break;
                if (kind == schedule && ids.size() < max_timers) {
                    const size_t t = ids.size();
                    ids.push_back(
                        s.schedule_in(Duration::nanoseconds(delay), [&run, t] { run(t); }));
                } else if (kind == cancel && !ids.empty()) {
                    s.cancel(ids[which % ids.size()]);
                } else if (kind == move && !ids.empty()) {
                    s.reschedule(ids[which % ids.size()], s.now() + Duration::nanoseconds(delay));
                }
                const Time next = s.next_event_time();
                real.emplace_back(s.now().ns(), timer, next.is_never() ? -1 : next.ns(),
                                  s.events_pending());
            }
        };
        for (size_t t = 0; t < 3; ++t)
            ids.push_back(
                s.schedule_at(at(Duration::nanoseconds(int64_t(t))), [&run, t] { run(t); }));
        s.run();
    }

    // The model.
    std::vector<Seen> model;
    {
        struct Timer {
            int64_t at;
            uint64_t order;
            bool live;
        };
        std::vector<Timer> timers;
        uint64_t order = 0;
        int64_t now = 0;
        size_t cursor = 0;
        auto earliest = [&]() -> Timer* {
            Timer* best = nullptr;
            for (Timer& t : timers)
                if (t.live && (!best || std::tie(t.at, t.order) < std::tie(best->at, best->order)))
                    best = &t;
            return best;
        };
        for (int64_t t = 0; t < 3; ++t)
            timers.push_back({t, order++, true});
        while (Timer* next = earliest()) {
            next->live = false;
            now = next->at;
            const size_t timer = static_cast<size_t>(next - timers.data());
            model.emplace_back(now, timer, -1, 0);
            while (cursor < script.size()) {
                const auto [kind, delay, which] = script[cursor++];
                if (kind == end_of_event) break;
                if (kind == schedule && timers.size() < max_timers) {
                    timers.push_back({now + delay, order++, true});
                } else if (kind == cancel && !timers.empty()) {
                    timers[which % timers.size()].live = false;
                } else if (kind == move && !timers.empty()) {
                    Timer& t = timers[which % timers.size()];
                    if (t.live) t = {now + delay, order++, true};
                }
                const Timer* first = earliest();
                const auto pending = static_cast<size_t>(std::count_if(
                    timers.begin(), timers.end(), [](const Timer& t) { return t.live; }));
                model.emplace_back(now, timer, first ? first->at : -1, pending);
            }
        }
    }
    RC_ASSERT(real == model);
}

}  // namespace
