#include "wire/ipv6.hpp"

#include <algorithm>
#include <cassert>

namespace wire {
namespace {

// The type-length-value options of a hop-by-hop or destination options header
// (RFC 8200 §4.2): Pad1 is one byte, every other option has a length byte and
// must end inside the header.
bool options_fit(base::ByteSpan options) {
    size_t i = 0;
    while (i < options.size()) {
        if (base::load_u8(options, i) == 0) {  // Pad1
            ++i;
            continue;
        }
        if (i + 2 > options.size()) return false;
        i += 2 + size_t{base::load_u8(options, i + 1)};
        if (i > options.size()) return false;
    }
    return true;
}

}  // namespace

Result<Ipv6View> Ipv6View::parse(base::ByteSpan packet) {
    if (packet.size() < ipv6::header_len) return base::fail(Error::truncated);
    if ((base::load_u8(packet, 0) >> 4) != 6) return base::fail(Error::bad_version);
    const size_t payload_len = base::load_be16(packet, ipv6::field::payload_len);
    if (ipv6::header_len + payload_len > packet.size()) return base::fail(Error::truncated);
    return Ipv6View{packet.first(ipv6::header_len + payload_len)};
}

Result<Ipv6View> Ipv6View::parse_truncated(base::ByteSpan packet) {
    if (packet.size() < ipv6::header_len) return base::fail(Error::truncated);
    if ((base::load_u8(packet, 0) >> 4) != 6) return base::fail(Error::bad_version);
    const size_t payload_len = base::load_be16(packet, ipv6::field::payload_len);
    return Ipv6View{packet.first(std::min(packet.size(), ipv6::header_len + payload_len))};
}

Ipv6Repr Ipv6Repr::parse(const Ipv6View& v) {
    return Ipv6Repr{
        .src = v.src(),
        .dst = v.dst(),
        .next_header = v.next_header(),
        .hop_limit = v.hop_limit(),
        .traffic_class = v.traffic_class(),
        .flow_label = v.flow_label(),
        .payload_len = v.payload_len(),
    };
}

void Ipv6Repr::emit(base::MutableByteSpan header) const {
    assert(header.size() >= buffer_len());
    assert(flow_label < (1u << 20));
    base::store_be32(header, ipv6::field::version_class_flow,
                     (uint32_t{6} << 28) | (uint32_t{traffic_class} << 20) | flow_label);
    base::store_be16(header, ipv6::field::payload_len, payload_len);
    base::store_u8(header, ipv6::field::next_header, next_header);
    base::store_u8(header, ipv6::field::hop_limit, hop_limit);
    src.store(base::slice(header, ipv6::field::src));
    dst.store(base::slice(header, ipv6::field::dst));
}

Result<Ipv6Chain> walk_extensions(const Ipv6View& v) {
    const base::ByteSpan p = v.bytes();
    Ipv6Chain chain;
    uint8_t next = v.next_header();
    size_t at = ipv6::header_len;
    size_t named_at = ipv6::field::next_header.begin;  // the field that holds `next`
    while (true) {
        const bool extension = next == ipv6::hop_by_hop || next == ipv6::destination_options ||
                               next == ipv6::routing || next == ipv6::fragment;
        if (!extension) {
            chain.upper = next;
            chain.upper_at = at;
            chain.upper_named_at = named_at;
            return chain;
        }
        // Hop-by-hop options come right after the fixed header, or not at all.
        if (next == ipv6::hop_by_hop && chain.extension_headers != 0)
            return base::fail(Error::unsupported);
        if (chain.extension_headers == ipv6::max_extension_headers)
            return base::fail(Error::unsupported);
        ++chain.extension_headers;

        if (next == ipv6::fragment) {
            if (at + ipv6::fragment_header_len > p.size()) return base::fail(Error::truncated);
            const uint16_t offset_flags = base::load_be16(p, at + 2);
            chain.fragment = Ipv6Fragment{.offset = static_cast<uint16_t>(offset_flags & 0xfff8u),
                                          .more = (offset_flags & 1u) != 0,
                                          .identification = base::load_be32(p, at + 4),
                                          .header_at = at};
            next = base::load_u8(p, at);
            named_at = at;
            at += ipv6::fragment_header_len;
            if (chain.fragment->offset != 0) {  // the rest is this fragment's data
                chain.upper = next;
                chain.upper_at = at;
                chain.upper_named_at = named_at;
                return chain;
            }
            continue;
        }

        // Options and routing headers: a length in 8-byte units after the first 8.
        if (at + 2 > p.size()) return base::fail(Error::truncated);
        const size_t len = (size_t{base::load_u8(p, at + 1)} + 1) * 8;
        if (at + len > p.size()) return base::fail(Error::truncated);
        const base::ByteSpan h = p.subspan(at, len);
        if (next == ipv6::routing) {
            chain.routing = Ipv6Routing{
                .type = base::load_u8(h, 2), .segments_left = base::load_u8(h, 3), .header_at = at};
        } else {
            if (!options_fit(h.subspan(2))) return base::fail(Error::option_overrun);
            if (next == ipv6::hop_by_hop) chain.hop_by_hop_options = h.subspan(2);
        }
        next = base::load_u8(h, 0);
        named_at = at;
        at += len;
    }
}

}  // namespace wire
