#include "wire/icmpv4.hpp"

#include <cassert>

namespace wire {

std::string_view to_string(Icmpv4Type t) {
    switch (t) {
        case Icmpv4Type::echo_reply:
            return "echo reply";
        case Icmpv4Type::dest_unreachable:
            return "destination unreachable";
        case Icmpv4Type::echo_request:
            return "echo request";
        case Icmpv4Type::time_exceeded:
            return "time exceeded";
    }
    return "unknown";
}

std::string_view to_string(UnreachableCode c) {
    switch (c) {
        case UnreachableCode::net:
            return "network unreachable";
        case UnreachableCode::host:
            return "host unreachable";
        case UnreachableCode::protocol:
            return "protocol unreachable";
        case UnreachableCode::port:
            return "port unreachable";
        case UnreachableCode::fragmentation_needed:
            return "fragmentation needed";
        case UnreachableCode::source_route_failed:
            return "source route failed";
        case UnreachableCode::net_unknown:
            return "network unknown";
        case UnreachableCode::host_unknown:
            return "host unknown";
        case UnreachableCode::source_host_isolated:
            return "source host isolated";
        case UnreachableCode::net_prohibited:
            return "network prohibited";
        case UnreachableCode::host_prohibited:
            return "host prohibited";
        case UnreachableCode::net_tos:
            return "network unreachable for TOS";
        case UnreachableCode::host_tos:
            return "host unreachable for TOS";
        case UnreachableCode::admin_prohibited:
            return "communication administratively prohibited";
        case UnreachableCode::host_precedence:
            return "host precedence violation";
        case UnreachableCode::precedence_cutoff:
            return "precedence cutoff in effect";
    }
    return "unknown";
}

Result<Icmpv4View> Icmpv4View::parse(base::ByteSpan message) {
    if (message.size() < icmpv4::header_len) return base::fail(Error::truncated);
    return Icmpv4View{message};
}

Result<Icmpv4Repr> Icmpv4Repr::parse(const Icmpv4View& v, ChecksumCheck check) {
    if (check == ChecksumCheck::verify && !v.checksum_valid()) {
        return base::fail(Error::bad_checksum);
    }
    Icmpv4Repr r{.type = Icmpv4Type{v.type()}, .code = v.code(), .data = v.payload()};
    switch (r.type) {
        case Icmpv4Type::echo_request:
        case Icmpv4Type::echo_reply:
            r.identifier = v.identifier();
            r.sequence = v.sequence();
            break;
        case Icmpv4Type::dest_unreachable:
            if (r.code == static_cast<uint8_t>(UnreachableCode::fragmentation_needed)) {
                r.next_hop_mtu = v.next_hop_mtu();
            }
            break;
        case Icmpv4Type::time_exceeded:
            break;
        default:
            return base::fail(Error::unsupported);
    }
    return r;
}

void Icmpv4Repr::emit(base::MutableByteSpan out) const {
    assert(out.size() >= buffer_len());
    base::store_u8(out, icmpv4::field::type, static_cast<uint8_t>(type));
    base::store_u8(out, icmpv4::field::code, code);
    base::store_be16(out, icmpv4::field::checksum, 0);
    uint16_t word1 = 0;
    uint16_t word2 = 0;
    if (type == Icmpv4Type::echo_request || type == Icmpv4Type::echo_reply) {
        word1 = identifier;
        word2 = sequence;
    } else if (type == Icmpv4Type::dest_unreachable &&
               code == static_cast<uint8_t>(UnreachableCode::fragmentation_needed)) {
        word2 = next_hop_mtu;
    }
    base::store_be16(out, icmpv4::field::identifier, word1);
    base::store_be16(out, icmpv4::field::sequence, word2);
    base::copy_bytes(out.subspan(icmpv4::header_len), data);
    const auto message = out.first(buffer_len());
    base::store_be16(out, icmpv4::field::checksum, checksum::compute(message));
}

bool Icmpv4Repr::operator==(const Icmpv4Repr& o) const {
    return type == o.type && code == o.code && identifier == o.identifier &&
           sequence == o.sequence && next_hop_mtu == o.next_hop_mtu &&
           base::equal_bytes(data, o.data);
}

}  // namespace wire
