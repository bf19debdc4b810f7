// Exercises the subset of std::expected the project uses; under clang 14 this
// tests base/result.hpp's stand-in, under g++ the standard one.
#include "base/result.hpp"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace {

enum class Err { bad, worse };

base::Expected<int, Err> half(int v) {
    if (v % 2 != 0) return base::fail(Err::bad);
    return v / 2;
}

base::Expected<void, Err> check(bool ok) {
    if (!ok) return base::fail(Err::worse);
    return {};
}

TEST(Result, ValueAndError) {
    auto ok = half(8);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 4);
    EXPECT_EQ(ok.value(), 4);
    auto bad = half(3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), Err::bad);
    EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, Void) {
    EXPECT_TRUE(check(true));
    auto r = check(false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), Err::worse);
}

TEST(Result, MoveOnlyValuesAndArrow) {
    base::Expected<std::unique_ptr<std::string>, Err> p = std::make_unique<std::string>("x");
    ASSERT_TRUE(p);
    EXPECT_EQ(**p, "x");
    EXPECT_EQ((*p)->size(), 1u);
    std::unique_ptr<std::string> taken = std::move(p).value();
    EXPECT_EQ(*taken, "x");
    base::Expected<std::string, Err> s = std::string("abc");
    EXPECT_EQ(s->size(), 3u);
}

}  // namespace
