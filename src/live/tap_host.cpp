#include "live/tap_host.hpp"

#include "live/tso.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "live/vnet.hpp"

namespace live {
namespace {

// Frames read per wake-up before the host is polled: enough to amortise the
// poll, few enough that timers are not starved under a flood.
constexpr int read_batch = 64;

wire::MacAddress mac_from(base::Seed seed) {
    base::RandomStream rng(seed.derive("mac"));
    const uint64_t r = rng.next_u64();
    // Locally administered (bit 1 of the first octet), unicast (bit 0 clear).
    return wire::MacAddress({0x02, static_cast<uint8_t>(r >> 32), static_cast<uint8_t>(r >> 24),
                             static_cast<uint8_t>(r >> 16), static_cast<uint8_t>(r >> 8),
                             static_cast<uint8_t>(r)});
}

}  // namespace

base::Expected<std::unique_ptr<TapHost>, std::string> TapHost::create(Loop& loop,
                                                                      TapHostConfig config) {
    if (config.mtu < 576 || config.mtu > 9000)
        return base::fail(fmt::format("MTU {}: from 576 to 9000", config.mtu));
    if (config.gateway && !config.address.contains(*config.gateway))
        return base::fail(fmt::format("gateway {} is not in {}", config.gateway->to_string(),
                                      config.address.to_string()));
    auto seed = secret_seed(config.seed);
    if (!seed) return base::fail(seed.error());
    config.seed = *seed;
    // Offloads when asked for and the kernel grants them; otherwise plain.
    const bool want_offload = config.offload && !config.impairment.any();
    auto tap =
        want_offload ? TapDevice::open_with_offloads(config.tap) : TapDevice::open(config.tap);
    if (!tap && want_offload) tap = TapDevice::open(config.tap);
    if (!tap) return base::fail(tap.error());
    std::unique_ptr<TapHost> h(new TapHost(loop, std::move(config), std::move(*tap)));
    if (auto ok = loop.add(h->tap_.fd(), EPOLLIN, [p = h.get()](uint32_t) { p->read_frames(); });
        !ok)
        return base::fail(ok.error());
    return h;
}

TapHost::TapHost(Loop& loop, TapHostConfig config, TapDevice tap)
    : loop_(loop),
      config_(std::move(config)),
      tap_(std::move(tap)),
      // Blocks for the largest read: a coalesced 64 KiB segment with
      // offloads, one frame without.
      pool_(base::BufferPoolConfig{
          .block_size = (tap_.offloads() ? size_t{65535} + vnet::header_len : size_t{config_.mtu}) +
                        14 + 160 + 64}),
      timer_(loop, [this] { kick(); }) {
    const base::Seed seed(config_.seed.value());  // create() drew it: every key derives from it
    stack::HostConfig hc;
    hc.name = config_.name;
    hc.nameservers = config_.nameservers;
    // The kernel completes what TCP leaves pending (NEEDS_CSUM), and takes
    // runs of segments as one (TSO): live/tso.hpp.
    hc.checksum_offload = tap_.offloads();
    // Opening the TAP brings its carrier up, and the kernel applies that
    // change later (its link watch, up to a second after the last change,
    // more on a busy machine); what it sends before then is dropped. A lone
    // duplicate address probe at the start would miss the kernel's answer
    // (seen in CI), so two, a second apart (docs/live.md).
    hc.ipv6.dad_transmits = 2;
    host_ = std::make_unique<stack::Host>(hc, pool_, seed.derive("host"));
    const stack::InterfaceId eth =
        host_->add_interface({.name = config_.tap,
                              .mac = config_.mac.value_or(mac_from(seed)),
                              .address = config_.address,
                              .mtu = config_.mtu,
                              .ipv6_addresses = config_.addresses6,
                              .ipv6 = !config_.addresses6.empty()});
    if (config_.gateway) {
        host_->routes().add(stack::Route{.destination = {wire::Ipv4Address::any(), 0},
                                         .gateway = *config_.gateway,
                                         .interface = eth});
    }
    if (config_.gateway6) {
        host_->routes6().add(stack::Ipv6Route{.destination = {wire::Ipv6Address::any(), 0},
                                              .gateway = *config_.gateway6,
                                              .interface = eth});
    }
    to_host_ = std::make_unique<ImpairedPath>(loop_, config_.impairment, seed.derive("impair/in"),
                                              [this](base::PacketBuffer f) {
                                                  host_->receive(0, std::move(f), Loop::now());
                                                  kick();
                                              });
    to_kernel_ =
        std::make_unique<ImpairedPath>(loop_, config_.impairment, seed.derive("impair/out"),
                                       [this](base::PacketBuffer f) { write_frame(std::move(f)); });
    host_->set_frame_sink([this](stack::InterfaceId, base::PacketBuffer frame) {
        to_kernel_->push(std::move(frame));
    });
}

TapHost::~TapHost() {
    loop_.remove(tap_.fd());
    host_->set_frame_sink({});
}

void TapHost::read_frames() {
    const size_t max_frame = size_t{config_.mtu} + 14;
    const bool offloads = tap_.offloads();
    reading_ = true;
    // One byte more than a frame may be, to see frames that are too big; with
    // offloads, the header and a 64 KiB IP packet.
    const size_t max_read = offloads ? vnet::header_len + 65535 + 14 : max_frame + 1;
    for (int i = 0; i < read_batch; ++i) {
        base::PacketBuffer buf = pool_.acquire(0, max_read);
        auto n = tap_.read(buf.append(max_read));
        if (!n) {
            failure_ = n.error();
            loop_.stop();
            break;
        }
        if (!*n) break;  // drained
        ++stats_.frames_read;
        buf.truncate(**n);
        if (offloads) {
            auto header = vnet::parse(buf.bytes());
            if (!header) {
                ++stats_.bad_vnet;
                continue;
            }
            buf.trim_front(vnet::header_len);
            if (!vnet::complete_checksum(*header, buf.bytes())) {
                ++stats_.bad_vnet;
                continue;
            }
            if (header->gso_type != vnet::gso_none) {
                // A coalesced TCP segment: larger than the MTU by design,
                // and taken whole (TCP accepts any size within the window).
                ++stats_.large_segments;
                to_host_->push(std::move(buf));
                continue;
            }
        }
        if (buf.size() > max_frame) {
            ++stats_.oversize;
            continue;
        }
        to_host_->push(std::move(buf));
    }
    reading_ = false;
    kick();
}

void TapHost::write_frame(base::PacketBuffer frame) {
    if (tap_.offloads()) {
        outgoing_.push_back(std::move(frame));
        if (!in_kick_ && !reading_) flush_frames();  // not inside a round
        return;
    }
    write_one(frame, {});
}

void TapHost::flush_frames() {
    if (outgoing_.empty()) return;
    std::vector<tso::Frame> frames = tso::coalesce(std::move(outgoing_), pool_);
    outgoing_.clear();
    for (const tso::Frame& f : frames) {
        if (f.segments > 1) {
            ++stats_.large_writes;
            stats_.segments_in_large_writes += f.segments;
        }
        write_one(f.bytes, f.header);
        if (failure_) return;
    }
}

void TapHost::write_one(const base::PacketBuffer& frame, const vnet::Header& header) {
    auto ok = tap_.write(frame.bytes(), header);
    if (!ok) {
        failure_ = ok.error();
        loop_.stop();
        return;
    }
    if (*ok)
        ++stats_.frames_written;
    else
        ++stats_.write_drops;
}

void TapHost::kick() {
    // Delivering a frame polls the host, which may deliver more: run once.
    if (in_kick_) return;
    in_kick_ = true;
    base::Time now = Loop::now();
    // Bounded: a component that keeps its deadline in the past cannot hang
    // the loop; the next kick comes from the timer below.
    for (int rounds = 0; rounds < 64 && host_->next_deadline() <= now; ++rounds) {
        host_->poll(now);
        now = Loop::now();
    }
    in_kick_ = false;
    if (!reading_) flush_frames();
    timer_.set(host_->next_deadline());
}

TapHostStats TapHost::stats() const {
    TapHostStats s = stats_;
    s.to_host = to_host_->stats();
    s.to_kernel = to_kernel_->stats();
    return s;
}

}  // namespace live
