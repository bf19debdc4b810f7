// Small TCP services for `minternet live --serve`: echo (RFC 862: every byte
// back to its sender, `nc HOST 7`) and a chat room (every line one client
// sends goes to every other client, `nc HOST PORT` from several terminals).
// And the seeds' conversation for the simulator: a client that says "Hello!"
// and a server that answers "OK".
#pragma once

#include <cstdint>
#include <string>

#include "apps/output.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"

namespace apps {

// Accepts for ever; each connection echoed in its own task until the client
// closes its side, then closed.
sockets::Task<void> tcp_echo(sockets::Runtime& rt, uint16_t port, Output output);

// Accepts for ever. A client's line ("hello\n") reaches the others as
// "10.0.0.1:40000: hello\n"; joins and leaves are announced. Lines are cut at
// 4 KiB so one client cannot grow the server's memory without end.
sockets::Task<void> chat_server(sockets::Runtime& rt, uint16_t port, Output output);

// Accepts for ever; to each client's first message it answers `reply`, then
// closes once the client has closed (the 4-way close, the client first).
sockets::Task<void> hello_server(sockets::Runtime& rt, uint16_t port, std::string reply,
                                 Output output);

struct HelloOptions {
    std::string to;  // a name (looked up in DNS first) or an address
    uint16_t port = 80;
    std::string message = "Hello!";
    std::string label = "hello";
};

// Connects (3-way handshake), sends the message, waits for the answer (the
// server's first bytes, or the end of its stream), closes (4-way close).
// Prints each step with the time it took; returns whether an answer came.
sockets::Task<bool> hello_client(sockets::Runtime& rt, HelloOptions options, Output output);

}  // namespace apps
