// Connecting to a service by name the way browsers and curl do on a
// dual-stack host: Happy Eyeballs version 2 (RFC 8305).
//
//   auto c = co_await dns::connect_by_name(rt, "kiminje.shop", 80);
//   if (c) c->stream.send(...);  // over IPv6 if it answered, else IPv4
//
// AAAA and A are asked at once (AAAA first). Connecting starts as soon as
// the AAAA answer is in; if A comes first, it waits up to the resolution
// delay for AAAA (§3). Addresses are tried one family after the other, IPv6
// first (§4); a new attempt starts when the last one fails or after the
// connection attempt delay without an answer (§5), and earlier attempts go
// on meanwhile: the first handshake to finish wins, the others are
// abandoned. A host without IPv6 asks for A only and tries its addresses in
// turn the same way. A literal address needs no lookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "dns/stub.hpp"
#include "socket/tcp.hpp"

namespace dns {

struct HappyEyeballsOptions {
    // RFC 8305's recommended values.
    base::Duration resolution_delay = base::Duration::milliseconds(50);
    base::Duration attempt_delay = base::Duration::milliseconds(250);
    StubOptions stub;
    tcp::Options tcp;  // for every attempt
};

struct ConnectAttempt {
    wire::IpAddress address;
    base::Time started;
    // How it ended: the handshake's error; nullopt for the winner and for
    // attempts abandoned when another won (`won` tells them apart).
    std::optional<stack::SocketError> error;
    bool won = false;
};

struct NamedConnection {
    sockets::TcpStream stream;
    stack::Endpoint remote;
    std::vector<wire::IpAddress> addresses;  // all DNS gave (or the literal), IPv6 first
    std::vector<ConnectAttempt> attempts;    // in the order started
    base::Duration lookup{};                 // until the first address could be tried
    base::Duration handshake{};              // of the winning attempt
};

struct ConnectFailure {
    bool lookup_failed = false;  // no address at all; else every attempt failed
    std::string error;           // why, for a person
    std::vector<ConnectAttempt> attempts;
};

// `host` is a name or a literal address of either family.
sockets::Task<base::Expected<NamedConnection, ConnectFailure>> connect_by_name(
    sockets::Runtime& rt, std::string host, uint16_t port, HappyEyeballsOptions options = {});

}  // namespace dns
