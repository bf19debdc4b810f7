// `minternet live`: one minternet host on a real TAP interface, with the
// Linux kernel (and ping, curl, nc, dig) as its peer.
//
//   minternet live --tap mtap0 --address 10.0.0.2/24 --gateway 10.0.0.1
//       --serve http:80=DIR --serve dns:53=ZONE --serve echo:7 --serve chat:7000
//       --impair loss=3%,reorder=10%,delay=10ms,duplicate=1%
//   minternet live --tap mtap0 --address 10.0.0.2/24 --get http://10.0.0.1:8000/file
//
// It answers ARP and ping by itself. With --get it fetches each URL with
// minternet's HTTP client, prints size, SHA-256 and speed, and exits when
// they are done (unless it also serves); --send ADDRESS:PORT --bytes N sends
// N bytes of a pattern to a discard server and prints the goodput, and
// --serve discard:PORT (RFC 863) reads and drops, with a line per
// connection: both measure the stack, not a hash or a file system. SIGINT or SIGTERM close every
// connection with a FIN, wait up to two seconds for the peers, and exit.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace cli {

struct LiveCommand {
    std::string tap;
    // ADDRESS/PREFIX, repeatable: at most one IPv4, any number of IPv6.
    std::vector<std::string> addresses;
    // Default gateways, at most one of each family.
    std::vector<std::string> gateways;
    int mtu = 1500;
    // http:PORT=DIR, dns:PORT=ZONE, echo:PORT, chat:PORT, discard:PORT
    std::vector<std::string> serve;
    std::string impair;
    std::vector<std::string> nameservers;
    std::vector<std::string> get;  // URLs
    std::string output;            // where --get bodies go ("": nowhere)
    std::string send;              // ADDRESS:PORT: send `bytes` there, then close
    uint64_t bytes = 100'000'000;  // for --send
    std::optional<uint64_t> seed;  // none: secrets from the OS
    double duration_s = 0;         // stop after this long (0: never, or when --get is done)
    bool offload = true;           // --offload on|off: the kernel's offloads, where granted
};

// Exit status: 0 after a clean stop, 1 when a --get failed or the TAP did, 2
// for bad input.
int run_live(const LiveCommand& c, std::FILE* out);

}  // namespace cli
