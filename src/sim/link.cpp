#include "sim/link.hpp"

#include <algorithm>

#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"

namespace sim {

Link::Link(Simulator& sim, std::string name, LinkParams params, End a, End b, base::Seed seed)
    : sim_(sim),
      name_(std::move(name)),
      params_(params),
      ends_{std::move(a), std::move(b)},
      dirs_{
          Direction{.impairments = netem::ImpairmentState(params.impairments, seed.derive("a->b"))},
          Direction{.impairments =
                        netem::ImpairmentState(params.impairments, seed.derive("b->a"))}} {}

base::Duration Link::serialization(size_t bytes) const {
    if (params_.bandwidth_bps == 0) return base::Duration::zero();
    const uint64_t bits_ns = static_cast<uint64_t>(bytes) * 8 * 1'000'000'000ULL;
    return base::Duration::nanoseconds(
        static_cast<int64_t>((bits_ns + params_.bandwidth_bps - 1) / params_.bandwidth_bps));
}

void Link::drop(int d, stack::DropReason reason, base::ByteSpan frame) {
    DirectionStats& s = dirs_[static_cast<size_t>(d)].stats;
    switch (reason) {
        case stack::DropReason::queue_full:
            ++s.dropped_queue;
            break;
        case stack::DropReason::loss:
            ++s.dropped_loss;
            break;
        case stack::DropReason::link_down:
            ++s.dropped_down;
            break;
        case stack::DropReason::too_big:
            ++s.dropped_too_big;
            break;
        case stack::DropReason::filtered:
            ++s.dropped_filtered;
            break;
        default:
            break;
    }
    if (observer_) observer_->link_dropped(sim_.now(), *this, d, reason, frame);
}

void Link::send(int from_end, base::PacketBuffer frame) {
    const int d = from_end;
    Direction& dir = dirs_[static_cast<size_t>(d)];
    ++dir.stats.offered;
    if (!up_) return drop(d, stack::DropReason::link_down, frame.bytes());
    if (frame.size() > params_.mtu + wire::ethernet::header_len) {
        return drop(d, stack::DropReason::too_big, frame.bytes());
    }
    settle(dir);
    const bool full =
        queued_frames(dir) >= params_.queue_packets ||
        (params_.queue_bytes != 0 && dir.queued_bytes + frame.size() > params_.queue_bytes);
    if (full) return drop(d, stack::DropReason::queue_full, frame.bytes());
    dir.queued_bytes += frame.size();
    // A filter set while frames wait for an impaired transmitter applies
    // from the next frame on; those already waiting keep their order.
    if (!filter_ && !impaired_ && !dir.transmitting) {
        send_timed(d, std::move(frame));
    } else {
        dir.queue.push_back(std::move(frame));
        if (!dir.transmitting) start_next(d);
    }
    dir.stats.max_queue = std::max(dir.stats.max_queue, queued_frames(dir));
}

void Link::send_timed(int d, base::PacketBuffer&& frame) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    const base::Time departure =
        std::max(sim_.now(), dir.busy_until) + serialization(dir, frame.size());
    dir.busy_until = departure;
    const base::Time arrival = std::max(departure + params_.delay, dir.last_arrival);
    dir.last_arrival = arrival;
    dir.in_flight.emplace_back(std::move(frame), departure, arrival, sim_.reserve_place());
    ++dir.waiting;
    if (dir.in_flight.size() == 1) schedule_head(d, dir.epoch, dir.in_flight);
}

void Link::settle(Direction& dir) {
    const base::Time now = sim_.now();
    while (dir.waiting > 0) {
        const OnWire& next = dir.in_flight[dir.in_flight.size() - dir.waiting];
        if (next.departure > now) break;
        dir.queued_bytes -= next.frame.size();
        --dir.waiting;
    }
}

void Link::start_next(int d) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    if (dir.queue.empty()) {
        dir.transmitting = false;
        return;
    }
    dir.transmitting = true;
    // After the frames an unimpaired direction already put on the transmitter.
    const base::Time start = std::max(sim_.now(), dir.busy_until);
    const base::Time done = start + serialization(dir, dir.queue.front().size());
    dir.busy_until = done;
    sim_.schedule_at(done, [this, d, epoch = dir.epoch] { finish_transmit(d, epoch); });
}

void Link::finish_transmit(int d, uint64_t epoch) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    if (epoch != dir.epoch) return;  // the link went down; the queue is gone
    base::PacketBuffer frame = std::move(dir.queue.front());
    dir.queue.pop_front();
    dir.queued_bytes -= frame.size();
    if (filter_) wire::checksum::complete_pending(frame);  // it sees the frame as sent
    if (filter_ && filter_(d, frame.bytes())) {
        drop(d, stack::DropReason::filtered, frame.bytes());
    } else if (impaired_) {
        const netem::ImpairmentState::FrameFate fate = dir.impairments.decide_frame();
        if (fate.duplicate) {
            ++dir.stats.duplicated;
            if (observer_) observer_->link_duplicated(sim_.now(), *this, d, frame.bytes());
            depart(d, frame.clone(), *fate.duplicate);
        }
        depart(d, std::move(frame), fate.frame);
    } else {
        depart(d, std::move(frame), {});
    }
    start_next(d);
}

