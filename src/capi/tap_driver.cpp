// mnet_tap_attach, mnet_run, mnet_stop: the C API's ready driver, a host on
// a TAP device and the monotonic clock (what live::TapHost does for the
// minternet command, without the event loop, logging and DNS it brings).
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "capi/host.hpp"
#include "live/loop.hpp"

using capi::fail;

namespace capi {

void TapDriver::service(mnet_host& h) {
    h.now = std::max(h.now, live::Loop::now());
    for (;;) {
        auto n = tap_.read(buffer_);
        if (!n || !*n) break;
        h.host.receive(interface_, h.pool.copy_of(base::ByteSpan(buffer_).first(**n)), h.now);
    }
    h.now = std::max(h.now, live::Loop::now());
    h.host.poll(h.now);
}

void TapDriver::wait(mnet_host& h, base::Time deadline) {
    const base::Time until = std::min(deadline, h.host.next_deadline());
    const base::Time now = live::Loop::now();
    int ms = -1;
    if (!until.is_never())
        ms = until <= now ? 0 : static_cast<int>(((until - now).us() + 999) / 1000);
    pollfd p{.fd = tap_.fd(), .events = POLLIN, .revents = 0};
    ::poll(&p, 1, ms);
}

}  // namespace capi

bool mnet_host::drive_once(base::Time deadline) {
    if (!tap || tap->stop.load()) return false;
    tap->wait(*this, deadline);
    tap->service(*this);
    return !tap->stop.load() && live::Loop::now() < deadline;
}

extern "C" {

int mnet_tap_attach(mnet_host* host, const char* tap, const char* address_cidr,
                    const char* gateway) {
    if (host == nullptr || tap == nullptr || address_cidr == nullptr) return fail(EFAULT);
    if (host->tap) return fail(EBUSY);
    auto cidr = wire::Ipv4Cidr::parse(address_cidr);
    if (!cidr) return fail(EINVAL);
    if (gateway != nullptr) {
        auto g = wire::Ipv4Address::parse(gateway);
        if (!g || !cidr->contains(*g)) return fail(EINVAL);
    }
    errno = 0;
    auto device = live::TapDevice::open(tap);
    if (!device) return fail(errno == EPERM || errno == EACCES ? EPERM : ENODEV);
    // A locally administered unicast MAC from the host's own random stream.
    uint8_t mac[6] = {0x02};
    for (int i = 1; i < 6; ++i)
        mac[i] = static_cast<uint8_t>(host->host.random().uniform(256));
    const int interface = mnet_host_add_interface(host, mac, address_cidr, 1500);
    if (interface < 0) return -1;
    if (gateway != nullptr && mnet_host_add_route(host, "0.0.0.0/0", gateway) != 0) return -1;
    host->tap = std::make_unique<capi::TapDriver>(std::move(*device),
                                                  static_cast<stack::InterfaceId>(interface));
    host->now = std::max(host->now, live::Loop::now());
    host->host.set_frame_sink(
        [host](stack::InterfaceId, base::PacketBuffer frame) { host->tap->write(frame.bytes()); });
    return 0;
}

int mnet_run(mnet_host* host, int timeout_ms) {
    if (host == nullptr) return fail(EFAULT);
    if (!host->tap) return fail(EINVAL);
    host->tap->stop = false;
    const base::Time end = timeout_ms < 0
                               ? base::Time::never()
                               : live::Loop::now() + base::Duration::milliseconds(timeout_ms);
    host->tap->service(*host);
    while (host->drive_once(end)) {
    }
    return 0;
}

void mnet_stop(mnet_host* host) {
    if (host != nullptr && host->tap) host->tap->stop = true;
}

}  // extern "C"
