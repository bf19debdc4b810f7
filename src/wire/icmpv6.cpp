#include "wire/icmpv6.hpp"

#include <cassert>

namespace wire {

namespace {
constexpr auto icmpv6_next_header = static_cast<uint8_t>(IpProtocol::icmpv6);
}  // namespace

std::string_view to_string(Icmpv6Type t) {
    switch (t) {
        case Icmpv6Type::dest_unreachable:
            return "destination unreachable";
        case Icmpv6Type::packet_too_big:
            return "packet too big";
        case Icmpv6Type::time_exceeded:
            return "time exceeded";
        case Icmpv6Type::parameter_problem:
            return "parameter problem";
        case Icmpv6Type::echo_request:
            return "echo request";
        case Icmpv6Type::echo_reply:
            return "echo reply";
        case Icmpv6Type::router_solicitation:
            return "router solicitation";
        case Icmpv6Type::router_advertisement:
            return "router advertisement";
        case Icmpv6Type::neighbor_solicitation:
            return "neighbour solicitation";
        case Icmpv6Type::neighbor_advertisement:
            return "neighbour advertisement";
        case Icmpv6Type::redirect:
            return "redirect";
    }
    return "unknown";
}

std::string_view to_string(Icmpv6UnreachableCode c) {
    switch (c) {
        case Icmpv6UnreachableCode::no_route:
            return "no route to destination";
        case Icmpv6UnreachableCode::admin_prohibited:
            return "communication administratively prohibited";
        case Icmpv6UnreachableCode::beyond_scope:
            return "beyond scope of source address";
        case Icmpv6UnreachableCode::address:
            return "address unreachable";
        case Icmpv6UnreachableCode::port:
            return "port unreachable";
        case Icmpv6UnreachableCode::source_policy:
            return "source address failed ingress/egress policy";
        case Icmpv6UnreachableCode::reject_route:
            return "reject route to destination";
    }
    return "unknown";
}

Result<Icmpv6View> Icmpv6View::parse(base::ByteSpan message) {
    if (message.size() < icmpv6::header_len) return base::fail(Error::truncated);
    return Icmpv6View{message};
}

bool Icmpv6View::checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const {
    return checksum::transport(b_, src, dst, icmpv6_next_header) == 0;
}

Result<Icmpv6Repr> Icmpv6Repr::parse(const Icmpv6View& v, const Ipv6Address& src,
                                     const Ipv6Address& dst, ChecksumCheck check) {
    Icmpv6Repr r{.type = Icmpv6Type{v.type()}, .code = v.code(), .data = v.payload()};
    switch (r.type) {
        case Icmpv6Type::echo_request:
        case Icmpv6Type::echo_reply:
            r.identifier = v.identifier();
            r.sequence = v.sequence();
            break;
        case Icmpv6Type::packet_too_big:
            r.mtu = v.mtu();
            break;
        case Icmpv6Type::parameter_problem:
            r.pointer = v.pointer();
            break;
        case Icmpv6Type::dest_unreachable:
        case Icmpv6Type::time_exceeded:
            break;  // four unused bytes
        default:
            return base::fail(Error::unsupported);
    }
    if (check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return r;
}

void Icmpv6Repr::emit(base::MutableByteSpan out, const Ipv6Address& src,
                      const Ipv6Address& dst) const {
    assert(out.size() >= buffer_len());
    base::store_u8(out, icmpv6::field::type, static_cast<uint8_t>(type));
    base::store_u8(out, icmpv6::field::code, code);
    base::store_be16(out, icmpv6::field::checksum, 0);
    uint32_t body = 0;
    switch (type) {
        case Icmpv6Type::echo_request:
        case Icmpv6Type::echo_reply:
            body = (uint32_t{identifier} << 16) | sequence;
            break;
        case Icmpv6Type::packet_too_big:
            body = mtu;
            break;
        case Icmpv6Type::parameter_problem:
            body = pointer;
            break;
        default:
            break;
    }
    base::store_be32(out, 4, body);
    base::copy_bytes(out.subspan(icmpv6::header_len), data);
    const auto message = out.first(buffer_len());
    base::store_be16(out, icmpv6::field::checksum,
                     checksum::transport(message, src, dst, icmpv6_next_header));
}

bool Icmpv6Repr::operator==(const Icmpv6Repr& o) const {
    return type == o.type && code == o.code && identifier == o.identifier &&
           sequence == o.sequence && mtu == o.mtu && pointer == o.pointer &&
           base::equal_bytes(data, o.data);
}

}  // namespace wire
