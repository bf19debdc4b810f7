// mnet_tap_attach's driver: a host on a TAP device and CLOCK_MONOTONIC.
#pragma once

#include <array>
#include <atomic>

#include "base/time.hpp"
#include "live/tap.hpp"
#include "stack/host.hpp"

struct mnet_host;

namespace capi {

class TapDriver {
  public:
    TapDriver(live::TapDevice tap, stack::InterfaceId interface)
        : tap_(std::move(tap)), interface_(interface) {}

    void write(base::ByteSpan frame) { (void)tap_.write(frame); }
    // Reads every waiting frame into the host; runs its due timers.
    void service(mnet_host& h);
    // Sleeps until a frame comes, the host's next timer or `deadline`.
    void wait(mnet_host& h, base::Time deadline);

    std::atomic<bool> stop{false};

  private:
    live::TapDevice tap_;
    stack::InterfaceId interface_;
    std::array<std::byte, 65'536 + 64> buffer_{};
};

}  // namespace capi
