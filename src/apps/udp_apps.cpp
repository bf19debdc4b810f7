#include "apps/udp_apps.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "socket/udp_socket.hpp"

namespace apps {

sockets::Task<void> udp_echo(sockets::Runtime& rt, uint16_t port, Output output) {
    sockets::UdpSocket s(rt);
    if (auto ok = s.bind_any(port); !ok) {
        output(
            fmt::format("udp echo: cannot bind port {}: {}", port, stack::to_string(ok.error())));
        co_return;
    }
    output(fmt::format("udp echo: listening on port {}", port));
    while (true) {
        auto d = co_await s.receive();
        if (!d) continue;  // an ICMP error about an echo we sent: nothing to do
        (void)s.send_to(d->from, d->payload.bytes());
    }
}

sockets::Task<UdpStreamResult> udp_stream(sockets::Runtime& rt, UdpStreamOptions o, Output output) {
    UdpStreamResult r;
    sockets::UdpSocket s(rt);
    if (auto ok = s.connect(o.to); !ok) {
        output(fmt::format("{}: cannot connect to {}: {}", o.label, o.to.to_string(),
                           stack::to_string(ok.error())));
        co_return r;
    }
    output(fmt::format("{}: {} datagrams of {} bytes to {}, one every {}", o.label, o.count, o.size,
                       o.to.to_string(), base::to_string(o.interval)));
    std::vector<std::byte> payload(std::max<size_t>(o.size, 8));
    std::vector<bool> answered(static_cast<size_t>(o.count), false);
    uint32_t highest = 0;
    base::Time next_send = rt.now();
    base::Time give_up = base::Time::never();
    while (true) {
        if (r.sent < o.count && rt.now() >= next_send) {
            // Sequence number and send time, then filler.
            base::store_be32(payload, 0, static_cast<uint32_t>(r.sent));
            base::store_be32(payload, 4, static_cast<uint32_t>(rt.now().ns() / 1000));
            for (size_t i = 8; i < payload.size(); ++i)
                payload[i] = static_cast<std::byte>(i);
            if (auto sent = s.send(payload); !sent) {
                ++r.errors;
                output(fmt::format("{}: send {}: {}", o.label, r.sent,
                                   stack::to_string(sent.error())));
            }
            ++r.sent;
            next_send = next_send + o.interval;
            if (r.sent == o.count) give_up = rt.now() + o.wait;
        }
        const base::Time wake = r.sent < o.count ? next_send : give_up;
        if (rt.now() >= wake && r.sent == o.count) break;
        auto d = co_await s.receive(wake - rt.now());
        if (!d) {
            if (d.error() != stack::SocketError::timed_out) {
                ++r.errors;
                output(fmt::format("{}: {}", o.label, stack::to_string(d.error())));
            }
            continue;
        }
        const base::ByteSpan echo = d->payload.bytes();
        const uint32_t seq = echo.size() >= 8 ? base::load_be32(echo, 0) : UINT32_MAX;
        bool intact = echo.size() == payload.size() && seq < answered.size();
        for (size_t i = 8; intact && i < echo.size(); ++i)
            intact = echo[i] == static_cast<std::byte>(i);
        if (!intact) {
            ++r.damaged;  // UDP's checksum should make this impossible
            continue;
        }
        if (answered[seq]) {
            ++r.duplicates;
            continue;
        }
        answered[seq] = true;
        ++r.received;
        if (seq < highest) ++r.reordered;
        highest = std::max(highest, seq);
        const auto sent_us = base::load_be32(d->payload.bytes(), 4);
        r.rtts.push_back(base::Duration::microseconds(
            static_cast<int64_t>(static_cast<uint32_t>(rt.now().ns() / 1000) - sent_us)));
        if (r.received + r.duplicates == o.count && r.sent == o.count) break;
    }
    const int lost = r.sent - r.received;
    std::string rtt;
    if (!r.rtts.empty()) {
        const auto [lo, hi] = std::minmax_element(r.rtts.begin(), r.rtts.end());
        base::Duration sum{};
        for (auto d : r.rtts)
            sum += d;
        rtt = fmt::format(", rtt min/avg/max {}/{}/{}", base::to_string(*lo),
                          base::to_string(sum / static_cast<int64_t>(r.rtts.size())),
                          base::to_string(*hi));
    }
    output(fmt::format(
        "{}: sent {}, echoed back {}, lost {} ({:.1f}%), out of order {}, duplicates {}{}{}",
        o.label, r.sent, r.received, lost, r.sent ? 100.0 * lost / r.sent : 0.0, r.reordered,
        r.duplicates, r.damaged ? fmt::format(", DAMAGED {}", r.damaged) : "", rtt));
    co_return r;
}

}  // namespace apps
