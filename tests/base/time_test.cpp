#include "base/time.hpp"

#include <gtest/gtest.h>

namespace {

using base::Duration;
using base::Time;
using namespace base::literals;

TEST(Duration, UnitsConvert) {
    EXPECT_EQ(Duration::seconds(2).ns(), 2'000'000'000);
    EXPECT_EQ(Duration::milliseconds(3).us(), 3'000);
    EXPECT_EQ(Duration::microseconds(5).ns(), 5'000);
    EXPECT_EQ((1500_ms).ms(), 1500);
    EXPECT_EQ(Duration::from_seconds(0.25), 250_ms);
    EXPECT_EQ(Duration::from_seconds(-1e-9), Duration::nanoseconds(-1));
}

TEST(Duration, Arithmetic) {
    EXPECT_EQ(1_s + 500_ms, 1500_ms);
    EXPECT_EQ(1_s - 1_ms, 999_ms);
    EXPECT_EQ(3_ms * 4, 12_ms);
    EXPECT_EQ(12_ms / 4, 3_ms);
    EXPECT_EQ(12_ms / 4_ms, 3);
    EXPECT_LT(999_us, 1_ms);
    Duration d = 1_s;
    d += 1_s;
    d -= 500_ms;
    EXPECT_EQ(d, 1500_ms);
}

TEST(Time, PointsAndDurations) {
    const Time t0 = Time::zero();
    const Time t1 = t0 + 250_ms;
    EXPECT_EQ(t1 - t0, 250_ms);
    EXPECT_EQ(t1 - 50_ms, t0 + 200_ms);
    EXPECT_LT(t0, t1);
}

TEST(Time, NeverAbsorbsAddition) {
    EXPECT_TRUE((Time::never() + 1_s).is_never());
    EXPECT_GT(Time::never(), Time::from_ns(1) + Duration::seconds(1'000'000));
}

TEST(Duration, ToStringPicksExactUnit) {
    EXPECT_EQ(base::to_string(2_s), "2s");
    EXPECT_EQ(base::to_string(1500_us), "1.5ms");
    EXPECT_EQ(base::to_string(20_us), "20us");
    EXPECT_EQ(base::to_string(Duration::nanoseconds(1'000'000'001)), "1.000000001s");
    EXPECT_EQ(base::to_string(Duration::nanoseconds(1'250)), "1.25us");
    EXPECT_EQ(base::to_string(Duration::zero()), "0ns");
    EXPECT_EQ(base::to_string(Duration::nanoseconds(999)), "999ns");
    EXPECT_EQ(base::to_string(-(1500_us)), "-1.5ms");
    EXPECT_EQ(base::to_string(-(500_us)), "-500us");
}

TEST(Time, ToString) {
    EXPECT_EQ(base::to_string(Time::from_ns(12'000'345'678)), "12.000345678");
    EXPECT_EQ(base::to_string(Time::never()), "never");
}

}  // namespace
