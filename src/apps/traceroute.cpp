#include "apps/traceroute.hpp"

#include <fmt/format.h>

#include "wire/ipv6.hpp"

namespace apps {
namespace {

// traceroute's annotations for unreachable answers.
std::string_view unreachable_mark(uint8_t code) {
    switch (wire::UnreachableCode{code}) {
        case wire::UnreachableCode::net:
            return " !N";
        case wire::UnreachableCode::host:
            return " !H";
        case wire::UnreachableCode::protocol:
            return " !P";
        case wire::UnreachableCode::port:
            return "";  // the destination itself
        case wire::UnreachableCode::fragmentation_needed:
            return " !F";
        case wire::UnreachableCode::admin_prohibited:
            return " !X";
        default:
            return " !<?>";
    }
}

// traceroute's annotations for ICMPv6's unreachable codes.
std::string_view unreachable_mark6(uint8_t code) {
    switch (wire::Icmpv6UnreachableCode{code}) {
        case wire::Icmpv6UnreachableCode::no_route:
        case wire::Icmpv6UnreachableCode::reject_route:
            return " !N";
        case wire::Icmpv6UnreachableCode::admin_prohibited:
        case wire::Icmpv6UnreachableCode::source_policy:
            return " !X";
        case wire::Icmpv6UnreachableCode::beyond_scope:
            return " !S";
        case wire::Icmpv6UnreachableCode::address:
            return " !H";
        case wire::Icmpv6UnreachableCode::port:
            return "";  // the destination itself
    }
    return " !<?>";
}

}  // namespace

Traceroute::Traceroute(stack::Host& host, TracerouteOptions options, Output output, NameOf name_of)
    : host_(host),
      options_(std::move(options)),
      output_(std::move(output)),
      name_of_(std::move(name_of)),
      identifier_(static_cast<uint16_t>(host.random().next_u32())) {
    const size_t headers = options_.destination.is_v6()
                               ? wire::ipv6::header_len + wire::icmpv6::header_len
                               : wire::ipv4::min_header_len + wire::icmpv4::header_len;
    payload_.resize(options_.packet_len > headers ? options_.packet_len - headers : 0);
    for (size_t i = 0; i < payload_.size(); ++i)
        payload_[i] = static_cast<std::byte>(0x40 + i % 32);
    if (options_.destination.is_v6()) {
        host_.add_icmpv6_listener(this);
    } else {
        host_.add_icmp_listener(this);
    }
    host_.attach(this);
}

Traceroute::~Traceroute() {
    if (options_.destination.is_v6()) {
        host_.remove_icmpv6_listener(this);
    } else {
        host_.remove_icmp_listener(this);
    }
    host_.detach(this);
}

std::string Traceroute::label(const wire::IpAddress& a) const {
    std::string name = name_of_ ? name_of_(a) : std::string{};
    if (name.empty()) name = a.to_string();
    return fmt::format("{} ({})", name, a);
}

void Traceroute::start(base::Time now) {
    const std::string name = options_.destination_name.empty() ? options_.destination.to_string()
                                                               : options_.destination_name;
    output_(fmt::format("traceroute to {} ({}), {} hops max, {} byte packets", name,
                        options_.destination, options_.max_hops, options_.packet_len));
    ttl_ = options_.first_ttl;
    probe_ = 0;
    send_probe(now);
}

void Traceroute::send_probe(base::Time now) {
    if (probe_ == 0) {
        hops_.push_back(TracerouteHop{.ttl = ttl_});
        line_ = fmt::format("{:2} ", ttl_);
        last_from_ = {};
        hop_reached_destination_ = false;
    }
    ++sequence_;
    sent_at_ = now;
    deadline_ = now + options_.wait;
    waiting_ = true;
    const auto hops = static_cast<uint8_t>(ttl_);
    auto sent = options_.destination.is_v6()
                    ? host_.send_echo_request(options_.destination.v6(), identifier_, sequence_,
                                              payload_, now, stack::Send6Options{.hop_limit = hops})
                    : host_.send_echo_request(options_.destination.v4(), identifier_, sequence_,
                                              payload_, now, stack::SendOptions{.ttl = hops});
    if (!sent) {
        output_(fmt::format("traceroute: send: {}", stack::to_string(sent.error())));
        waiting_ = false;
        done_ = true;
    }
}

void Traceroute::probe_answered(const wire::IpAddress& from, base::Time now,
                                std::string_view mark) {
    const base::Duration rtt = now - sent_at_;
    TracerouteHop& hop = hops_.back();
    hop.from.push_back(from);
    hop.rtt.push_back(rtt);
    if (from != last_from_) {
        line_ += fmt::format(" {}", label(from));
        last_from_ = from;
    }
    line_ += fmt::format("  {}.{:03} ms{}", rtt.us() / 1000, rtt.us() % 1000, mark);
    probe_done(now);
}

void Traceroute::probe_done(base::Time now) {
    waiting_ = false;
    if (++probe_ < options_.probes) {
        send_probe(now);
        return;
    }
    output_(line_);
    probe_ = 0;
    if (hop_reached_destination_) {
        reached_ = true;
        done_ = true;
        return;
    }
    if (++ttl_ > options_.max_hops) {
        done_ = true;
        return;
    }
    send_probe(now);
}

void Traceroute::poll(base::Time now) {
    if (done_ || !waiting_ || now < deadline_) return;
    TracerouteHop& hop = hops_.back();
    hop.from.push_back({});
    hop.rtt.push_back({});
    line_ += " *";
    probe_done(now);
}

base::Time Traceroute::next_deadline() const {
    return done_ || !waiting_ ? base::Time::never() : deadline_;
}

void Traceroute::icmp_received(const stack::IcmpMessage& m, base::Time now) {
    if (done_ || !waiting_) return;
    if (m.icmp.type == wire::Icmpv4Type::echo_reply) {
        if (m.icmp.identifier != identifier_ || m.icmp.sequence != sequence_) return;
        hop_reached_destination_ = true;
        return probe_answered(m.from, now, "");
    }
    if (!m.error || m.error->original_protocol != wire::IpProtocol::icmp ||
        m.error->original_payload.size() < wire::icmpv4::header_len) {
        return;
    }
    const base::ByteSpan quoted = m.error->original_payload;
    if (base::load_be16(quoted, wire::icmpv4::field::identifier) != identifier_ ||
        base::load_be16(quoted, wire::icmpv4::field::sequence) != sequence_) {
        return;
    }
    std::string_view mark;
    if (m.icmp.type == wire::Icmpv4Type::dest_unreachable) {
        mark = unreachable_mark(m.icmp.code);
        hop_reached_destination_ = true;  // nothing lies beyond an unreachable answer
    }
    probe_answered(m.error->reporter, now, mark);
}

void Traceroute::icmpv6_received(const stack::Icmpv6Message& m, base::Time now) {
    if (done_ || !waiting_) return;
    if (m.icmp.type == wire::Icmpv6Type::echo_reply) {
        if (m.icmp.identifier != identifier_ || m.icmp.sequence != sequence_) return;
        hop_reached_destination_ = true;
        return probe_answered(m.from, now, "");
    }
    const auto kind = stack::icmp_error_kind(m.icmp.type, m.icmp.code);
    if (!kind) return;
    // The error quotes our probe: its IPv6 header, then the echo request.
    const base::ByteSpan q = m.icmp.data;
    constexpr size_t at = wire::ipv6::header_len;
    if (q.size() < at + wire::icmpv6::header_len ||
        base::load_u8(q, wire::ipv6::field::next_header.begin) !=
            static_cast<uint8_t>(wire::IpProtocol::icmpv6) ||
        base::load_be16(q, at + 4) != identifier_ || base::load_be16(q, at + 6) != sequence_) {
        return;
    }
    std::string_view mark;
    if (m.icmp.type == wire::Icmpv6Type::dest_unreachable) {
        mark = unreachable_mark6(m.icmp.code);
        hop_reached_destination_ = true;  // nothing lies beyond an unreachable answer
    } else if (m.icmp.type == wire::Icmpv6Type::packet_too_big) {
        mark = " !F";
        hop_reached_destination_ = true;
    }
    probe_answered(m.from, now, mark);
}

}  // namespace apps
