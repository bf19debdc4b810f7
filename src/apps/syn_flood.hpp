// A SYN flood, as hping3 --flood -S --rand-source sends one: TCP SYNs at a
// steady rate to one port, each from a forged address in a given prefix and
// a random port, never answered, never followed up. It shows what a
// listener's backlog is for and what SYN cookies (stack/syn_cookie.hpp) do
// against it. Like ping it sends through the host directly: a forged source
// is what a socket would not allow.
#pragma once

#include <cstdint>
#include <string>

#include "apps/output.hpp"
#include "base/time.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "wire/address.hpp"

namespace apps {

struct SynFloodOptions {
    wire::Ipv4Address to;
    uint16_t port = 80;
    uint64_t rate = 100'000;  // SYNs per second
    base::Duration duration = base::Duration::seconds(1);
    wire::Ipv4Cidr from;  // the forged sources: addresses in it, any port above 1023
    std::string label = "syn-flood";
};

struct SynFloodResult {
    uint64_t sent = 0;
    uint64_t failed = 0;  // the host could not send (no route)
};

// Sends the flood, a millisecond's worth at a time, then one line: how many
// went, in how long.
sockets::Task<SynFloodResult> syn_flood(sockets::Runtime& rt, SynFloodOptions options,
                                        Output output);

}  // namespace apps
