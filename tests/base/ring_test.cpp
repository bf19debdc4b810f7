#include "base/ring.hpp"

#include <deque>
#include <memory>
#include <random>

#include <gtest/gtest.h>

namespace {

// Random pushes, pops at either end and indexed reads, checked step by step
// against std::deque; the ring grows through several capacities and wraps.
TEST(Ring, BehavesAsADeque) {
    base::Ring<std::unique_ptr<int>> ring;
    std::deque<int> model;
    std::mt19937 rng(7);
    int next = 0;
    for (int step = 0; step < 20000; ++step) {
        const unsigned op = rng() % 10;
        if (op < 5 || model.empty()) {
            ring.push_back(std::make_unique<int>(next));
            model.push_back(next++);
        } else if (op < 8) {
            ASSERT_EQ(*ring.front(), model.front());
            ring.pop_front();
            model.pop_front();
        } else {
            ASSERT_EQ(*ring.back(), model.back());
            ring.pop_back();
            model.pop_back();
        }
        ASSERT_EQ(ring.size(), model.size());
        ASSERT_EQ(ring.empty(), model.empty());
        if (!model.empty()) {
            const size_t i = rng() % model.size();
            ASSERT_EQ(*ring[i], model[i]);
        }
    }
    ring.clear();
    EXPECT_TRUE(ring.empty());
}

TEST(Ring, MovedFromIsEmptyAndUsable) {
    base::Ring<int> a;
    for (int i = 0; i < 11; ++i)
        a.push_back(i);
    a.pop_front();
    base::Ring<int> b(std::move(a));
    ASSERT_EQ(b.size(), 10u);
    EXPECT_EQ(b.front(), 1);
    EXPECT_EQ(b.back(), 10);
    EXPECT_EQ(b[9], 10);
    a.push_back(5);  // NOLINT(bugprone-use-after-move): moved-from rings are empty
    EXPECT_EQ(a.size(), 1u);
    EXPECT_EQ(a.front(), 5);
}

}  // namespace
