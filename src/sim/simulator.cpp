#include "sim/simulator.hpp"

#include <algorithm>
#include <cassert>

namespace sim {

Simulator::Simulator(base::Seed seed, base::BufferPoolConfig pool) : seed_(seed), pool_(pool) {}

TimerId Simulator::schedule_at(base::Time at, Callback fn) {
    assert(!at.is_never() && "cannot schedule at Time::never()");
    at = std::max(at, now_);
    uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<uint32_t>(slots_.size());
        slots_.emplace_back();
    }
    Slot& s = slots_[slot];
    s.fn = std::move(fn);
    s.live = true;
    heap_push(Entry{at, sequence_++, slot, s.generation});
    ++queued_;
    return TimerId{slot, s.generation};
}

void Simulator::heap_push(Entry e) {
    size_t hole = heap_.size();
    heap_.push_back(e);
    while (hole > 0) {
        const size_t parent = (hole - 1) / 4;
        if (!(heap_[parent] > e)) break;
        heap_[hole] = heap_[parent];
        hole = parent;
    }
    heap_[hole] = e;
}

void Simulator::heap_pop() {
    const Entry last = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (n == 0) return;
    size_t hole = 0;
    while (true) {
        const size_t first = 4 * hole + 1;
        if (first >= n) break;
        size_t best = first;
        const size_t end = std::min(first + 4, n);
        for (size_t c = first + 1; c < end; ++c)
            if (heap_[best] > heap_[c]) best = c;
        if (!(last > heap_[best])) break;
        heap_[hole] = heap_[best];
        hole = best;
    }
    heap_[hole] = last;
}

void Simulator::heap_make() {
    std::vector<Entry> entries = std::move(heap_);
    heap_.clear();
    heap_.reserve(entries.size());
    for (const Entry& e : entries)
        heap_push(e);
}

void Simulator::release(uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    s.fn = nullptr;
    ++s.generation;  // stale heap entries and TimerIds no longer match
    free_slots_.push_back(slot);
    --queued_;
}

bool Simulator::cancel(TimerId id) {
    if (!id.valid() || id.slot() >= slots_.size()) return false;
    Slot& s = slots_[id.slot()];
    if (!s.live || s.generation != id.generation()) return false;
    release(id.slot());
    ++cancelled_in_heap_;
    // A cancelled entry stays in the heap until it reaches the top. Timers
    // that are cancelled and set again (a host's next poll, at every packet)
    // would otherwise fill it with dead entries far in the future, and every
    // push and pop would pay for them.
    if (cancelled_in_heap_ > 1024 && cancelled_in_heap_ > heap_.size() / 2) compact();
    return true;
}

void Simulator::compact() {
    std::erase_if(heap_, [this](const Entry& e) {
        const Slot& s = slots_[e.slot];
        return !s.live || s.generation != e.generation;
    });
    heap_make();
    cancelled_in_heap_ = 0;
}

void Simulator::discard_dead_top() {
    while (!heap_.empty()) {
        const Entry& top = heap_.front();
        const Slot& s = slots_[top.slot];
        if (s.live && s.generation == top.generation) return;
        heap_pop();
        if (cancelled_in_heap_ > 0) --cancelled_in_heap_;
    }
}

base::Time Simulator::next_event_time() {
    if (queued_ == 0) return base::Time::never();
    discard_dead_top();  // cancelled entries may sit on top
    return heap_.empty() ? base::Time::never() : heap_.front().at;
}

bool Simulator::step() {
    discard_dead_top();
    if (heap_.empty()) return false;
    const Entry e = heap_.front();
    heap_pop();
    assert(e.at >= now_);
    now_ = e.at;
    Callback fn = std::move(slots_[e.slot].fn);
    release(e.slot);
    ++executed_;
    fn();
    return true;
}

void Simulator::run_for(base::Duration d) {
    const base::Time until = now_ + d;
    run_until([] { return false; }, until);
    now_ = std::max(now_, until);
}

}  // namespace sim
