#include "netem/units.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using netem::parse_bandwidth;
using netem::parse_duration;
using netem::parse_probability;
using netem::parse_size;

int64_t ns(std::string_view text) {
    const auto d = parse_duration(text);
    EXPECT_TRUE(d) << "'" << text << "': " << d.error();
    return d ? d->ns() : -1;
}

uint64_t bps(std::string_view text) {
    const auto b = parse_bandwidth(text);
    EXPECT_TRUE(b) << "'" << text << "': " << b.error();
    return b ? *b : 0;
}

uint64_t bytes(std::string_view text) {
    const auto b = parse_size(text);
    EXPECT_TRUE(b) << "'" << text << "': " << b.error();
    return b ? *b : 0;
}

double probability(std::string_view text) {
    const auto p = parse_probability(text);
    EXPECT_TRUE(p) << "'" << text << "': " << p.error();
    return p ? *p : -1;
}

// The message names the text it rejects, so the user sees what was wrong.
template <class T>
void expect_rejected(const netem::Parsed<T>& parsed, std::string_view text) {
    ASSERT_FALSE(parsed) << "'" << text << "' was accepted";
    EXPECT_NE(parsed.error().find(std::string(text)), std::string::npos) << parsed.error();
}

TEST(UnitsDuration, NumberAndUnit) {
    EXPECT_EQ(ns("1.5ms"), 1'500'000);
    EXPECT_EQ(ns("250us"), 250'000);
    EXPECT_EQ(ns("250µs"), 250'000);
    EXPECT_EQ(ns("7ns"), 7);
    EXPECT_EQ(ns("3s"), 3'000'000'000);
    EXPECT_EQ(ns("2min"), 120'000'000'000);
    EXPECT_EQ(ns("1h"), 3'600'000'000'000);
    EXPECT_EQ(ns("10 ms"), 10'000'000);  // a space before the unit is allowed
}

TEST(UnitsDuration, ZeroNeedsNoUnit) {
    EXPECT_EQ(ns("0"), 0);
    EXPECT_EQ(ns("0s"), 0);
}

TEST(UnitsDuration, RejectsUnknownOrMissingUnits) {
    expect_rejected(parse_duration("5 parsecs"), "5 parsecs");
    expect_rejected(parse_duration("5"), "5");
    expect_rejected(parse_duration("5MS"), "5MS");
    expect_rejected(parse_duration("1e3ms"), "1e3ms");
    EXPECT_NE(parse_duration("5 parsecs").error().find("ns, us, ms, s, min or h"),
              std::string::npos);
}

TEST(UnitsDuration, RejectsNegativeEmptyAndMalformed) {
    expect_rejected(parse_duration("-1ms"), "-1ms");
    expect_rejected(parse_duration(""), "");
    expect_rejected(parse_duration("ms"), "ms");
    expect_rejected(parse_duration("1.2.3ms"), "1.2.3ms");
    expect_rejected(parse_duration("9999999999h"), "9999999999h");  // beyond 292 years
}

TEST(UnitsBandwidth, DecimalPrefixesInBitsPerSecond) {
    EXPECT_EQ(bps("100Mbit"), 100'000'000u);
    EXPECT_EQ(bps("100Mbps"), 100'000'000u);
    EXPECT_EQ(bps("1.5Gbps"), 1'500'000'000u);
    EXPECT_EQ(bps("1.5Gbit"), 1'500'000'000u);
    EXPECT_EQ(bps("10kbit"), 10'000u);
    EXPECT_EQ(bps("56kbps"), 56'000u);
    EXPECT_EQ(bps("9600bit"), 9'600u);
    EXPECT_EQ(bps("2Tbit"), 2'000'000'000'000u);
}

TEST(UnitsBandwidth, RejectsOtherUnitsAndZero) {
    expect_rejected(parse_bandwidth("100Mbyte"), "100Mbyte");
    expect_rejected(parse_bandwidth("100MB"), "100MB");
    expect_rejected(parse_bandwidth("100"), "100");
    expect_rejected(parse_bandwidth("fast"), "fast");
    expect_rejected(parse_bandwidth("-1Mbit"), "-1Mbit");
    expect_rejected(parse_bandwidth(""), "");
    expect_rejected(parse_bandwidth("0bit"), "0bit");
    expect_rejected(parse_bandwidth("0.4bit"), "0.4bit");  // rounds to nothing
}

TEST(UnitsProbability, PercentOrFraction) {
    EXPECT_DOUBLE_EQ(probability("1%"), 0.01);
    EXPECT_DOUBLE_EQ(probability("0.5%"), 0.005);
    EXPECT_DOUBLE_EQ(probability("0.25"), 0.25);
    EXPECT_DOUBLE_EQ(probability("0"), 0);
    EXPECT_DOUBLE_EQ(probability("0%"), 0);
    EXPECT_DOUBLE_EQ(probability("1"), 1);
    EXPECT_DOUBLE_EQ(probability("100%"), 1);
}

TEST(UnitsProbability, RejectsOutOfRangeAndNonNumbers) {
    expect_rejected(parse_probability("101%"), "101%");
    expect_rejected(parse_probability("-1%"), "-1%");
    expect_rejected(parse_probability("1.5"), "1.5");  // a fraction above 1
    expect_rejected(parse_probability("abc"), "abc");
    expect_rejected(parse_probability("%"), "%");
    expect_rejected(parse_probability(""), "");
    expect_rejected(parse_probability("1 %"), "1 %");
    expect_rejected(parse_probability("nan"), "nan");
    EXPECT_NE(parse_probability("101%").error().find("outside 0%..100%"), std::string::npos);
}

TEST(UnitsSize, DecimalAndBinaryUnits) {
    EXPECT_EQ(bytes("64KB"), 64'000u);
    EXPECT_EQ(bytes("1KiB"), 1'024u);
    EXPECT_EQ(bytes("2MiB"), 2'097'152u);
    EXPECT_EQ(bytes("3MB"), 3'000'000u);
    EXPECT_EQ(bytes("1GiB"), 1'073'741'824u);
    EXPECT_EQ(bytes("1500B"), 1'500u);
    EXPECT_EQ(bytes("1500"), 1'500u);
    EXPECT_EQ(bytes("1.5KB"), 1'500u);  // a fraction is fine if the bytes are whole
}

TEST(UnitsSize, RejectsFractionsOfABytesAndUnknownUnits) {
    expect_rejected(parse_size("1.5B"), "1.5B");
    expect_rejected(parse_size("1.5"), "1.5");
    expect_rejected(parse_size("64kb"), "64kb");
    expect_rejected(parse_size("10 packets"), "10 packets");
    expect_rejected(parse_size("-1KB"), "-1KB");
    expect_rejected(parse_size(""), "");
}

}  // namespace
