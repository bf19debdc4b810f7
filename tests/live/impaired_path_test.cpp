// The live driver's impairments: the --impair flag, and what an ImpairedPath
// does to frames on the wall clock (no TAP needed).
#include "live/impaired_path.hpp"

#include <gtest/gtest.h>

#include "testing/printers.hpp"

namespace {

using base::Duration;
using live::ImpairedPath;
using live::Loop;
using namespace base::literals;

TEST(Impair, ParsesTheKeysOfASimulatedLink) {
    auto i = live::parse_impairment("loss=3%,reorder=10%,delay=10ms,duplicate=1%");
    ASSERT_TRUE(i) << i.error();
    EXPECT_DOUBLE_EQ(i->impairments.loss, 0.03);
    EXPECT_DOUBLE_EQ(i->impairments.reorder, 0.10);
    EXPECT_DOUBLE_EQ(i->impairments.duplicate, 0.01);
    EXPECT_EQ(i->delay, 10_ms);
    auto j = live::parse_impairment(
        "jitter=2ms,jitter_distribution=normal,corrupt=0.001,"
        "reorder_gap=5,loss_correlation=25%");
    ASSERT_TRUE(j) << j.error();
    EXPECT_EQ(j->impairments.jitter, 2_ms);
    EXPECT_EQ(j->impairments.jitter_distribution, netem::JitterDistribution::normal);
    EXPECT_EQ(j->impairments.reorder_gap, 5u);
}

TEST(Impair, BadFlagsSayWhatAndWhere) {
    auto err = [](std::string_view text) {
        auto r = live::parse_impairment(text);
        return r ? std::string("accepted") : r.error();
    };
    EXPECT_EQ(err("loss=3%,speed=10"),
              "--impair, character 9: speed: unknown key (known: loss, loss_correlation, delay, "
              "jitter, jitter_distribution, jitter_correlation, reorder, reorder_correlation, "
              "reorder_gap, duplicate, duplicate_correlation, corrupt, corrupt_correlation)");
    EXPECT_NE(err("loss=300%").find("--impair, character 1: loss: "), std::string::npos);
    EXPECT_EQ(err("loss"), "--impair, character 1: 'loss' is not KEY=VALUE");
    EXPECT_EQ(err("loss=1%,"), "--impair, character 9: '' is not KEY=VALUE");
    EXPECT_NE(err("delay=fast").find("character 1: delay: "), std::string::npos);
    EXPECT_NE(err("reorder=5%").find("reorder needs a delay"), std::string::npos);
}

// Runs the loop until `done` or a wall-clock limit.
void run_until(Loop& loop, const std::function<bool()>& done, Duration limit) {
    const auto give_up = loop.after(limit, [&] { loop.stop(); });
    std::function<void()> check;
    check = [&] {
        if (done()) {
            loop.stop();
            return;
        }
        loop.after(1_ms, check);
    };
    loop.after(Duration::zero(), check);
    ASSERT_TRUE(loop.run());
    loop.cancel(give_up);
}

base::PacketBuffer frame(base::BufferPool& pool, uint32_t n) {
    base::PacketBuffer b = pool.acquire();
    auto out = b.append(4);
    base::store_be32(out, 0, n);
    return b;
}

uint32_t number(const base::PacketBuffer& b) {
    return base::load_be32(b.bytes(), 0);
}

// Without impairments a frame passes at once, untouched.
TEST(ImpairedPath, NoImpairmentPassesFramesThrough) {
    auto loop = Loop::create().value();
    base::BufferPool pool;
    std::vector<uint32_t> out;
    ImpairedPath path(*loop, {}, base::Seed(1),
                      [&](base::PacketBuffer f) { out.push_back(number(f)); });
    for (uint32_t i = 0; i < 5; ++i)
        path.push(frame(pool, i));
    EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
}

// A delay holds frames for at least that long; loss, duplication and
// reordering happen in the proportions asked for, and every frame that is
// not lost comes out once (twice if duplicated).
TEST(ImpairedPath, LossDuplicationReorderingAndDelay) {
    auto loop = Loop::create().value();
    base::BufferPool pool;
    auto imp = live::parse_impairment("loss=10%,duplicate=5%,reorder=20%,delay=20ms").value();
    std::vector<uint32_t> out;
    std::vector<Duration> held_for;
    constexpr uint32_t n = 2000;
    std::vector<base::Time> pushed(n);
    ImpairedPath path(*loop, imp, base::Seed(7), [&](base::PacketBuffer f) {
        out.push_back(number(f));
        held_for.push_back(Loop::now() - pushed[number(f)]);
    });
    for (uint32_t i = 0; i < n; ++i) {
        pushed[i] = Loop::now();
        path.push(frame(pool, i));
    }
    run_until(
        *loop, [&] { return path.held() == 0; }, 5_s);
    const auto& s = path.stats();
    EXPECT_EQ(s.frames, n);
    EXPECT_EQ(s.delivered, out.size());
    EXPECT_EQ(s.delivered + s.lost, n + s.duplicated);
    EXPECT_NEAR(static_cast<double>(s.lost) / n, 0.10, 0.03);
    EXPECT_NEAR(static_cast<double>(s.duplicated) / n, 0.05, 0.02);
    EXPECT_NEAR(static_cast<double>(s.reordered) / (n - s.lost), 0.20, 0.04);
    // The reordered frames came out at once, ahead of the held ones: the
    // output is out of order, and every frame held waited out the delay from
    // its own push. (Only lower bounds on the wall clock: a slow machine makes
    // every wait longer, never shorter.)
    EXPECT_FALSE(std::is_sorted(out.begin(), out.end()));
    const auto waited =
        std::count_if(held_for.begin(), held_for.end(), [](Duration d) { return d >= 20_ms; });
    EXPECT_GE(static_cast<uint64_t>(waited), s.delivered - s.reordered);
}

}  // namespace
