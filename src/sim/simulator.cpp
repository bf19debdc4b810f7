#include "sim/simulator.hpp"

#include <algorithm>
#include <cassert>

namespace sim {

Simulator::Simulator(base::Seed seed, base::BufferPoolConfig pool) : seed_(seed), pool_(pool) {}

TimerId Simulator::schedule_at(base::Time at, Callback fn) {
    return schedule_at(at, sequence_++, std::move(fn));
}

TimerId Simulator::schedule_at(base::Time at, uint64_t place, Callback fn) {
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
    if (top_vacant_) {
        top_vacant_ = false;
        sift_down(0, Entry{at, place, slot});
    } else {
        heap_.emplace_back();
        sift_up(heap_.size() - 1, Entry{at, place, slot});
    }
    return TimerId{slot, s.generation};
}

const Simulator::Slot* Simulator::pending(TimerId id) const {
    if (!id.valid() || id.slot() >= slots_.size()) return nullptr;
    const Slot& s = slots_[id.slot()];
    return s.live && s.generation == id.generation() ? &s : nullptr;
}

void Simulator::release(uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    s.fn = nullptr;
    ++s.generation;  // TimerIds no longer match
    free_slots_.push_back(slot);
}

bool Simulator::cancel(TimerId id) {
    const Slot* s = pending(id);
    if (!s) return false;
    fill_vacant_top();
    remove_at(s->heap_index);
    release(id.slot());
    return true;
}

bool Simulator::reschedule(TimerId id, base::Time at) {
    const Slot* s = pending(id);
    if (!s) return false;
    fill_vacant_top();
    const size_t index = s->heap_index;
    const Entry moved{std::max(at, now_), sequence_++, id.slot()};
    // Later than before, or the same time with a later place: only down.
    if (heap_[index] > moved) {
        sift_up(index, moved);
    } else {
        sift_down(index, moved);
    }
    return true;
}

void Simulator::sift_up(size_t hole, Entry e) {
    while (hole > 0) {
        const size_t parent = (hole - 1) / 4;
        if (!(heap_[parent] > e)) break;
        place(hole, heap_[parent]);
        hole = parent;
    }
    place(hole, e);
}

void Simulator::sift_down(size_t hole, Entry e) {
    const size_t n = heap_.size();
    while (true) {
        const size_t first = 4 * hole + 1;
        if (first >= n) break;
        size_t best = first;
        const size_t end = std::min(first + 4, n);
        for (size_t c = first + 1; c < end; ++c)
            if (heap_[best] > heap_[c]) best = c;
        if (!(e > heap_[best])) break;
        place(hole, heap_[best]);
        hole = best;
    }
    place(hole, e);
}

void Simulator::remove_at(size_t index) {
    const Entry last = heap_.back();
    heap_.pop_back();
    if (index == heap_.size()) return;  // it was the last
    if (index > 0 && heap_[(index - 1) / 4] > last) {
        sift_up(index, last);
    } else {
        sift_down(index, last);
    }
}

base::Time Simulator::next_event_time() const {
    if (!top_vacant_) return heap_.empty() ? base::Time::never() : heap_.front().at;
    // The earliest is among the vacant top's children.
    const size_t end = std::min<size_t>(5, heap_.size());
    if (end <= 1) return base::Time::never();
    size_t best = 1;
    for (size_t c = 2; c < end; ++c)
        if (heap_[best] > heap_[c]) best = c;
    return heap_[best].at;
}

bool Simulator::step() {
    fill_vacant_top();  // a step from inside an event's callback
    if (heap_.empty()) return false;
    const Entry e = heap_.front();
    assert(e.at >= now_);
    now_ = e.at;
    Callback fn = std::move(slots_[e.slot].fn);
    release(e.slot);
    ++executed_;
    top_vacant_ = true;
    // Filled however the callback ends, an exception included.
    struct Fill {
        Simulator& sim;
        ~Fill() { sim.fill_vacant_top(); }
    } fill{*this};
    fn();
    return true;
}

void Simulator::run_for(base::Duration d) {
    const base::Time until = now_ + d;
    run_until([] { return false; }, until);
    now_ = std::max(now_, until);
}

}  // namespace sim
