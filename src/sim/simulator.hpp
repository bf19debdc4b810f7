// The discrete-event simulator: a virtual clock and an event queue.
//
// Events run in (time, insertion sequence) order, so events at the same time run
// first-scheduled first and a run is a pure function of its inputs. Time never
// goes backwards: scheduling in the past schedules at now. Several simulators
// may exist in one process; nothing is global.
//
// Events that cross between partitions of a larger simulation will be messages
// stamped with a time (design.md, "Growth beyond one machine"); nothing here
// shares memory across simulators.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/buffer.hpp"
#include "base/random.hpp"
#include "base/time.hpp"

namespace sim {

class TimerId {
  public:
    constexpr TimerId() = default;
    constexpr bool valid() const { return value_ != 0; }
    constexpr bool operator==(const TimerId&) const = default;

  private:
    friend class Simulator;
    constexpr TimerId(uint32_t slot, uint32_t generation)
        : value_((uint64_t{generation} << 32) | slot) {}
    constexpr uint32_t slot() const { return static_cast<uint32_t>(value_); }
    constexpr uint32_t generation() const { return static_cast<uint32_t>(value_ >> 32); }
    uint64_t value_ = 0;
};

class Simulator {
  public:
    using Callback = std::move_only_function<void()>;

    explicit Simulator(base::Seed seed, base::BufferPoolConfig pool = {});
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    base::Time now() const { return now_; }
    base::Seed seed() const { return seed_; }
    base::BufferPool& pool() { return pool_; }

    TimerId schedule_at(base::Time at, Callback fn);
    TimerId schedule_in(base::Duration delay, Callback fn) {
        return schedule_at(now_ + delay, std::move(fn));
    }
    // False if the timer already ran or was cancelled.
    bool cancel(TimerId id);
    // Moves a pending timer to `at`, as cancelling it and scheduling its
    // callback again would (it then runs after the events already scheduled
    // for `at`), without making a new one. False if it is not pending.
    bool reschedule(TimerId id, base::Time at);

    // A place in the order of events at one time, taken now for an event
    // scheduled later with schedule_at(at, place, fn): it then runs where an
    // event scheduled now would have. A component with a FIFO of future
    // events (a link's frames on the wire) keeps only its next one in the
    // queue, and the order stays what it would have been.
    uint64_t reserve_place() { return sequence_++; }
    TimerId schedule_at(base::Time at, uint64_t place, Callback fn);

    // Runs the next event; false if there is none.
    bool step();
    // Runs events until `done()` holds (checked after each event), the queue is
    // empty, or the next event is later than `limit` (then the clock moves to
    // `limit`). Returns whether `done()` held. A template, so the check after
    // every event is inlined.
    template <class Done>
    bool run_until(Done&& done, base::Time limit = base::Time::never()) {
        if (done()) return true;
        while (true) {
            const base::Time next = next_event_time();
            if (next.is_never()) return false;
            if (next > limit) {
                now_ = std::max(now_, limit);
                return false;
            }
            step();
            if (done()) return true;
        }
    }
    // Runs every event up to now + d, then sets the clock to now + d.
    void run_for(base::Duration d);
    // Runs until the queue is empty.
    void run() {
        run_until([] { return false; });
    }

    uint64_t events_executed() const { return executed_; }
    size_t events_pending() const { return heap_.size() - (top_vacant_ ? 1 : 0); }
    // Entries in the queue: the pending events (a cancelled one leaves at once).
    size_t heap_entries() const { return events_pending(); }
    base::Time next_event_time() const;

  private:
    struct Entry {
        base::Time at;
        uint64_t sequence;
        uint32_t slot;
        // Heap order: the earliest, then the first scheduled, on top.
        bool operator>(const Entry& o) const {
            return at != o.at ? at > o.at : sequence > o.sequence;
        }
    };
    struct Slot {
        Callback fn;
        uint32_t generation = 1;
        uint32_t heap_index = 0;  // where its entry is, while live
        bool live = false;
    };

    const Slot* pending(TimerId id) const;
    void release(uint32_t slot);
    // The heap is 4-ary (children of i: 4i+1 … 4i+4): half the depth of a
    // binary heap, and a node's children share a cache line or two. Entries
    // move into a hole instead of being swapped, and each slot knows where
    // its entry is, so a timer is cancelled or moved in place — the heap
    // holds no dead entries.
    void place(size_t index, const Entry& e) {
        heap_[index] = e;
        slots_[e.slot].heap_index = static_cast<uint32_t>(index);
    }
    void sift_up(size_t hole, Entry e);
    void sift_down(size_t hole, Entry e);
    void remove_at(size_t index);
    // While an event runs its entry's place at the top of the heap stays
    // empty, and the first event it schedules goes there and sinks: most
    // events schedule one more (a link its next frame's arrival), and that
    // costs one walk down instead of a walk down for the removal and one up
    // for the insertion. Anything else done meanwhile fills the place first.
    // The order of events does not change: it is fixed by (time, sequence).
    void fill_vacant_top() {
        if (!top_vacant_) return;
        top_vacant_ = false;
        remove_at(0);
    }

    base::Seed seed_;
    base::BufferPool pool_;
    base::Time now_ = base::Time::zero();
    std::vector<Entry> heap_;
    std::vector<Slot> slots_;
    std::vector<uint32_t> free_slots_;
    uint64_t sequence_ = 0;
    uint64_t executed_ = 0;
    bool top_vacant_ = false;  // heap_[0] is the running event's old entry
};

}  // namespace sim
