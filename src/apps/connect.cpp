#include "apps/connect.hpp"

namespace apps {

sockets::Task<base::Expected<Connected, std::string>> connect_to(sockets::Runtime& rt,
                                                                 std::string to, uint16_t port,
                                                                 std::string label, Output output) {
    const bool literal = wire::IpAddress::parse(to).has_value();
    auto c = co_await dns::connect_by_name(rt, to, port);
    if (!c) {
        const dns::ConnectFailure& f = c.error();
        if (f.lookup_failed)
            co_return base::fail(fmt::format("cannot look up {}: {}", to, f.error));
        if (f.attempts.size() == 1) {
            const dns::ConnectAttempt& a = f.attempts.front();
            co_return base::fail(fmt::format("cannot connect to {}: {}",
                                             stack::Endpoint{a.address, port}.to_string(),
                                             a.error ? stack::to_string(*a.error) : "failed"));
        }
        co_return base::fail(fmt::format("cannot connect to {} at any address: {}", to, f.error));
    }
    if (!literal) {
        std::string addresses;
        for (const wire::IpAddress& a : c->addresses)
            addresses += (addresses.empty() ? "" : ", ") + a.to_string();
        output(fmt::format("{}: {} is {} (DNS, {})", label, to, addresses, in_ms(c->lookup)));
    }
    // The attempts before the winner: failed, or overtaken by the next one
    // when unanswered for the attempt delay.
    for (size_t i = 0; i < c->attempts.size() && !c->attempts[i].won; ++i) {
        const dns::ConnectAttempt& a = c->attempts[i];
        const dns::ConnectAttempt& next = c->attempts[i + 1];  // there is one: the winner
        const std::string what =
            a.error ? std::string(stack::to_string(*a.error))
                    : fmt::format("no answer in {}", in_ms(next.started - a.started));
        output(fmt::format("{}: {}: {}; trying {} (Happy Eyeballs)", label,
                           stack::Endpoint{a.address, port}.to_string(), what,
                           next.address.to_string()));
    }
    co_return Connected{std::move(c->stream), c->remote, c->handshake};
}

}  // namespace apps
