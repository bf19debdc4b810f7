// UDP programs on the socket API: an echo server, and a stream client that
// sends numbered datagrams at a steady pace and counts what comes back — a game
// sends small updates often, a video call large frames.
//
// UDP does nothing to recover losses; these programs only observe them, which is
// the point: the application sees exactly what the network delivered.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "apps/output.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "stack/port_table.hpp"

namespace apps {

// Echoes every datagram to its sender, for ever (until its runtime goes).
sockets::Task<void> udp_echo(sockets::Runtime& rt, uint16_t port, Output output);

struct UdpStreamOptions {
    stack::Endpoint to;
    std::string label = "stream";  // what the lines call it: "game", "video"
    int count = 100;
    base::Duration interval = base::Duration::milliseconds(20);
    size_t size = 64;  // payload bytes, at least 8 (sequence and send time)
    base::Duration wait = base::Duration::seconds(1);  // for replies after the last send
};

struct UdpStreamResult {
    int sent = 0;
    int received = 0;  // echoes back, duplicates excluded
    int duplicates = 0;
    int reordered = 0;  // echoes that came after a later one
    int errors = 0;     // ICMP errors reported on the socket
    int damaged = 0;    // echoes whose bytes differ from what was sent
    std::vector<base::Duration> rtts;
};

sockets::Task<UdpStreamResult> udp_stream(sockets::Runtime& rt, UdpStreamOptions options,
                                          Output output);

}  // namespace apps
