#include "dns/happy_eyeballs.hpp"

#include <algorithm>
#include <deque>
#include <memory>

#include <fmt/format.h>

namespace dns {
namespace {

// One family's lookup: running, then its addresses taken into the queue.
struct FamilyLookup {
    std::shared_ptr<PendingLookup> pending;  // null: not asked
    bool taken = false;                      // its result is in the queue (or was an error)
    std::deque<wire::IpAddress> queue;       // addresses not tried yet
    bool done() const { return !pending || taken; }
};

struct Running {
    sockets::TcpStream stream;
    size_t attempt = 0;  // index into the attempts
};

std::string describe(const std::vector<ConnectAttempt>& attempts, uint16_t port) {
    std::string out;
    for (const ConnectAttempt& a : attempts) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{}: {}", stack::Endpoint{a.address, port}.to_string(),
                           a.error ? stack::to_string(*a.error) : "abandoned");
    }
    return out;
}

}  // namespace

sockets::Task<base::Expected<NamedConnection, ConnectFailure>> connect_by_name(
    sockets::Runtime& rt, std::string host, uint16_t port, HappyEyeballsOptions o) {
    const base::Time start = rt.now();
    // Everything that can end a wait sets this: an answer, a handshake's change.
    auto wake = std::make_shared<sockets::Event>(rt);
    FamilyLookup six, four;
    std::vector<wire::IpAddress> addresses;
    std::optional<base::Time> first_usable;
    if (auto literal = wire::IpAddress::parse(host)) {
        (literal->is_v6() ? six : four).queue.push_back(*literal);
        addresses.push_back(*literal);
        first_usable = start;
    } else {
        // The families the host can use (getaddrinfo's AI_ADDRCONFIG), AAAA sent first.
        const bool want6 = rt.host().has_ipv6();
        const bool want4 = rt.host().has_ipv4() || !want6;
        if (want6) six.pending = start_resolve(rt, host, o.stub, AddressFamily::ipv6, wake);
        if (want4) four.pending = start_resolve(rt, host, o.stub, AddressFamily::ipv4, wake);
    }

    std::vector<ConnectAttempt> attempts;
    std::vector<Running> running;
    std::optional<base::Time> ipv4_released;  // A came first: its resolution delay ends then
    base::Time last_start = base::Time::never();
    bool ipv6_next = true;  // families alternate, IPv6 first (§4)

    auto take = [&](FamilyLookup& f) {
        f.taken = true;
        if (!f.pending->result || !*f.pending->result) return;
        for (const wire::IpAddress& a : **f.pending->result) {
            f.queue.push_back(a);
            addresses.push_back(a);
        }
        if (!first_usable && !f.queue.empty()) first_usable = rt.now();
    };

    while (true) {
        wake->reset();
        // Answers in. AAAA is used at once; A waits for AAAA up to the
        // resolution delay (§3).
        if (!six.done() && six.pending->result) take(six);
        if (!four.done() && four.pending->result) {
            if (six.done()) {
                take(four);
            } else if (!ipv4_released) {
                ipv4_released = rt.now() + o.resolution_delay;
            }
            if (!four.done() && ipv4_released && rt.now() >= *ipv4_released) take(four);
        }
        // Handshakes that ended: a winner ends the race.
        for (size_t i = 0; i < running.size();) {
            auto h = running[i].stream.handshake();
            if (!h) {
                ++i;
                continue;
            }
            ConnectAttempt& a = attempts[running[i].attempt];
            if (*h) {
                a.won = true;
                NamedConnection c{std::move(running[i].stream), {a.address, port},
                                  std::move(addresses),         {},
                                  *first_usable - start,        rt.now() - a.started};
                c.stream.also_notify(nullptr);
                running.clear();  // the others are abandoned: closed, as the RFC says
                c.attempts = std::move(attempts);
                co_return c;
            }
            a.error = h->error();
            running.erase(running.begin() + static_cast<ptrdiff_t>(i));
        }
        // The next attempt: when none is running, or the last has gone
        // unanswered for the attempt delay (§5).
        const bool have_candidate = !six.queue.empty() || !four.queue.empty();
        const bool may_start = running.empty() || rt.now() >= last_start + o.attempt_delay;
        if (have_candidate && may_start) {
            const bool use6 = four.queue.empty() || (ipv6_next && !six.queue.empty());
            std::deque<wire::IpAddress>& q = use6 ? six.queue : four.queue;
            const wire::IpAddress address = q.front();
            q.pop_front();
            ipv6_next = !use6;
            attempts.push_back(ConnectAttempt{address, rt.now(), std::nullopt, false});
            auto s = sockets::TcpStream::start_connect(rt, {address, port}, o.tcp);
            if (!s) {
                attempts.back().error = s.error();  // known at once: on to the next
                continue;
            }
            s->also_notify(wake.get());
            running.push_back(Running{std::move(*s), attempts.size() - 1});
            last_start = rt.now();
            continue;  // look again: the handshake may already be over (loopback)
        }
        if (running.empty() && !have_candidate && six.done() && four.done()) break;
        base::Time deadline = base::Time::never();
        if (have_candidate && !running.empty()) deadline = last_start + o.attempt_delay;
        if (ipv4_released && !four.done()) deadline = std::min(deadline, *ipv4_released);
        co_await wake->wait_until(deadline);
    }

    ConnectFailure f;
    if (attempts.empty()) {
        f.lookup_failed = true;
        const bool no_such_name = (six.pending && six.pending->no_such_name) ||
                                  (four.pending && four.pending->no_such_name);
        if (no_such_name) {
            f.error = fmt::format("{}: no such name (NXDOMAIN)", host);
        } else {
            for (const FamilyLookup* l : {&six, &four}) {
                if (!l->pending || !l->pending->result || *l->pending->result) continue;
                if (!f.error.empty()) f.error += "; ";
                f.error += l->pending->result->error();
            }
        }
    } else {
        f.error = describe(attempts, port);
    }
    f.attempts = std::move(attempts);
    co_return base::fail(std::move(f));
}

}  // namespace dns
