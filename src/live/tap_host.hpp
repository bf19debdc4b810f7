// One minternet host on a real TAP interface: the live driver of the sans-IO
// host engine (the simulator is the other one).
//
// Frames the kernel sends out of the TAP are read in batches and handed to
// the host; frames the host sends are written to the TAP. Both ways they go
// through an ImpairedPath first (loss, delay, reordering … in place of
// netem). Between events the driver sleeps in epoll until the host's next
// deadline, on the monotonic clock.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "live/impaired_path.hpp"
#include "live/loop.hpp"
#include "live/secrets.hpp"
#include "live/tap.hpp"
#include "stack/host.hpp"
#include "wire/address.hpp"

namespace live {

struct TapHostConfig {
    std::string tap;
    std::string name = "minternet";  // the host's name in messages
    wire::Ipv4Cidr address;          // "10.0.0.2/24"; 0.0.0.0/0 for no IPv4
    std::optional<wire::Ipv4Address> gateway;
    // "2001:db8::2/64": with any, the host speaks IPv6 too (and makes its
    // link-local address from its MAC); gateway6 is its IPv6 default route.
    std::vector<wire::Ipv6Cidr> addresses6;
    std::optional<wire::Ipv6Address> gateway6;
    uint16_t mtu = 1500;
    std::optional<wire::MacAddress> mac;  // none: a locally administered one from the seed
    std::vector<wire::IpAddress> nameservers;
    Impairment impairment;  // applied to frames both ways
    // Where every secret comes from: the RFC 6528 ISN key, the RFC 6056 port
    // key, DNS IDs, the MAC, the impairments' dice. None: from the OS
    // (getrandom), so that no two runs share keys anyone could guess; a
    // fixed seed is for reproducing a run.
    std::optional<uint64_t> seed;
    // Take the kernel's offloads (partial checksums, large coalesced TCP
    // segments: live/vnet.hpp) when it grants them. Never with impairments,
    // which decide per MTU-sized frame.
    bool offload = true;
};

struct TapHostStats {
    uint64_t frames_read = 0;
    uint64_t frames_written = 0;
    uint64_t write_drops = 0;     // the kernel's queue was full
    uint64_t oversize = 0;        // frames larger than the MTU allows, not passed on
    uint64_t large_segments = 0;  // coalesced TCP segments the kernel handed us (GRO)
    uint64_t bad_vnet = 0;        // frames with a malformed virtio-net header: dropped
    uint64_t large_writes = 0;    // writes of several of our segments at once (TSO)
    uint64_t segments_in_large_writes = 0;
    ImpairedPathStats to_host;    // kernel -> our stack
    ImpairedPathStats to_kernel;  // our stack -> kernel
};

class TapHost {
  public:
    static base::Expected<std::unique_ptr<TapHost>, std::string> create(Loop& loop,
                                                                        TapHostConfig config);
    ~TapHost();
    TapHost(const TapHost&) = delete;
    TapHost& operator=(const TapHost&) = delete;

    stack::Host& host() { return *host_; }
    const TapHostConfig& config() const { return config_; }
    wire::MacAddress mac() const { return host_->interface(0).mac; }

    // Runs the host's timers that are due and sleeps until its next deadline.
    // Call after touching the host from outside (starting an application).
    void kick();
    // The error that stopped the driver (the TAP failed), if one did.
    const std::optional<std::string>& failure() const { return failure_; }
    TapHostStats stats() const;
    // Whether the kernel's offloads are on (config.offload, granted).
    bool offloads() const { return tap_.offloads(); }

  private:
    TapHost(Loop& loop, TapHostConfig config, TapDevice tap);
    void read_frames();
    void write_frame(base::PacketBuffer frame);
    // With offloads, frames wait for the end of the round (a kick, a read
    // batch) and go out together, runs of TCP segments merged (live/tso.hpp).
    void flush_frames();
    void write_one(const base::PacketBuffer& frame, const vnet::Header& header);

    Loop& loop_;
    TapHostConfig config_;
    TapDevice tap_;
    base::BufferPool pool_;
    std::unique_ptr<stack::Host> host_;
    std::unique_ptr<ImpairedPath> to_host_;
    std::unique_ptr<ImpairedPath> to_kernel_;
    DeadlineTimer timer_;  // at the host's next deadline
    std::optional<std::string> failure_;
    TapHostStats stats_;
    bool in_kick_ = false;
    bool reading_ = false;  // in read_frames: the flush waits for the batch's end
    std::vector<base::PacketBuffer> outgoing_;
};

}  // namespace live
