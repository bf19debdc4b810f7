// A progress line on stderr for runs that take a while: virtual time reached
// (and how far to the end, when the end is known), events run, speed. Drawn
// only on a terminal, only once a run has taken more than a second of wall
// time, at most ten times a second; cleared at the end, so what stays on the
// screen is the run's own output.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "base/time.hpp"

namespace cli {

class Progress {
  public:
    // `end`: the virtual time the run stops at, if known (--duration).
    Progress(std::FILE* out, bool enabled, std::optional<base::Time> end);
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Cheap: call after every event; it looks at the clock now and then.
    void tick(base::Time now, uint64_t events) {
        if (enabled_ && (++calls_ & 1023) == 0) draw(now, events);
    }
    // Clears the line if one was drawn.
    void finish();
    bool drawn() const { return drawn_; }

  private:
    void draw(base::Time now, uint64_t events);

    std::FILE* out_;
    bool enabled_;
    std::optional<base::Time> end_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::chrono::milliseconds after_;
    uint64_t calls_ = 0;
    bool drawn_ = false;
};

}  // namespace cli
