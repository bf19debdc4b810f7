#include "hybrid/realtime.hpp"

#include <sys/epoll.h>

#include <fmt/format.h>

#include "live/tso.hpp"
#include "wire/checksum.hpp"

namespace hybrid {
namespace {

constexpr int read_batch = 64;  // frames per wake-up, as in TapHost
// Behind the wall clock by more than this when events run: counted as late.
constexpr base::Duration late_threshold = base::Duration::milliseconds(10);

}  // namespace

// The TAP at a link's end, where a host's interface was.
class RealtimeSimulation::TapPort : public sim::FrameReceiver {
  public:
    TapPort(RealtimeSimulation& owner, std::string node, live::TapDevice tap, sim::Link& link,
            int end)
        : owner_(owner), node_(std::move(node)), tap_(std::move(tap)), link_(link), end_(end) {}

    // A frame from the simulated network for the host: to the kernel, which
    // completes a pending checksum itself when it has the offloads.
    void deliver(stack::InterfaceId, base::PacketBuffer frame) override {
        if (!tap_.offloads()) wire::checksum::complete_pending(frame);  // the kernel checks it
        auto ok = tap_.write(frame.bytes(), live::tso::header_for(frame));
        if (!ok) return owner_.fail(ok.error());
        if (*ok) {
            ++stats_.frames_out;
        } else {
            ++stats_.write_drops;
        }
    }

    // Frames from the kernel: into the link, at the present virtual time.
    void read_frames() {
        owner_.catch_up();
        const size_t max_frame = size_t{link_.params().mtu} + 14;
        // With offloads: the header, and up to a 64 KiB IP packet behind it.
        const size_t max_read =
            tap_.offloads() ? live::vnet::header_len + 65535 + 14 : max_frame + 1;
        base::BufferPool& pool = owner_.network_.sim().pool();
        for (int i = 0; i < read_batch; ++i) {
            base::PacketBuffer buf = pool.acquire(0, max_read);
            auto n = tap_.read(buf.append(max_read));
            if (!n) return owner_.fail(n.error());
            if (!*n) break;
            buf.truncate(**n);
            if (tap_.offloads()) {
                from_offloads(std::move(buf), pool, max_frame);
                continue;
            }
            if (buf.size() > max_frame) {
                ++stats_.oversize;
                continue;
            }
            ++stats_.frames_in;
            link_.send(end_, std::move(buf));
        }
        owner_.kick();
    }

    PortInfo info() const { return {node_, tap_.name(), tap_.offloads(), stats_}; }
    int fd() const { return tap_.fd(); }

  private:
    // A frame behind its virtio-net header: checksum completed, a large TCP
    // segment cut into MTU-sized frames, then into the link.
    void from_offloads(base::PacketBuffer buf, base::BufferPool& pool, size_t max_frame) {
        auto header = live::vnet::parse(buf.bytes());
        if (!header) {
            ++stats_.bad_vnet;
            return;
        }
        buf.trim_front(live::vnet::header_len);
        const bool large = header->gso_type != live::vnet::gso_none;
        auto frames = live::tso::segment(std::move(buf), *header, pool);
        if (!frames) {
            ++stats_.bad_vnet;
            return;
        }
        if (large) {
            ++stats_.large_segments;
            stats_.segments_cut += frames->size();
        }
        for (base::PacketBuffer& f : *frames) {
            if (f.size() > max_frame) {
                ++stats_.oversize;
                continue;
            }
            ++stats_.frames_in;
            link_.send(end_, std::move(f));
        }
    }

    RealtimeSimulation& owner_;
    std::string node_;
    live::TapDevice tap_;
    sim::Link& link_;
    int end_;
    TapPortStats stats_;
};

RealtimeSimulation::RealtimeSimulation(live::Loop& loop, sim::Network& network)
    : loop_(loop), network_(network), timer_(loop, [this] { kick(); }) {}

RealtimeSimulation::~RealtimeSimulation() {
    for (const auto& p : ports_)
        loop_.remove(p->fd());
}

base::Expected<void, std::string> RealtimeSimulation::replace_with_tap(const std::string& node,
                                                                       const std::string& tap,
                                                                       bool offload) {
    sim::Node* n = network_.find_node(node);
    if (!n) {
        std::string known;
        for (const auto& each : network_.nodes()) {
            if (each->config().host.forwarding) continue;
            known += (known.empty() ? "" : ", ") + each->name();
        }
        return base::fail(fmt::format("--tap {}={}: the topology has no host '{}' (hosts: {})",
                                      node, tap, node, known));
    }
    if (n->config().host.forwarding)
        return base::fail(fmt::format(
            "--tap {}={}: '{}' is a router; a TAP takes the place of a host", node, tap, node));
    if (n->config().interfaces.size() != 1)
        return base::fail(
            fmt::format("--tap {}={}: '{}' has {} interfaces; a TAP takes the "
                        "place of a host with one",
                        node, tap, node, n->config().interfaces.size()));
    for (const auto& p : ports_) {
        if (p->info().node == node)
            return base::fail(fmt::format("--tap {}={}: '{}' already has a TAP", node, tap, node));
    }
    sim::Link* link = n->link_of(0);
    if (!link) return base::fail(fmt::format("--tap {}={}: '{}' is on no link", node, tap, node));
    // Offloads where the kernel grants them, as `minternet live` takes them.
    auto open = [&] {
        if (offload) {
            if (auto with = live::TapDevice::open_with_offloads(tap)) return with;
        }
        return live::TapDevice::open(tap);
    };
    auto device = open();
    if (!device) return base::fail(fmt::format("--tap {}={}: {}", node, tap, device.error()));
    const int end = n->end_of(0);
    auto port = std::make_unique<TapPort>(*this, node, std::move(*device), *link, end);
    if (auto ok = loop_.add(port->fd(), EPOLLIN, [p = port.get()](uint32_t) { p->read_frames(); });
        !ok)
        return base::fail(ok.error());
    // The simulated host is cut off: what it would send goes nowhere, and
    // what the link brings goes to the kernel.
    n->attach(0, nullptr, end);
    link->set_receiver(end, port.get());
    ports_.push_back(std::move(port));
    return {};
}

void RealtimeSimulation::start() {
    origin_ = live::Loop::now() - (network_.sim().now() - base::Time::zero());
    started_ = true;
    kick();
}

void RealtimeSimulation::catch_up() {
    if (!started_) return;
    sim::Simulator& sim = network_.sim();
    const base::Time target = base::Time::zero() + (live::Loop::now() - origin_);
    if (target <= sim.now()) return;
    if (sim.next_event_time() + late_threshold < target) ++late_;
    sim.run_for(target - sim.now());
}

void RealtimeSimulation::kick() {
    if (in_kick_ || !started_) return;
    in_kick_ = true;
    catch_up();
    in_kick_ = false;
    const base::Time next = network_.sim().next_event_time();
    timer_.set(next.is_never() ? next : origin_ + (next - base::Time::zero()));
}

void RealtimeSimulation::fail(std::string error) {
    if (!failure_) failure_ = std::move(error);
    loop_.stop();
}

std::vector<RealtimeSimulation::PortInfo> RealtimeSimulation::ports() const {
    std::vector<PortInfo> out;
    for (const auto& p : ports_)
        out.push_back(p->info());
    return out;
}

}  // namespace hybrid
