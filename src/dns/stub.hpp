// The stub resolver programs use: "what is kiminje.shop's address?" asked of
// the host's configured recursive resolver (its `nameservers`, as
// /etc/resolv.conf's), the way glibc's resolver asks.
//
//   auto ip = co_await dns::resolve(rt, "kiminje.shop");
//
// Each server is tried in turn, in two rounds, over UDP with a 5 s timeout
// (glibc's RES_TIMEOUT and RES_DFLRETRY), and over TCP when the answer comes
// back truncated. The reply must
// come from the server asked, with the query's ID and question.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "dns/wire/message.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"

namespace dns {

struct StubOptions {
    std::vector<wire::Ipv4Address> servers;  // empty: the host's nameservers
    uint16_t port = 53;
    base::Duration timeout = base::Duration::seconds(5);
    int attempts = 2;  // rounds over the servers
    bool recursion_desired = true;
};

struct StubAnswer {
    Message message;           // the whole reply
    wire::Ipv4Address server;  // who answered
    base::Duration elapsed;    // from the first query to the answer
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

// The IPv4 addresses of `name` (following CNAMEs); an error that says why when
// there are none: no such name, no address records, no answer.
sockets::Task<base::Expected<std::vector<wire::Ipv4Address>, std::string>> resolve(
    sockets::Runtime& rt, std::string name, StubOptions options = {});

}  // namespace dns
