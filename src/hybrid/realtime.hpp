// Hybrid mode: a simulated internet run on the wall clock, with hosts of its
// topology replaced by TAP devices. The kernel takes such a host's place on
// its link: frames the simulated network sends to the host go out on the TAP,
// frames the kernel sends on the TAP enter the link as if the host had sent
// them. So `curl`, `dig` and `ping` on the kernel side reach simulated servers
// behind simulated routers, lossy links and all.
//
//   minternet run examples/dns.yaml --realtime --tap client=mtap0
//
// The simulator keeps virtual time equal to the time since start on the
// monotonic clock: before a frame from the kernel enters, events due by now
// run; between frames the loop sleeps until the next event is due. A
// simulation slower than real time falls behind and catches up in bursts
// (counted as `late`).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "live/loop.hpp"
#include "live/tap.hpp"
#include "sim/network.hpp"

namespace hybrid {

struct TapPortStats {
    uint64_t frames_in = 0;   // from the kernel into the link
    uint64_t frames_out = 0;  // from the link to the kernel
    uint64_t write_drops = 0;
    uint64_t oversize = 0;        // larger than the link's MTU allows: dropped
    uint64_t large_segments = 0;  // the kernel's large TCP segments (offloads on)
    uint64_t segments_cut = 0;    // the MTU-sized frames they were cut into
    uint64_t bad_vnet = 0;        // frames with a virtio-net header that does not fit: dropped
};

class RealtimeSimulation {
  public:
    RealtimeSimulation(live::Loop& loop, sim::Network& network);
    ~RealtimeSimulation();
    RealtimeSimulation(const RealtimeSimulation&) = delete;
    RealtimeSimulation& operator=(const RealtimeSimulation&) = delete;

    // Puts TAP device `tap` where host `node` was: the node must be a host
    // with one interface. The simulated host stays but is cut off its link.
    // With `offload`, the TAP takes the kernel's offloads where it grants
    // them: partial checksums go both ways, and the kernel's large TCP
    // segments are cut to MTU-sized frames (live::tso::segment) before the
    // link, which carries frames as a wire does.
    base::Expected<void, std::string> replace_with_tap(const std::string& node,
                                                       const std::string& tap,
                                                       bool offload = false);

    // Virtual time now is wall time now; events start running.
    void start();
    // Runs the events due by the wall clock and sleeps until the next.
    void kick();
    // Runs the events due by the wall clock and moves virtual time to it.
    void catch_up();
    // The loop stopped because a TAP failed (the error), if it did.
    const std::optional<std::string>& failure() const { return failure_; }

    struct PortInfo {
        std::string node;
        std::string tap;
        bool offloads = false;
        TapPortStats stats;
    };
    std::vector<PortInfo> ports() const;
    uint64_t late_catch_ups() const { return late_; }

  private:
    class TapPort;
    void fail(std::string error);

    live::Loop& loop_;
    sim::Network& network_;
    std::vector<std::unique_ptr<TapPort>> ports_;
    base::Time origin_;  // wall time of virtual time zero
    bool started_ = false;
    bool in_kick_ = false;
    live::DeadlineTimer timer_;  // at the next event's time on the wall clock
    uint64_t late_ = 0;
    std::optional<std::string> failure_;
};

}  // namespace hybrid
