#include "base/log.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Log, ParsesLevelNames) {
    EXPECT_EQ(base::parse_log_level("debug"), spdlog::level::debug);
    EXPECT_EQ(base::parse_log_level("warn"), spdlog::level::warn);
    EXPECT_EQ(base::parse_log_level("off"), spdlog::level::off);
    EXPECT_FALSE(base::parse_log_level("loud"));
    EXPECT_FALSE(base::parse_log_level(""));
}

TEST(Log, LoggersHaveTheirLevel) {
    auto quiet = base::make_null_logger("q");
    EXPECT_FALSE(quiet->should_log(spdlog::level::err));
    auto err = base::make_stderr_logger("e", spdlog::level::err);
    EXPECT_TRUE(err->should_log(spdlog::level::err));
    EXPECT_FALSE(err->should_log(spdlog::level::info));
}

}  // namespace
