// A point-to-point link between two interfaces: in each direction a bounded
// drop-tail queue, a transmitter with the link's bandwidth (serialization delay),
// the propagation delay, and the impairments. The link can be taken down and
// brought up; frames queued or in flight when it goes down are lost.
//
// A direction with no impairments and no filter decides nothing when a frame
// leaves the transmitter, so it does not stop there: when a frame is queued,
// the time it will leave (after those ahead of it) and arrive are known, and
// the frame costs one event, its arrival. The queue's occupancy at any moment
// is the frames that have not left yet. Impaired or filtered directions take
// each frame off the queue at its departure (an event), where loss, corruption,
// duplication, reordering and the filter are decided, as netem does.
#pragma once

#include <array>
#include <functional>
#include <list>
#include <string>
#include <utility>
#include <vector>

#include "base/buffer.hpp"
#include "base/ring.hpp"
#include "netem/impairments.hpp"
#include "sim/simulator.hpp"
#include "stack/events.hpp"

namespace sim {

struct LinkParams {
    uint64_t bandwidth_bps = 0;   // 0: no serialization delay
    base::Duration delay{};       // propagation, one way
    uint16_t mtu = 1500;          // largest IP packet; frames may be 14 bytes longer
    size_t queue_packets = 1000;  // frames waiting to be transmitted, per direction
    size_t queue_bytes = 0;       // 0: no limit in bytes
    uint32_t cost = 1;            // for shortest-path routing
    netem::Impairments impairments;
};

// Where a link hands the frames it delivers.
class FrameReceiver {
  public:
    virtual ~FrameReceiver() = default;
    virtual void deliver(stack::InterfaceId interface, base::PacketBuffer frame) = 0;
};

class Link;

class LinkObserver {
  public:
    virtual ~LinkObserver() = default;
    virtual void link_dropped(base::Time, const Link&, int /*direction*/, stack::DropReason,
                              base::ByteSpan /*frame*/) {}
    virtual void link_corrupted(base::Time, const Link&, int /*direction*/,
                                base::ByteSpan /*frame*/, size_t /*bit*/) {}
    virtual void link_duplicated(base::Time, const Link&, int /*direction*/,
                                 base::ByteSpan /*frame*/) {}
    virtual void link_reordered(base::Time, const Link&, int /*direction*/,
                                base::ByteSpan /*frame*/) {}
    virtual void link_state(base::Time, const Link&, bool /*up*/) {}
};

class Link {
  public:
    struct End {
        FrameReceiver* receiver = nullptr;
        stack::InterfaceId interface = 0;
        std::string node;  // for names and logs
    };

    struct DirectionStats {
        uint64_t offered = 0;  // frames handed to the link
        uint64_t delivered = 0;
        uint64_t bytes_delivered = 0;
        uint64_t dropped_queue = 0;
        uint64_t dropped_loss = 0;
        uint64_t dropped_down = 0;
        uint64_t dropped_too_big = 0;
        uint64_t dropped_filtered = 0;
        uint64_t corrupted = 0;
        uint64_t duplicated = 0;
        uint64_t reordered = 0;
        size_t max_queue = 0;
    };

    // Direction 0 carries frames from end `a` to end `b`, direction 1 back.
    Link(Simulator& sim, std::string name, LinkParams params, End a, End b, base::Seed seed);
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    // A frame from the node at end `from_end` (0 = a, 1 = b).
    void send(int from_end, base::PacketBuffer frame);
    void set_up(bool up);
    bool up() const { return up_; }

    const std::string& name() const { return name_; }
    const LinkParams& params() const { return params_; }
    const End& end(int i) const { return ends_[static_cast<size_t>(i)]; }
    // Frames for end `i` go to `receiver` from now on (the live hybrid mode
    // puts a TAP device where a node was).
    void set_receiver(int i, FrameReceiver* receiver) {
        ends_[static_cast<size_t>(i)].receiver = receiver;
    }
    const DirectionStats& stats(int direction) const {
        return dirs_[static_cast<size_t>(direction)].stats;
    }
    void set_observer(LinkObserver* o) { observer_ = o; }
    // Decides, for each frame leaving the transmitter, whether to drop it
    // (DropReason::filtered): "lose exactly the second fragment".
    using Filter = std::function<bool(int direction, base::ByteSpan frame)>;
    void set_filter(Filter f) { filter_ = std::move(f); }

    // Time to put `bytes` on the wire at this link's bandwidth (rounded up).
    base::Duration serialization(size_t bytes) const;

  private:
    struct OnWire {
        base::PacketBuffer frame;
        base::Time departure;  // when its last bit leaves the transmitter
        base::Time arrival;
        uint64_t place;  // in the simulator's order (Simulator::reserve_place)
    };
    struct Direction {
        // Frames waiting for the transmitter of an impaired or filtered
        // direction (the first is being transmitted).
        base::Ring<base::PacketBuffer> queue;
        // Frames on the wire, in the order they arrive. Only the first has
        // an event in the simulator's queue; when it arrives, the next one's
        // is scheduled, in the place it took when it was sent (so the order
        // of events is the same as with an event each, and the queue stays
        // short). A reordered frame skips the wire and carries itself. In an
        // unimpaired direction the last `waiting` entries have not left the
        // transmitter yet: they are the queue.
        base::Ring<OnWire> in_flight;
        size_t waiting = 0;
        base::Time busy_until = base::Time::zero();  // the transmitter's
        // What was on the wire when the link went down, by the epoch it was
        // sent in: lost, each when it would have arrived.
        std::list<std::pair<uint64_t, base::Ring<OnWire>>> lost;
        size_t queued_bytes = 0;
        bool transmitting = false;
        uint64_t epoch = 0;  // bumped when the link goes down
        base::Time last_arrival = base::Time::zero();
        netem::ImpairmentState impairments;
        DirectionStats stats;
        // The last frame size sent and its serialization time: a direction
        // carries mostly one size (full segments one way, ACKs the other),
        // and this spares a 64-bit division per frame.
        size_t timed_bytes = 0;
        base::Duration timed = base::Duration::zero();
    };
    base::Duration serialization(Direction& dir, size_t bytes) const {
        if (bytes != dir.timed_bytes) {
            dir.timed_bytes = bytes;
            dir.timed = serialization(bytes);
        }
        return dir.timed;
    }

    // An unimpaired direction: the frame is scheduled to arrive at once.
    void send_timed(int d, base::PacketBuffer&& frame);
    // Frames of an unimpaired direction that have left the transmitter by
    // now leave the queue's count.
    void settle(Direction& dir);
    // Frames in the queue (waiting, or being transmitted) and their bytes.
    size_t queued_frames(const Direction& dir) const { return dir.queue.size() + dir.waiting; }
    void start_next(int d);
    void finish_transmit(int d, uint64_t epoch);
    void depart(int d, base::PacketBuffer frame, netem::ImpairmentState::Decision decision);
    void arrive(int d, uint64_t epoch, base::PacketBuffer&& frame);
    void arrive_in_order(int d, uint64_t epoch);
    // Schedules the arrival of the first frame of `wire` (sent in `epoch`).
    void schedule_head(int d, uint64_t epoch, const base::Ring<OnWire>& wire);
    void drop(int d, stack::DropReason reason, base::ByteSpan frame);

    Simulator& sim_;
    std::string name_;
    const LinkParams params_;
    const bool impaired_ = params_.impairments.any();
    std::array<End, 2> ends_;
    std::array<Direction, 2> dirs_;
    bool up_ = true;
    LinkObserver* observer_ = nullptr;
    Filter filter_;
};

}  // namespace sim
