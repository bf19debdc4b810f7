// What the live driver does to frames between the TAP and the host, in place
// of netem (which this machine's kernel does not have): the impairments of a
// simulated link, with the same keys and the same per-frame decisions
// (netem::ImpairmentState), applied to real frames on the wall clock.
//
//   --impair loss=3%,reorder=10%,delay=10ms,duplicate=1%
//
// One ImpairedPath per direction. A frame is duplicated, lost, corrupted,
// then held for `delay` plus jitter, unless it is picked for reordering: then
// it goes at once and overtakes the frames being held (netem's semantics, so
// reordering needs a delay).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/buffer.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "live/loop.hpp"
#include "netem/impairments.hpp"

namespace live {

struct Impairment {
    netem::Impairments impairments;
    base::Duration delay{};

    bool any() const { return impairments.any() || delay > base::Duration::zero(); }
};

// "loss=3%,reorder=10%,delay=10ms,duplicate=1%": the keys of a topology
// link's impairments (loss, loss_correlation, jitter, jitter_distribution,
// jitter_correlation, reorder, reorder_correlation, reorder_gap, duplicate,
// duplicate_correlation, corrupt, corrupt_correlation) and delay. An error
// names the key and the character where it starts.
base::Expected<Impairment, std::string> parse_impairment(std::string_view text);

struct ImpairedPathStats {
    uint64_t frames = 0;  // pushed in
    uint64_t lost = 0;
    uint64_t duplicated = 0;
    uint64_t corrupted = 0;
    uint64_t reordered = 0;
    uint64_t delivered = 0;
};

class ImpairedPath {
  public:
    using Deliver = std::function<void(base::PacketBuffer)>;

    ImpairedPath(Loop& loop, Impairment impairment, base::Seed seed, Deliver deliver);
    ~ImpairedPath();
    ImpairedPath(const ImpairedPath&) = delete;
    ImpairedPath& operator=(const ImpairedPath&) = delete;

    // A frame enters the path; it comes out of `deliver` now, later, twice,
    // damaged or never.
    void push(base::PacketBuffer frame);
    const ImpairedPathStats& stats() const { return stats_; }
    size_t held() const { return held_.size(); }

  private:
    void hold(base::Time due, base::PacketBuffer frame);
    void release_due();

    Loop& loop_;
    Impairment config_;
    netem::ImpairmentState state_;
    Deliver deliver_;
    // Frames waiting out their delay, by due time, then arrival order.
    std::map<std::pair<base::Time, uint64_t>, base::PacketBuffer> held_;
    uint64_t next_seq_ = 0;
    DeadlineTimer timer_;  // at the first held frame's due time
    ImpairedPathStats stats_;
};

}  // namespace live
