// Small TCP services for `minternet live --serve`: echo (RFC 862: every byte
// back to its sender, `nc HOST 7`) and a chat room (every line one client
// sends goes to every other client, `nc HOST PORT` from several terminals).
#pragma once

#include <cstdint>

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

}  // namespace apps