void Link::depart(int d, base::PacketBuffer frame, netem::ImpairmentState::Decision decision) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    settle(dir);  // frames sent unimpaired before a filter was set have left
    if (decision.lose) return drop(d, stack::DropReason::loss, frame.bytes());
    if (decision.corrupt) {
        // The receiver must find the damage: the checksum is summed before it.
        wire::checksum::complete_pending(frame);
        const size_t bit = dir.impairments.corrupt(frame.bytes());
        ++dir.stats.corrupted;
        if (observer_) observer_->link_corrupted(sim_.now(), *this, d, frame.bytes(), bit);
    }
    if (decision.reorder) {
        // netem: the frame skips the delay and overtakes those in flight.
        ++dir.stats.reordered;
        if (observer_) observer_->link_reordered(sim_.now(), *this, d, frame.bytes());
        sim_.schedule_at(sim_.now(), [this, d, epoch = dir.epoch, f = std::move(frame)]() mutable {
            arrive(d, epoch, std::move(f));
        });
        return;
    }
    base::Time arrival = std::max(sim_.now(), sim_.now() + params_.delay + decision.jitter);
    // Jitter alone does not reorder: a frame never arrives before the one
    // sent ahead of it (as netem with a rate, or a real wire).
    arrival = std::max(arrival, dir.last_arrival);
    dir.last_arrival = arrival;
    dir.in_flight.push_back(OnWire{std::move(frame), sim_.now(), arrival, sim_.reserve_place()});
    if (dir.in_flight.size() == 1) schedule_head(d, dir.epoch, dir.in_flight);
}

void Link::schedule_head(int d, uint64_t epoch, const base::Ring<OnWire>& wire) {
    if (wire.empty()) return;
    sim_.schedule_at(wire.front().arrival, wire.front().place,
                     [this, d, epoch] { arrive_in_order(d, epoch); });
}

void Link::arrive_in_order(int d, uint64_t epoch) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    base::Ring<OnWire>* wire = &dir.in_flight;
    auto lost = dir.lost.end();
    if (epoch != dir.epoch) {
        // Sent before the link went down (set_up kept it aside).
        lost = std::find_if(dir.lost.begin(), dir.lost.end(),
                            [&](const auto& l) { return l.first == epoch; });
        // None left the transmitter before the link went down: they were
        // dropped from the queue then.
        if (lost == dir.lost.end()) return;
        wire = &lost->second;
    } else {
        settle(dir);  // this frame has left, even if it left just now
    }
    base::PacketBuffer frame = std::move(wire->front().frame);
    wire->pop_front();
    schedule_head(d, epoch, *wire);
    if (lost != dir.lost.end() && wire->empty()) dir.lost.erase(lost);
    arrive(d, epoch, std::move(frame));
}

void Link::arrive(int d, uint64_t epoch, base::PacketBuffer&& frame) {
    Direction& dir = dirs_[static_cast<size_t>(d)];
    if (epoch != dir.epoch) return drop(d, stack::DropReason::link_down, frame.bytes());
    ++dir.stats.delivered;
    dir.stats.bytes_delivered += frame.size();
    const End& to = ends_[static_cast<size_t>(1 - d)];
    to.receiver->deliver(to.interface, std::move(frame));
}

void Link::set_up(bool up) {
    if (up == up_) return;
    up_ = up;
    if (!up) {
        for (int d = 0; d < 2; ++d) {
            Direction& dir = dirs_[static_cast<size_t>(d)];
            ++dir.epoch;
            while (!dir.queue.empty()) {
                drop(d, stack::DropReason::link_down, dir.queue.front().bytes());
                dir.queue.pop_front();
            }
            // An unimpaired direction's queue is the tail of its wire.
            settle(dir);
            for (size_t i = dir.in_flight.size() - dir.waiting; i < dir.in_flight.size(); ++i)
                drop(d, stack::DropReason::link_down, dir.in_flight[i].frame.bytes());
            for (; dir.waiting > 0; --dir.waiting)
                dir.in_flight.pop_back();
            // Frames on the wire are lost as they would have arrived (their
            // events still come, in order, and see the old epoch).
            if (!dir.in_flight.empty()) {
                dir.lost.emplace_back(dir.epoch - 1, std::move(dir.in_flight));
                dir.in_flight.clear();
            }
            dir.queued_bytes = 0;
            dir.transmitting = false;
            dir.busy_until = base::Time::zero();
            dir.last_arrival = base::Time::zero();
        }
    }
    if (observer_) observer_->link_state(sim_.now(), *this, up);
}

}  // namespace sim
