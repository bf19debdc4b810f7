// `minternet dns …`: the DNS engines on the operating system's sockets.
//
//   dns serve --zone FILE… --listen ADDR:PORT     an authoritative server
//   dns recursor --root-hints FILE --listen ADDR:PORT   a recursive resolver
//   dns query NAME [TYPE] --server ADDR:PORT      one question, printed like dig
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "base/log.hpp"

namespace cli {

struct DnsServeCommand {
    std::vector<std::string> zones;
    std::string listen = "127.0.0.1:53";
    std::vector<std::string> allow_update;
    base::Logger log;
};

struct DnsRecursorCommand {
    std::string root_hints;
    std::string listen = "127.0.0.1:53";
    std::vector<std::string> allow;  // CIDRs; empty: everyone
    uint16_t upstream_port = 53;     // the port servers are asked on (tests use others)
    base::Logger log;
};

struct DnsQueryCommand {
    std::string name;
    std::string type = "A";
    std::string server = "127.0.0.1:53";
    bool tcp = false;
    bool recurse = true;
    bool edns = true;
    double timeout_s = 3;
};

// Exit status: 0 after a clean stop (SIGINT or SIGTERM), 2 for bad input.
int run_dns_serve(const DnsServeCommand& c, std::FILE* out);
// Exit status: 0 after a clean stop, 2 for bad input.
int run_dns_recursor(const DnsRecursorCommand& c, std::FILE* out);
// Exit status: 0 with an answer (whatever its RCODE), 1 with none, 2 for bad input.
int run_dns_query(const DnsQueryCommand& c, std::FILE* out);

}  // namespace cli
