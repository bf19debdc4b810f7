#include "sim/trace.hpp"

#include <algorithm>

namespace sim {

base::Time time_of(const Event& e) {
    return std::visit([](const auto& x) { return x.t; }, e);
}

void Tracer::add(EventSink* sink) {
    sinks_.push_back({sink, sink->wants()});
    mask_ = mask_ | sinks_.back().mask;
}

void Tracer::remove(EventSink* sink) {
    std::erase_if(sinks_, [&](const Entry& e) { return e.sink == sink; });
    mask_ = EventMask{};
    for (const Entry& e : sinks_)
        mask_ = mask_ | e.mask;
}

void Tracer::emit(const Event& e) {
    const size_t kind = e.index();
    // By index: a sink may remove itself (or another) while it is called.
    for (size_t i = 0; i < sinks_.size(); ++i) {
        if (sinks_[i].mask.has(kind)) sinks_[i].sink->event(e);
    }
}

}  // namespace sim
