// The stub resolver programs use: "what is kiminje.shop's address?" asked of
// the host's configured recursive resolver (its `nameservers`, as
// /etc/resolv.conf's, of either family), the way glibc's resolver asks.
//
//   auto ips = co_await dns::resolve(rt, "kiminje.shop");  // AAAA and A
//
// Each server is tried in turn, in two rounds, over UDP with a 5 s timeout
// (glibc's RES_TIMEOUT and RES_DFLRETRY), and over TCP when the answer comes
// back truncated. The reply must
// come from the server asked, with the query's ID and question.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dns/wire/message.hpp"
#include "socket/event.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"

namespace dns {

struct StubOptions {
    std::vector<wire::IpAddress> servers;  // empty: the host's nameservers
    uint16_t port = 53;
    base::Duration timeout = base::Duration::seconds(5);
    int attempts = 2;  // rounds over the servers
    bool recursion_desired = true;
};

struct StubAnswer {
    Message message;         // the whole reply
    wire::IpAddress server;  // who answered
    base::Duration elapsed;  // from the first query to the answer
    bool over_tcp = false;
};

// Sends `message` (one question; its ID is replaced by a random one for each
// try) and waits for the reply with that ID and question from the server
// asked; TCP after a truncated reply. For queries, updates, anything.
sockets::Task<base::Expected<StubAnswer, std::string>> exchange(sockets::Runtime& rt,
                                                                Message message,
                                                                StubOptions options = {});

// One question; an error when no server answered (not for NXDOMAIN or
// SERVFAIL: those are answers, in message.rcode).
sockets::Task<base::Expected<StubAnswer, std::string>> lookup(sockets::Runtime& rt, Question q,
                                                              StubOptions options = {});

// Which addresses `resolve` asks for.
enum class AddressFamily {
    // AAAA and A, both at once (AAAA sent first, RFC 8305 §3) when the host
    // speaks IPv6, else A alone: getaddrinfo's AF_UNSPEC with AI_ADDRCONFIG.
    any,
    ipv4,  // A
    ipv6,  // AAAA
};

using Addresses = base::Expected<std::vector<wire::IpAddress>, std::string>;

// The addresses of `name` (following CNAMEs), IPv6 ones first (RFC 6724's
// default order); an error that says why when there are none: no such name,
// no address records, no answer.
sockets::Task<Addresses> resolve(sockets::Runtime& rt, std::string name, StubOptions options = {},
                                 AddressFamily family = AddressFamily::any);

// A lookup running beside the program that started it (spawned on the
// runtime): `done` is set when `result` is there, and `notify` too if given
// (one event for several things to wait on). Happy Eyeballs starts the AAAA
// and A lookups this way and goes on as soon as the first one answers.
struct PendingLookup {
    explicit PendingLookup(sockets::Runtime& rt) : done(rt) {}
    std::optional<Addresses> result;
    bool no_such_name = false;  // NXDOMAIN: the name has no records of any type
    sockets::Event done;
    std::shared_ptr<sockets::Event> notify;
};
std::shared_ptr<PendingLookup> start_resolve(sockets::Runtime& rt, std::string name,
                                             StubOptions options, AddressFamily family,
                                             std::shared_ptr<sockets::Event> notify = nullptr);

}  // namespace dns
