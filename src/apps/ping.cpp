#include "apps/ping.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "wire/ipv6.hpp"

namespace apps {
namespace {

std::string error_text(const stack::IcmpError& e) {
    using wire::UnreachableCode;
    if (wire::Icmpv4Type{e.type} == wire::Icmpv4Type::time_exceeded) {
        return e.code == 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
    }
    switch (UnreachableCode{e.code}) {
        case UnreachableCode::net:
            return "Destination Net Unreachable";
        case UnreachableCode::host:
            return "Destination Host Unreachable";
        case UnreachableCode::protocol:
            return "Destination Protocol Unreachable";
        case UnreachableCode::port:
            return "Destination Port Unreachable";
        case UnreachableCode::fragmentation_needed:
            return fmt::format("Frag needed and DF set (mtu = {})", e.mtu);
        case UnreachableCode::admin_prohibited:
            return "Packet filtered";
        default:
            return fmt::format("Dest Unreachable, Bad Code: {}", e.code);
    }
}

// As iputils' ping -6 says them.
std::string error_text6(const wire::Icmpv6Repr& e) {
    using wire::Icmpv6Type;
    using wire::Icmpv6UnreachableCode;
    switch (e.type) {
        case Icmpv6Type::dest_unreachable:
            switch (Icmpv6UnreachableCode{e.code}) {
                case Icmpv6UnreachableCode::no_route:
                    return "Destination unreachable: No route";
                case Icmpv6UnreachableCode::admin_prohibited:
                    return "Destination unreachable: Administratively prohibited";
                case Icmpv6UnreachableCode::beyond_scope:
                    return "Destination unreachable: Beyond scope of source address";
                case Icmpv6UnreachableCode::address:
                    return "Destination unreachable: Address unreachable";
                case Icmpv6UnreachableCode::port:
                    return "Destination unreachable: Port unreachable";
                default:
                    return fmt::format("Destination unreachable: Unknown code {}", e.code);
            }
        case Icmpv6Type::packet_too_big:
            return fmt::format("Packet too big: mtu={}", e.mtu);
        case Icmpv6Type::time_exceeded:
            return e.code == 0 ? "Time exceeded: Hop limit"
                               : "Time exceeded: Defragmentation failure";
        case Icmpv6Type::parameter_problem:
            return fmt::format("Parameter problem: code {} at {}", e.code, e.pointer);
        default:
            return fmt::format("ICMPv6 type {}", static_cast<int>(e.type));
    }
}

double ms(base::Duration d) {
    return static_cast<double>(d.ns()) / 1e6;
}

}  // namespace

std::string format_rtt_ms(base::Duration rtt) {
    // iputils: three significant-ish figures, by magnitude, truncated.
    const int64_t us = rtt.us();
    if (us >= 100'000) return fmt::format("{}", us / 1000);
    if (us >= 10'000) return fmt::format("{}.{}", us / 1000, us % 1000 / 100);
    if (us >= 1'000) return fmt::format("{}.{:02}", us / 1000, us % 1000 / 10);
    return fmt::format("{}.{:03}", us / 1000, us % 1000);
}

Ping::Ping(stack::Host& host, PingOptions options, Output output)
    : host_(host),
      options_(std::move(options)),
      output_(std::move(output)),
      identifier_(static_cast<uint16_t>(host.random().next_u32())),
      payload_(options_.size) {
    // iputils fills the data with a counting pattern after its timestamp.
    for (size_t i = 0; i < payload_.size(); ++i)
        payload_[i] = static_cast<std::byte>(i);
    if (options_.destination.is_v6()) {
        host_.add_icmpv6_listener(this);
    } else {
        host_.add_icmp_listener(this);
    }
    host_.attach(this);
}

Ping::~Ping() {
    if (options_.destination.is_v6()) {
        host_.remove_icmpv6_listener(this);
    } else {
        host_.remove_icmp_listener(this);
    }
    host_.detach(this);
}

std::string Ping::target() const {
    const std::string addr = options_.destination.to_string();
    return options_.destination_name.empty() || options_.destination_name == addr
               ? addr
               : fmt::format("{} ({})", options_.destination_name, addr);
}

void Ping::start(base::Time now) {
    started_ = now;
    const std::string name = options_.destination_name.empty() ? options_.destination.to_string()
                                                               : options_.destination_name;
    if (options_.destination.is_v6()) {
        // iputils' IPv6 header line has no space before the parenthesis and
        // counts data bytes only.
        output_(
            fmt::format("PING {}({}) {} data bytes", name, options_.destination, options_.size));
    } else {
        output_(fmt::format("PING {} ({}) {}({}) bytes of data.", name, options_.destination,
                            options_.size,
                            options_.size + wire::icmpv4::header_len + wire::ipv4::min_header_len));
    }
    send_next(now);
}

void Ping::send_next(base::Time now) {
    const uint16_t sequence = next_sequence_++;
    ++stats_.transmitted;
    auto sent =
        options_.destination.is_v6()
            ? host_.send_echo_request(options_.destination.v6(), identifier_, sequence, payload_,
                                      now, stack::Send6Options{.hop_limit = options_.ttl})
            : host_.send_echo_request(options_.destination.v4(), identifier_, sequence, payload_,
                                      now, stack::SendOptions{.ttl = options_.ttl});
    if (sent) {
        outstanding_[sequence] = now;
    } else {
        ++stats_.errors;
        output_(fmt::format("ping: sendmsg: {}", stack::to_string(sent.error())));
    }
    if (stats_.transmitted < options_.count) {
        next_send_ = now + options_.interval;
    } else {
        next_send_ = base::Time::never();
        give_up_ = now + options_.linger;
    }
}

void Ping::poll(base::Time now) {
    if (done_ || started_.is_never()) return;
    if (now >= next_send_) send_next(now);
    if (now >= give_up_) finish(now);
}

base::Time Ping::next_deadline() const {
    if (done_ || started_.is_never()) return base::Time::never();
    return std::min(next_send_, give_up_);
}

void Ping::icmp_received(const stack::IcmpMessage& m, base::Time now) {
    if (done_) return;
    if (m.icmp.type == wire::Icmpv4Type::echo_reply) {
        if (m.icmp.identifier != identifier_ || wire::IpAddress{m.from} != options_.destination)
            return;
        return reply(m.icmp.sequence, m.icmp.data.size() + 8, m.ttl, now);
    }
    if (m.error && m.error->original_protocol == wire::IpProtocol::icmp &&
        m.error->original_payload.size() >= wire::icmpv4::header_len) {
        // The error quotes our request: check it is ours by its identifier.
        const base::ByteSpan quoted = m.error->original_payload;
        if (base::load_u8(quoted, 0) != static_cast<uint8_t>(wire::Icmpv4Type::echo_request) ||
            base::load_be16(quoted, wire::icmpv4::field::identifier) != identifier_) {
            return;
        }
        error(base::load_be16(quoted, wire::icmpv4::field::sequence), m.error->reporter,
              error_text(*m.error), now);
    }
}

void Ping::icmpv6_received(const stack::Icmpv6Message& m, base::Time now) {
    if (done_) return;
    if (m.icmp.type == wire::Icmpv6Type::echo_reply) {
        if (m.icmp.identifier != identifier_ || wire::IpAddress{m.from} != options_.destination)
            return;
        return reply(m.icmp.sequence, m.icmp.data.size() + 8, m.hop_limit, now);
    }
    if (!stack::icmp_error_kind(m.icmp.type, m.icmp.code)) return;
    // The error quotes our request: its IPv6 header (no extension headers
    // from this host), then the echo request with our identifier.
    const base::ByteSpan q = m.icmp.data;
    constexpr size_t at = wire::ipv6::header_len;
    if (q.size() < at + wire::icmpv6::header_len ||
        base::load_u8(q, wire::ipv6::field::next_header.begin) !=
            static_cast<uint8_t>(wire::IpProtocol::icmpv6) ||
        base::load_u8(q, at) != static_cast<uint8_t>(wire::Icmpv6Type::echo_request) ||
        base::load_be16(q, at + 4) != identifier_) {
        return;
    }
    error(base::load_be16(q, at + 6), m.from, error_text6(m.icmp), now);
}

void Ping::reply(uint16_t sequence, size_t size, uint8_t ttl, base::Time now) {
    const auto it = outstanding_.find(sequence);
    if (it == outstanding_.end()) return;
    const base::Duration rtt = now - it->second;
    const bool duplicate = answered_[sequence];
    answered_[sequence] = true;
    if (duplicate) {
        ++stats_.duplicates;
    } else {
        ++stats_.received;
        stats_.rtts.push_back(rtt);
    }
    output_(fmt::format("{} bytes from {}: icmp_seq={} ttl={} time={} ms{}", size, target(),
                        sequence, ttl, format_rtt_ms(rtt), duplicate ? " (DUP!)" : ""));
    finish_if_answered(now);
}

void Ping::error(uint16_t sequence, const wire::IpAddress& reporter, const std::string& what,
                 base::Time now) {
    ++stats_.errors;
    answered_[sequence] = true;
    output_(fmt::format("From {} icmp_seq={} {}", reporter, sequence, what));
    finish_if_answered(now);
}

void Ping::finish_if_answered(base::Time now) {
    // Done once every request is accounted for.
    if (stats_.transmitted == options_.count &&
        std::all_of(outstanding_.begin(), outstanding_.end(),
                    [&](const auto& kv) { return answered_[kv.first]; })) {
        finish(now);
    }
}

void Ping::finish(base::Time now) {
    if (done_) return;
    done_ = true;
    stats_.elapsed = now - started_;
    const std::string name = options_.destination_name.empty() ? options_.destination.to_string()
                                                               : options_.destination_name;
    output_("");
    output_(fmt::format("--- {} ping statistics ---", name));
    const double loss = stats_.transmitted == 0
                            ? 0
                            : 100.0 * (stats_.transmitted - stats_.received) / stats_.transmitted;
    output_(fmt::format("{} packets transmitted, {} received, {}{}{:g}% packet loss, time {}ms",
                        stats_.transmitted, stats_.received,
                        stats_.duplicates ? fmt::format("+{} duplicates, ", stats_.duplicates) : "",
                        stats_.errors ? fmt::format("+{} errors, ", stats_.errors) : "", loss,
                        stats_.elapsed.ms()));
    if (!stats_.rtts.empty()) {
        double sum = 0, sum_sq = 0;
        for (base::Duration r : stats_.rtts) {
            sum += ms(r);
            sum_sq += ms(r) * ms(r);
        }
        const double n = static_cast<double>(stats_.rtts.size());
        const double avg = sum / n;
        const double mdev = std::sqrt(std::max(0.0, sum_sq / n - avg * avg));
        const auto [lo, hi] = std::minmax_element(stats_.rtts.begin(), stats_.rtts.end());
        output_(fmt::format("rtt min/avg/max/mdev = {:.3f}/{:.3f}/{:.3f}/{:.3f} ms", ms(*lo), avg,
                            ms(*hi), mdev));
    }
}

}  // namespace apps
