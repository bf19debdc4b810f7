#include "apps/syn_flood.hpp"

#include <fmt/format.h>

#include "wire/tcp.hpp"

namespace apps {

sockets::Task<SynFloodResult> syn_flood(sockets::Runtime& rt, SynFloodOptions o, Output output) {
    stack::Host& host = rt.host();
    base::RandomStream& random = host.random();
    SynFloodResult r;
    const base::Time start = rt.now();
    const base::Time end = start + o.duration;
    const uint32_t network = o.from.network().to_u32();
    const uint64_t addresses = uint64_t{1} << (32 - o.from.prefix_len);
    const base::Duration tick = base::Duration::milliseconds(1);
    output(fmt::format("{}: {} SYNs a second to {}:{} from forged addresses in {}/{} for {:.3f} s",
                       o.label, o.rate, o.to.to_string(), o.port, o.from.network().to_string(),
                       o.from.prefix_len, o.duration.seconds_f()));
    while (true) {
        const base::Time now = rt.now();
        const base::Time until = std::min(now, end);
        // Every SYN due by now, counted from the start so the rate never drifts.
        const auto ns = static_cast<uint64_t>((until - start).ns());
        const uint64_t due =
            ns / 1'000'000'000 * o.rate + ns % 1'000'000'000 * o.rate / 1'000'000'000;
        for (; r.sent + r.failed < due;) {
            const auto source = wire::Ipv4Address::from_u32(
                network + static_cast<uint32_t>(random.uniform(addresses)));
            const wire::TcpRepr syn{
                .src_port = static_cast<uint16_t>(random.uniform_in(1024, 65535)),
                .dst_port = o.port,
                .seq = wire::SeqNum{random.next_u32()},
                .flags = wire::TcpFlags{wire::TcpFlags::syn},
                .window = 64240,
                .mss = 1460};
            const size_t len = syn.buffer_len();
            base::PacketBuffer p = host.pool().acquire(host.pool().config().default_headroom, len);
            syn.emit(p.append(len), source, o.to);
            if (host.send_ip(o.to, wire::IpProtocol::tcp, std::move(p), now,
                             stack::SendOptions{.source = source})) {
                ++r.sent;
            } else {
                ++r.failed;
            }
        }
        if (now >= end) break;
        co_await rt.sleep(std::min(tick, end - now));
    }
    output(fmt::format("{}: sent {} SYNs in {:.3f} s{}", o.label, r.sent,
                       (rt.now() - start).seconds_f(),
                       r.failed ? fmt::format(", {} could not be sent", r.failed) : ""));
    co_return r;
}

}  // namespace apps
