#include "wire/seq_num.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

using wire::SeqNum;

TEST(SeqNum, ComparesAcrossTheWrap) {
    const SeqNum before_wrap{0xfffffff0};
    const SeqNum after_wrap = before_wrap + 0x20;
    EXPECT_EQ(after_wrap.value(), 0x10u);
    EXPECT_LT(before_wrap, after_wrap);
    EXPECT_GT(after_wrap, before_wrap);
    EXPECT_EQ(after_wrap - before_wrap, 0x20);
    EXPECT_EQ(before_wrap - after_wrap, -0x20);
    EXPECT_EQ(wire::max(before_wrap, after_wrap), after_wrap);
    EXPECT_EQ(wire::min(before_wrap, after_wrap), before_wrap);
}

RC_GTEST_PROP(SeqNum, AddingLessThanHalfTheSpaceMovesAhead, (uint32_t start, uint32_t step)) {
    const uint32_t n = step % 0x7fffffff + 1;  // 1 .. 2^31 - 1
    const SeqNum a{start};
    const SeqNum b = a + n;
    RC_ASSERT(a < b);
    RC_ASSERT(b > a);
    RC_ASSERT(b - a == static_cast<int32_t>(n));
    RC_ASSERT(b - n == a);
}

}  // namespace
