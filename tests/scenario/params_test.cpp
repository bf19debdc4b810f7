#include "scenario/params.hpp"

#include <gtest/gtest.h>

#include "testing/printers.hpp"

namespace {

using base::Duration;
using scenario::Params;
using namespace base::literals;

// An application as the loader hands it over: values with their places.
sim::AppSpec spec(std::initializer_list<std::pair<std::string, std::string>> params) {
    sim::AppSpec s{.node = "a",
                   .kind = "probe",
                   .kind_where = {"t.yaml", 3, 20},
                   .at = {},
                   .params = {},
                   .where = {"t.yaml", 3, 5}};
    int column = 30;
    for (const auto& [key, value] : params) {
        s.params[key] = {
            .value = value, .where = {"t.yaml", 3, column + 5}, .key_where = {"t.yaml", 3, column}};
        column += 20;
    }
    return s;
}

TEST(Params, ReadsTypedValues) {
    const auto s = spec({{"n", "12"},
                         {"d", "1.5ms"},
                         {"b", "10MB"},
                         {"r", "10Mbit"},
                         {"on", "true"},
                         {"t", "text"}});
    Params p(s, {"n", "d", "b", "r", "on", "t"});
    EXPECT_EQ(p.integer("n", 0, 1, 100), 12);
    EXPECT_EQ(p.duration("d", {}), Duration::microseconds(1500));
    EXPECT_EQ(p.size("b", 0, 1), 10'000'000u);
    EXPECT_EQ(p.bandwidth("r", 0), 10'000'000u);
    EXPECT_TRUE(p.boolean("on", false));
    EXPECT_EQ(p.text("t", ""), "text");
    EXPECT_FALSE(p.error());
}

TEST(Params, AbsentKeysGiveTheFallback) {
    const auto s = spec({});
    Params p(s, {"n", "d"});
    EXPECT_EQ(p.integer("n", 7, 1, 100), 7);
    EXPECT_EQ(p.duration("d", 2_s), 2_s);
    EXPECT_EQ(p.size("b", 5, 1), 5u);
    EXPECT_EQ(p.bandwidth("r", 9), 9u);
    EXPECT_FALSE(p.error());
}

TEST(Params, AnUnknownKeyIsTheFirstErrorAndNamesWhatTheKindTakes) {
    const auto s = spec({{"colour", "red"}, {"n", "0"}});
    Params p(s, {"n"});
    (void)p.integer("n", 1, 1, 10);
    ASSERT_TRUE(p.error());
    EXPECT_EQ(*p.error(), "t.yaml:3:30: probe has no parameter 'colour' (it takes: n)");
}

TEST(Params, KeepsOnlyTheFirstErrorAtTheValuesPlace) {
    const auto s = spec({{"a", "x"}, {"b", "1 fortnight"}});
    Params p(s, {"a", "b"});
    EXPECT_EQ(p.integer("a", 3, 1, 10), 3) << "the fallback after an error";
    (void)p.duration("b", {});
    ASSERT_TRUE(p.error());
    EXPECT_EQ(*p.error(), "t.yaml:3:35: probe 'a' must be a whole number from 1 to 10, not 'x'");
}

TEST(Params, SizeBelowTheMinimumIsAnError) {
    const auto s = spec({{"b", "0"}});
    Params p(s, {"b"});
    EXPECT_EQ(p.size("b", 4, 1), 4u);
    ASSERT_TRUE(p.error());
    EXPECT_EQ(*p.error(), "t.yaml:3:35: probe 'b' must be at least 1 bytes, not '0'");
}

TEST(Params, CommaListsAndRelativePaths) {
    EXPECT_EQ(scenario::comma_list("a, b ,c,,"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(scenario::relative_to("z.zone", "dir/t.yaml"), "dir/z.zone");
    EXPECT_EQ(scenario::relative_to("/abs/z.zone", "dir/t.yaml"), "/abs/z.zone");
}

}  // namespace
