// How the programs that connect by name or address (tcp-hello, tcp-bulk,
// http-get) open their connection, and the lines they print about it: a
// name goes through DNS and Happy Eyeballs (dns/happy_eyeballs.hpp), an
// address straight to the handshake.
#pragma once

#include <cstdint>
#include <string>

#include "apps/output.hpp"
#include "base/result.hpp"
#include "dns/happy_eyeballs.hpp"

namespace apps {

struct Connected {
    sockets::TcpStream stream;
    stack::Endpoint remote;
    base::Duration handshake{};  // of the attempt that won
};

// Prints "<label>: <name> is <addresses> (DNS, <time>)" after a lookup, and a
// line for each attempt Happy Eyeballs gave up on; on failure returns the
// error line's text ("cannot look up …", "cannot connect to …: …") unprinted.
sockets::Task<base::Expected<Connected, std::string>> connect_to(sockets::Runtime& rt,
                                                                 std::string to, uint16_t port,
                                                                 std::string label, Output output);

}  // namespace apps
