// DNS programs for a host's socket runtime: the authoritative server and the
// recursive resolver (the dns/ engines wired to UDP and TCP port 53), and a
// lookup client that prints what it learned, as dig would.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apps/output.hpp"
#include "dns/auth/authority.hpp"
#include "dns/resolver/recursor.hpp"
#include "dns/stub.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"

namespace apps {

// Serves `authority` on UDP and TCP `port` until the runtime goes. The
// authority is shared: a dynamic update through it is seen by the next query.
sockets::Task<void> dns_server(sockets::Runtime& rt, std::shared_ptr<dns::Authority> authority,
                               uint16_t port, Output output);

// A recursive resolver on UDP and TCP `port`: resolves from the root hints,
// a fresh socket (a fresh port) for every query it sends.
sockets::Task<void> dns_recursor(sockets::Runtime& rt, dns::RecursorConfig config, uint16_t port,
                                 Output output);

struct DnsLookupOptions {
    std::string name;
    dns::RrType type = dns::RrType::a;
    dns::StubOptions stub;
    std::string label = "lookup";
};

// Asks once and prints the answer: "kiminje.shop. A 200.200.200.2 (from
// 10.0.0.53 in 45.2 ms)", or what went wrong.
sockets::Task<base::Expected<dns::StubAnswer, std::string>> dns_lookup(sockets::Runtime& rt,
                                                                       DnsLookupOptions options,
                                                                       Output output);

// "The server's address changed": an RFC 2136 update that replaces the A
// records of `name` in `zone` on the primary `server`. Prints the server's
// RCODE; the zone's SOA serial goes up by one when it is NOERROR.
struct DnsUpdateOptions {
    wire::Ipv4Address server;
    uint16_t port = 53;
    std::string zone;
    std::string name;
    std::vector<wire::Ipv4Address> addresses;  // empty: the name loses its A records
    uint32_t ttl = 60;
    std::string label = "update";
};

sockets::Task<base::Expected<dns::Rcode, std::string>> dns_update(sockets::Runtime& rt,
                                                                  DnsUpdateOptions options,
                                                                  Output output);

}  // namespace apps
