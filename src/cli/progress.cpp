#include "cli/progress.hpp"

#include <cstdlib>
#include <string>

#include <fmt/format.h>

namespace cli {
namespace {

// How long a run goes before the line appears. MINTERNET_PROGRESS_AFTER_MS
// sets it (tests use 0 to see the line on a short run).
std::chrono::milliseconds wait_before_showing() {
    if (const char* v = std::getenv("MINTERNET_PROGRESS_AFTER_MS")) {
        char* end = nullptr;
        const long ms = std::strtol(v, &end, 10);
        if (end != v && *end == '\0' && ms >= 0) return std::chrono::milliseconds(ms);
    }
    return std::chrono::milliseconds(1000);
}

}  // namespace

Progress::Progress(std::FILE* out, bool enabled, std::optional<base::Time> end)
    : out_(out),
      enabled_(enabled),
      end_(end),
      started_(std::chrono::steady_clock::now()),
      after_(wait_before_showing()) {}

void Progress::draw(base::Time now, uint64_t events) {
    const auto wall = std::chrono::steady_clock::now();
    if (wall - started_ < after_) return;
    if (drawn_ && wall - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = wall;
    const double seconds = std::chrono::duration<double>(wall - started_).count();
    std::string bar;
    if (end_ && *end_ > base::Time::zero()) {
        const double fraction = std::min(
            1.0, (now - base::Time::zero()).seconds_f() / (*end_ - base::Time::zero()).seconds_f());
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        bar = fmt::format("[{}{}] {:3.0f}% ", std::string(static_cast<size_t>(filled), '='),
                          std::string(static_cast<size_t>(width - filled), ' '), fraction * 100);
    }
    fmt::print(out_, "\r{}virtual {:.3f} s, {} events, {:.1f} s of wall time\033[K", bar,
               (now - base::Time::zero()).seconds_f(), events, seconds);
    std::fflush(out_);
    drawn_ = true;
}

void Progress::finish() {
    if (!drawn_) return;
    fmt::print(out_, "\r\033[K");
    std::fflush(out_);
    drawn_ = false;
}

}  // namespace cli
