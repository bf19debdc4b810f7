#include "apps/cbr.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "dns/stub.hpp"
#include "socket/udp_socket.hpp"

namespace apps {
namespace cbr {
namespace {

__extension__ typedef unsigned __int128 uint128;

namespace field {
constexpr base::Range sequence{0, 4};
constexpr base::Range count{4, 8};
constexpr base::Range send_time_high{8, 12};
constexpr base::Range send_time_low{12, 16};
constexpr base::Range time_left_high{16, 20};
constexpr base::Range time_left_low{20, 24};
}  // namespace field

int64_t load_be64(base::ByteSpan b, base::Range high, base::Range low) {
    return static_cast<int64_t>((uint64_t{base::load_be32(b, high)} << 32) |
                                base::load_be32(b, low));
}

void store_be64(base::MutableByteSpan b, base::Range high, base::Range low, int64_t v) {
    base::store_be32(b, high, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
    base::store_be32(b, low, static_cast<uint32_t>(v));
}

}  // namespace

std::optional<Header> Header::parse(base::ByteSpan b) {
    if (b.size() < size) return std::nullopt;
    Header h{.sequence = base::load_be32(b, field::sequence),
             .count = base::load_be32(b, field::count),
             .send_time_ns = load_be64(b, field::send_time_high, field::send_time_low),
             .time_left_ns = load_be64(b, field::time_left_high, field::time_left_low)};
    if (h.sequence >= h.count || h.time_left_ns < 0) return std::nullopt;
    return h;
}

void Header::emit(base::MutableByteSpan b) const {
    base::store_be32(b, field::sequence, sequence);
    base::store_be32(b, field::count, count);
    store_be64(b, field::send_time_high, field::send_time_low, send_time_ns);
    store_be64(b, field::time_left_high, field::time_left_low, time_left_ns);
}

Schedule::Schedule(uint64_t rate, size_t size, base::Duration duration, base::Duration on,
                   base::Duration off)
    : rate_(std::max<uint64_t>(rate, 1)),
      bit_ns_(std::max<uint64_t>(size, 1) * 8 * 1'000'000'000),
      on_(on),
      off_(off) {
    if (on_ <= base::Duration::zero() || off_ <= base::Duration::zero()) on_ = off_ = {};
    const int64_t d = std::max<int64_t>(duration.ns(), 0);
    int64_t active = d;  // the "on" time before `duration`
    if (off_ > base::Duration::zero()) {
        const int64_t cycle = on_.ns() + off_.ns();
        active = d / cycle * on_.ns() + std::min(d % cycle, on_.ns());
    }
    // Datagram k goes at ⌊k·bit_ns/rate⌋ < active, that is k < active·rate/bit_ns.
    const uint128 n = (uint128{static_cast<uint64_t>(active)} * rate_ + bit_ns_ - 1) / bit_ns_;
    count_ = static_cast<uint64_t>(std::min<uint128>(n, UINT64_MAX));
}

base::Duration Schedule::at(uint64_t k) const {
    const auto active = static_cast<int64_t>(uint128{k} * bit_ns_ / rate_);
    if (off_ == base::Duration::zero()) return base::Duration::nanoseconds(active);
    return base::Duration::nanoseconds(active / on_.ns() * (on_.ns() + off_.ns()) +
                                       active % on_.ns());
}

}  // namespace cbr

namespace {

// "10 Mbit/s", "1.5 Gbit/s", "56 kbit/s"
std::string format_rate(uint64_t bits) {
    const auto r = static_cast<double>(bits);
    if (bits >= 1'000'000'000) return fmt::format("{:g} Gbit/s", r / 1e9);
    if (bits >= 1'000'000) return fmt::format("{:g} Mbit/s", r / 1e6);
    if (bits >= 1'000) return fmt::format("{:g} kbit/s", r / 1e3);
    return fmt::format("{} bit/s", bits);
}

}  // namespace

sockets::Task<UdpCbrResult> udp_cbr(sockets::Runtime& rt, UdpCbrOptions o, Output output) {
    UdpCbrResult r;
    stack::Endpoint to{.address = {}, .port = o.port};
    if (auto literal = wire::IpAddress::parse(o.to)) {
        to.address = *literal;
    } else {
        const base::Time asking = rt.now();
        auto addresses = co_await dns::resolve(rt, o.to);
        if (!addresses) {
            r.error = fmt::format("cannot look up {}: {}", o.to, addresses.error());
            output(fmt::format("{}: {}", o.label, *r.error));
            co_return r;
        }
        to.address = addresses->front();
        output(fmt::format("{}: {} is {} (DNS, {})", o.label, o.to, to.address.to_string(),
                           in_ms(rt.now() - asking)));
    }
    sockets::UdpSocket s(rt);
    if (auto ok = s.connect(to); !ok) {
        r.error =
            fmt::format("cannot connect to {}: {}", to.to_string(), stack::to_string(ok.error()));
        output(fmt::format("{}: {}", o.label, *r.error));
        co_return r;
    }
    const cbr::Schedule schedule(o.rate, o.size, o.duration, o.on, o.off);
    r.planned = schedule.count();
    if (r.planned > UINT32_MAX) {
        r.error = fmt::format("{} datagrams are more than a flow can number", r.planned);
        output(fmt::format("{}: {}", o.label, *r.error));
        co_return r;
    }
    const auto count = static_cast<uint32_t>(r.planned);
    output(fmt::format(
        "{}: {} datagrams of {} bytes to {} at {} for {}{}", o.label, count, o.size, to.to_string(),
        format_rate(o.rate), base::to_string(o.duration),
        o.off > base::Duration::zero()
            ? fmt::format(" ({} on, {} off)", base::to_string(o.on), base::to_string(o.off))
            : std::string()));

    // One buffer for every datagram: the header is rewritten in place.
    std::vector<std::byte> payload(std::max(o.size, cbr::Header::size));
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<std::byte>('a' + i % 26);
    const base::Time start = rt.now();
    r.started = start;
    const base::Duration last = count > 0 ? schedule.at(count - 1) : base::Duration::zero();
    for (uint32_t k = 0; k < count; ++k) {
        // Each time from the start, never by adding up intervals: no drift.
        const base::Duration at = schedule.at(k);
        if (start + at > rt.now()) co_await rt.sleep(start + at - rt.now());
        const cbr::Header h{.sequence = k,
                            .count = count,
                            .send_time_ns = rt.now().ns(),
                            .time_left_ns = (last - at).ns()};
        h.emit(payload);
        if (auto sent = s.send(payload); sent) {
            ++r.sent;
        } else if (r.errors++ == 0) {
            output(fmt::format("{}: send {}: {}", o.label, k, stack::to_string(sent.error())));
        }
    }
    if (start + o.duration > rt.now()) co_await rt.sleep(start + o.duration - rt.now());
    output(fmt::format("{}: sent {} datagrams ({} bytes) in {}{}", o.label, r.sent, r.sent * o.size,
                       base::to_string(rt.now() - start),
                       r.errors ? fmt::format(", {} not sent", r.errors) : std::string()));
    co_await rt.sleep(o.wait);
    co_return r;
}

namespace {

constexpr uint32_t window = 65'536;  // sequence numbers behind the newest kept
constexpr size_t max_flows = 1'024;

struct Flow {
    UdpSinkFlow account;
    uint32_t highest = 0;
    std::vector<uint64_t> seen = std::vector<uint64_t>(window / 64);  // by sequence % window
    base::Time expected_end;  // the latest arrival plus its time left
    int64_t last_transit_ns = 0;
    double jitter_ns = 0;

    bool test(uint32_t seq) const { return (seen[seq % window / 64] >> (seq % 64)) & 1; }
    void set(uint32_t seq, bool on) {
        uint64_t& word = seen[seq % window / 64];
        const uint64_t bit = uint64_t{1} << (seq % 64);
        word = on ? word | bit : word & ~bit;
    }

    void add(const cbr::Header& h, size_t bytes, base::Time now) {
        UdpSinkFlow& a = account;
        if (a.received + a.duplicates + a.too_late == 0) {
            highest = h.sequence;
            set(h.sequence, true);
        } else if (h.sequence > highest) {
            if (h.sequence - highest >= window) {
                std::fill(seen.begin(), seen.end(), 0);
            } else {
                for (uint32_t s = highest + 1; s != h.sequence; ++s)
                    set(s, false);
            }
            highest = h.sequence;
            set(h.sequence, true);
        } else if (highest - h.sequence >= window) {
            ++a.too_late;
            return;
        } else if (test(h.sequence)) {
            ++a.duplicates;
            return;
        } else {
            set(h.sequence, true);
            ++a.out_of_order;
        }
        // A new datagram.
        const int64_t transit = now.ns() - h.send_time_ns;
        if (a.received > 0)
            jitter_ns += (static_cast<double>(std::llabs(transit - last_transit_ns)) - jitter_ns) /
                         16;  // RFC 3550 §6.4.1
        last_transit_ns = transit;
        if (a.received == 0) a.first = now;
        a.last = now;
        ++a.received;
        a.bytes += bytes;
        expected_end = std::max(expected_end, now + base::Duration::nanoseconds(h.time_left_ns));
    }
};

struct Finished {
    uint32_t count = 0;
    base::Time until;  // stragglers of the flow are dropped until then
};

void report(UdpSinkFlow& a, double jitter_ns, bool complete, const UdpSinkOptions& o,
            const Output& output) {
    a.complete = complete;
    a.lost = a.expected - a.received;
    a.jitter = base::Duration::nanoseconds(static_cast<int64_t>(jitter_ns));
    const base::Duration span = a.last - a.first;
    output(fmt::format(
        "udp sink: {}: {} of {} datagrams ({} bytes) in {}, {}; lost {} ({:.1f}%), out of "
        "order {}, duplicates {}{}, jitter {:.3f} ms{}",
        a.source.to_string(), a.received, a.expected, a.bytes, in_seconds(span),
        format_goodput(a.bytes, span), a.lost,
        a.expected ? 100.0 * static_cast<double>(a.lost) / a.expected : 0.0, a.out_of_order,
        a.duplicates, a.too_late ? fmt::format(", too late {}", a.too_late) : std::string(),
        jitter_ns / 1e6, complete ? "" : " (ended by silence)"));
    if (o.on_flow) o.on_flow(a);
}

}  // namespace

sockets::Task<void> udp_sink(sockets::Runtime& rt, UdpSinkOptions o, Output output) {
    sockets::UdpSocket s(rt);
    if (auto ok = s.bind_any(o.port); !ok) {
        output(
            fmt::format("udp sink: cannot bind port {}: {}", o.port, stack::to_string(ok.error())));
        co_return;
    }
    output(fmt::format("udp sink: listening on UDP port {}", o.port));
    std::map<stack::Endpoint, Flow> flows;
    std::map<stack::Endpoint, Finished> finished;
    while (true) {
        // Flows silent past their end, and finished ones done waiting for stragglers.
        base::Time next = base::Time::never();
        for (auto it = flows.begin(); it != flows.end();) {
            const base::Time end = it->second.expected_end + o.timeout;
            if (end > rt.now()) {
                next = std::min(next, end);
                ++it;
                continue;
            }
            report(it->second.account, it->second.jitter_ns, false, o, output);
            finished[it->first] = {it->second.account.expected, rt.now() + o.timeout};
            next = std::min(next, rt.now() + o.timeout);
            it = flows.erase(it);
        }
        std::erase_if(finished, [&](const auto& f) { return f.second.until <= rt.now(); });
        for (const auto& [source, f] : finished)
            next = std::min(next, f.until);

        base::Expected<stack::Datagram, stack::SocketError> d =
            base::fail(stack::SocketError::timed_out);
        if (next == base::Time::never()) {
            d = co_await s.receive();
        } else {
            d = co_await s.receive(next - rt.now());
        }
        if (!d) continue;  // the time is up, or an ICMP error: nothing to count
        const auto h = cbr::Header::parse(d->payload.bytes());
        if (!h) continue;
        if (const auto f = finished.find(d->from); f != finished.end()) {
            if (f->second.count == h->count) continue;  // late for its flow
            finished.erase(f);
        }
        auto it = flows.find(d->from);
        if (it == flows.end()) {
            if (flows.size() >= max_flows) continue;
            it = flows.emplace(d->from, Flow{}).first;
            it->second.account.source = d->from;
            it->second.account.expected = h->count;
        }
        Flow& flow = it->second;
        if (h->count != flow.account.expected) continue;  // not this flow's
        flow.add(*h, d->payload.size(), rt.now());
        if (flow.account.received == flow.account.expected) {
            report(flow.account, flow.jitter_ns, true, o, output);
            finished[d->from] = {flow.account.expected, rt.now() + o.timeout};
            flows.erase(it);
        }
    }
}

}  // namespace apps
