#include "sim/trace.hpp"

#include <algorithm>

namespace sim {

base::Time time_of(const Event& e) {
    return std::visit([](const auto& x) { return x.t; }, e);
}

namespace {
// The kinds whose events carry a frame's or a packet's bytes.
constexpr EventMask with_frames =
    EventMask::of<ev::FrameSent, ev::FrameReceived, ev::Forwarded, ev::Dropped, ev::Reassembled,
                  ev::LinkDropped, ev::LinkCorrupted, ev::LinkDuplicated, ev::LinkReordered>();
}  // namespace

void Tracer::add(EventSink* sink) {
    sinks_.push_back({sink, sink->wants(), sink->wants_exact_frames()});
    update();
}

void Tracer::remove(EventSink* sink) {
    std::erase_if(sinks_, [&](const Entry& e) { return e.sink == sink; });
    update();
}

void Tracer::update() {
    mask_ = EventMask{};
    exact_frames_ = false;
    for (const Entry& e : sinks_) {
        mask_ = mask_ | e.mask;
        exact_frames_ = exact_frames_ || (e.exact && e.mask.intersects(with_frames));
    }
}

void Tracer::emit(const Event& e) {
    const size_t kind = e.index();
    // By index: a sink may remove itself (or another) while it is called.
    for (size_t i = 0; i < sinks_.size(); ++i) {
        if (sinks_[i].mask.has(kind)) sinks_[i].sink->event(e);
    }
}

}  // namespace sim
