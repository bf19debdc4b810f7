// The live event loop: timers, the re-armable deadline timer, and stop
// signals through a signalfd.
#include "live/loop.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace {

using base::Duration;

TEST(Loop, TimersRunInOrderAndStopEnds) {
    auto loop = live::Loop::create();
    ASSERT_TRUE(loop);
    std::vector<int> ran;
    (*loop)->after(Duration::milliseconds(2), [&] { ran.push_back(2); });
    (*loop)->after(Duration::milliseconds(1), [&] { ran.push_back(1); });
    (*loop)->after(Duration::milliseconds(3), [&] { (*loop)->stop(); });
    ASSERT_TRUE((*loop)->run());
    EXPECT_EQ(ran, (std::vector<int>{1, 2}));
}

// Work that ends while it is being set up (a --send whose connect fails at
// once) stops the loop before it runs: run() must return, not wait forever.
// The stop is taken: a later run() runs again.
TEST(Loop, AStopBeforeRunIsKept) {
    auto loop = live::Loop::create();
    ASSERT_TRUE(loop);
    (*loop)->stop();
    ASSERT_TRUE((*loop)->run());
    bool ran = false;
    (*loop)->after(Duration::milliseconds(1), [&] {
        ran = true;
        (*loop)->stop();
    });
    ASSERT_TRUE((*loop)->run());
    EXPECT_TRUE(ran);
}

TEST(DeadlineTimer, MovesRatherThanAdds) {
    auto loop = live::Loop::create();
    ASSERT_TRUE(loop);
    int fired = 0;
    live::DeadlineTimer timer(**loop, [&] { ++fired; });
    timer.set(live::Loop::now() + Duration::milliseconds(1));
    timer.set(live::Loop::now() + Duration::milliseconds(2));  // moved, not a second timer
    (*loop)->after(Duration::milliseconds(20), [&] { (*loop)->stop(); });
    ASSERT_TRUE((*loop)->run());
    EXPECT_EQ(fired, 1);
    EXPECT_TRUE(timer.at().is_never());
    timer.set(live::Loop::now() + Duration::milliseconds(1));
    timer.set(base::Time::never());  // disarmed
    (*loop)->after(Duration::milliseconds(10), [&] { (*loop)->stop(); });
    ASSERT_TRUE((*loop)->run());
    EXPECT_EQ(fired, 1);
}

// `timeout` sends a stop signal to its child and to the child's process
// group: it arrives twice. The second, still pending when the loop goes
// away, must not kill the process as it finishes (it did: a run's last
// lines were lost).
TEST(Loop, ASecondStopSignalPendingAtTheEndIsTakenNotFatal) {
    auto loop = live::Loop::create();
    ASSERT_TRUE(loop);
    int stops = 0;
    (*loop)->on_stop_signal([&] {
        ++stops;
        (*loop)->stop();
    });
    (*loop)->after(Duration::milliseconds(1), [] { std::raise(SIGINT); });
    ASSERT_TRUE((*loop)->run());
    EXPECT_EQ(stops, 1);
    std::raise(SIGINT);  // the second: pending, blocked
    loop->reset();       // unblocks SIGINT; without taking it first, this dies
    SUCCEED() << "still here";
}

}  // namespace
