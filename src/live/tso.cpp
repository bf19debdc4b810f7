#include "live/tso.hpp"

#include <algorithm>
#include <optional>

#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"

namespace live::tso {
namespace {

constexpr size_t eth_len = wire::ethernet::header_len;
constexpr size_t ip4_len = 20;  // merged segments carry no IP options
constexpr size_t ip6_len = 40;  // nor IPv6 extension headers
constexpr size_t tcp_checksum = 16;
constexpr uint8_t ack = 0x10, psh = 0x08, fin = 0x01;
constexpr uint16_t ethertype_ipv4 = 0x0800, ethertype_ipv6 = 0x86dd;

// What a run needs to know about one frame: a TCP segment over IPv4 (whole:
// no fragment, no padding, no options) or over IPv6 (no extension header),
// its checksum pending.
struct Segment {
    bool ipv6 = false;
    size_t ip_header = 0;  // 20 or 40
    size_t tcp_header = 0;
    size_t payload = 0;
    uint32_t seq = 0;
    uint8_t flags = 0;
    size_t tcp_at() const { return eth_len + ip_header; }
};

std::optional<Segment> inspect(const base::PacketBuffer& f) {
    const base::ByteSpan b = f.bytes();
    if (b.size() < eth_len + ip4_len + 20) return std::nullopt;
    Segment s;
    switch (base::load_be16(b, 12)) {
        case ethertype_ipv4:
            if (base::load_u8(b, eth_len) != 0x45 || base::load_u8(b, eth_len + 9) != 6)
                return std::nullopt;
            if ((base::load_be16(b, eth_len + 6) & 0x3fff) != 0) return std::nullopt;  // a fragment
            if (base::load_be16(b, eth_len + 2) != b.size() - eth_len) return std::nullopt;
            s.ip_header = ip4_len;
            break;
        case ethertype_ipv6:
            if (b.size() < eth_len + ip6_len + 20 || base::load_u8(b, eth_len) >> 4 != 6 ||
                base::load_u8(b, eth_len + 6) != 6)
                return std::nullopt;
            if (base::load_be16(b, eth_len + 4) != b.size() - eth_len - ip6_len)
                return std::nullopt;
            s.ipv6 = true;
            s.ip_header = ip6_len;
            break;
        default:
            return std::nullopt;
    }
    const size_t tcp_at = s.tcp_at();
    if (!f.checksum_pending() || f.checksum_start() != tcp_at || f.checksum_field() != tcp_checksum)
        return std::nullopt;
    s.tcp_header = static_cast<size_t>(base::load_u8(b, tcp_at + 12) >> 4) * 4;
    if (s.tcp_header < 20 || tcp_at + s.tcp_header > b.size()) return std::nullopt;
    s.payload = b.size() - tcp_at - s.tcp_header;
    s.seq = base::load_be32(b, tcp_at + 4);
    s.flags = base::load_u8(b, tcp_at + 13);
    return s;
}

// Equal headers but for what each segment of a TSO burst has of its own: IP
// total (payload) length, IPv4's identification and checksum; TCP sequence
// number, flags and checksum.
bool same_headers(base::ByteSpan a, base::ByteSpan b, const Segment& s) {
    auto equal = [&](size_t from, size_t to) {
        return std::equal(a.begin() + static_cast<ptrdiff_t>(from),
                          a.begin() + static_cast<ptrdiff_t>(to),
                          b.begin() + static_cast<ptrdiff_t>(from));
    };
    const size_t tcp_at = s.tcp_at();
    const bool ip_same = s.ipv6 ? equal(0, eth_len + 4) && equal(eth_len + 6, tcp_at)
                                : equal(0, eth_len + 2) && equal(eth_len + 6, eth_len + 10) &&
                                      equal(eth_len + 12, tcp_at);
    return ip_same && equal(tcp_at, tcp_at + 4) && equal(tcp_at + 8, tcp_at + 13) &&
           equal(tcp_at + 14, tcp_at + 16) && equal(tcp_at + 18, tcp_at + s.tcp_header);
}

Frame pass(base::PacketBuffer f) {
    const vnet::Header h = header_for(f);
    return Frame{std::move(f), h};
}

wire::Ipv6Address ipv6_at(base::ByteSpan b, size_t at) {
    return wire::Ipv6Address::load(b.subspan(at, 16));
}

// One frame for frames[first, last): the first's headers, everyone's data.
Frame merge(std::vector<base::PacketBuffer>& frames, size_t first, size_t last, const Segment& head,
            uint8_t last_flags, size_t payload, base::BufferPool& pool) {
    const size_t tcp_at = head.tcp_at();
    const size_t headers = tcp_at + head.tcp_header;
    base::PacketBuffer out = pool.acquire(pool.config().default_headroom, headers + payload);
    out.append(frames[first].bytes().first(headers));
    for (size_t i = first; i < last; ++i)
        out.append(frames[i].bytes().subspan(headers));
    const base::MutableByteSpan b = out.bytes();
    const auto tcp_len = static_cast<uint16_t>(b.size() - tcp_at);
    base::store_u8(b, tcp_at + 13, last_flags);
    if (head.ipv6) {
        base::store_be16(b, eth_len + 4, tcp_len);
        base::store_be16(b, tcp_at + tcp_checksum,
                         wire::checksum::pseudo_header_sum(ipv6_at(b, eth_len + 8),
                                                           ipv6_at(b, eth_len + 24), 6, tcp_len));
    } else {
        base::store_be16(b, eth_len + 2, static_cast<uint16_t>(b.size() - eth_len));
        base::store_be16(b, eth_len + 10, 0);
        base::store_be16(b, eth_len + 10, wire::checksum::compute(b.subspan(eth_len, ip4_len)));
        const auto src = wire::Ipv4Address::from_u32(base::load_be32(b, eth_len + 12));
        const auto dst = wire::Ipv4Address::from_u32(base::load_be32(b, eth_len + 16));
        base::store_be16(b, tcp_at + tcp_checksum,
                         wire::checksum::pseudo_header_sum(src, dst, 6, tcp_len));
    }
    out.set_checksum_pending(tcp_at, tcp_checksum);
    const vnet::Header h{.flags = vnet::flag_needs_checksum,
                         .gso_type = head.ipv6 ? vnet::gso_tcpv6 : vnet::gso_tcpv4,
                         .hdr_len = static_cast<uint16_t>(headers),
                         .gso_size = static_cast<uint16_t>(head.payload),
                         .csum_start = static_cast<uint16_t>(tcp_at),
                         .csum_offset = static_cast<uint16_t>(tcp_checksum)};
    return Frame{std::move(out), h, last - first};
}

}  // namespace

vnet::Header header_for(const base::PacketBuffer& frame) {
    if (!frame.checksum_pending()) return {};
    return {.flags = vnet::flag_needs_checksum,
            .csum_start = static_cast<uint16_t>(frame.checksum_start()),
            .csum_offset = static_cast<uint16_t>(frame.checksum_field())};
}

std::vector<Frame> coalesce(std::vector<base::PacketBuffer> frames, base::BufferPool& pool,
                            size_t max_ip_len) {
    std::vector<Frame> out;
    out.reserve(frames.size());
    size_t i = 0;
    while (i < frames.size()) {
        const std::optional<Segment> head = inspect(frames[i]);
        // A run starts with a full segment that carries only an ACK.
        if (!head || head->payload == 0 || head->flags != ack) {
            out.push_back(pass(std::move(frames[i++])));
            continue;
        }
        size_t end = i + 1;
        size_t payload = head->payload;
        uint32_t next_seq = head->seq + static_cast<uint32_t>(head->payload);
        uint8_t last_flags = head->flags;
        while (end < frames.size() && last_flags == ack) {
            const std::optional<Segment> s = inspect(frames[end]);
            if (!s || s->tcp_header != head->tcp_header || s->seq != next_seq || s->payload == 0 ||
                s->payload > head->payload || (s->flags & ~(psh | fin)) != ack ||
                s->ipv6 != head->ipv6 ||
                head->ip_header + head->tcp_header + payload + s->payload > max_ip_len ||
                !same_headers(frames[i].bytes(), frames[end].bytes(), *head))
                break;
            payload += s->payload;
            next_seq += static_cast<uint32_t>(s->payload);
            last_flags = s->flags;
            ++end;
            if (s->payload < head->payload) break;  // a short one ends the run
        }
        if (end - i == 1) {
            out.push_back(pass(std::move(frames[i++])));
            continue;
        }
        out.push_back(merge(frames, i, end, *head, last_flags, payload, pool));
        i = end;
    }
    return out;
}

base::Expected<std::vector<base::PacketBuffer>, vnet::Problem> segment(base::PacketBuffer frame,
                                                                       const vnet::Header& header,
                                                                       base::BufferPool& pool) {
    std::vector<base::PacketBuffer> out;
    if ((header.gso_type & ~vnet::gso_ecn) == vnet::gso_none) {
        if (auto ok = vnet::complete_checksum(header, frame.bytes()); !ok)
            return base::fail(ok.error());
        out.push_back(std::move(frame));
        return out;
    }
    const base::ByteSpan b = frame.bytes();
    if (b.size() < eth_len + ip4_len) return base::fail(vnet::Problem::not_tcp);
    const bool ipv6 = base::load_be16(b, 12) == ethertype_ipv6;
    size_t iphl = 0;
    if (ipv6) {
        if (b.size() < eth_len + ip6_len || base::load_u8(b, eth_len) >> 4 != 6 ||
            base::load_u8(b, eth_len + 6) != 6)
            return base::fail(vnet::Problem::not_tcp);
        iphl = ip6_len;
    } else {
        if (base::load_be16(b, 12) != ethertype_ipv4 || base::load_u8(b, eth_len) >> 4 != 4 ||
            base::load_u8(b, eth_len + 9) != 6)
            return base::fail(vnet::Problem::not_tcp);
        iphl = size_t{base::load_u8(b, eth_len)} % 16 * 4;
        if (iphl < 20) return base::fail(vnet::Problem::not_tcp);
    }
    const size_t tcp = eth_len + iphl;
    if (tcp + 20 > b.size()) return base::fail(vnet::Problem::not_tcp);
    const size_t headers = tcp + static_cast<size_t>(base::load_u8(b, tcp + 12) >> 4) * 4;
    if (headers < tcp + 20 || headers >= b.size()) return base::fail(vnet::Problem::not_tcp);
    const size_t payload = b.size() - headers;
    const size_t mss = header.gso_size;
    const uint32_t seq = base::load_be32(b, tcp + 4);
    const uint16_t id = ipv6 ? 0 : base::load_be16(b, eth_len + 4);
    const uint8_t flags = base::load_u8(b, tcp + 13);
    constexpr uint8_t cwr = 0x80;
    for (size_t at = 0, i = 0; at < payload; at += mss, ++i) {
        const size_t len = std::min(mss, payload - at);
        base::PacketBuffer piece = pool.acquire(pool.config().default_headroom, headers + len);
        piece.append(b.first(headers));
        piece.append(b.subspan(headers + at, len));
        const base::MutableByteSpan p = piece.bytes();
        const bool first = at == 0, last = at + len == payload;
        if (ipv6) {
            base::store_be16(p, eth_len + 4, static_cast<uint16_t>(p.size() - tcp));
        } else {
            base::store_be16(p, eth_len + 2, static_cast<uint16_t>(p.size() - eth_len));
            base::store_be16(p, eth_len + 4, static_cast<uint16_t>(id + i));
            base::store_be16(p, eth_len + 10, 0);
            base::store_be16(p, eth_len + 10, wire::checksum::compute(p.subspan(eth_len, iphl)));
        }
        base::store_be32(p, tcp + 4, seq + static_cast<uint32_t>(at));
        uint8_t f = flags;
        if (!last) f = static_cast<uint8_t>(f & ~(psh | fin));
        if (!first) f = static_cast<uint8_t>(f & ~cwr);
        base::store_u8(p, tcp + 13, f);
        base::store_be16(p, tcp + tcp_checksum, 0);
        const uint16_t sum =
            ipv6
                ? wire::checksum::transport(p.subspan(tcp), ipv6_at(p, eth_len + 8),
                                            ipv6_at(p, eth_len + 24), 6)
                : wire::checksum::transport(
                      p.subspan(tcp), wire::Ipv4Address::from_u32(base::load_be32(p, eth_len + 12)),
                      wire::Ipv4Address::from_u32(base::load_be32(p, eth_len + 16)), 6);
        base::store_be16(p, tcp + tcp_checksum, sum);
        out.push_back(std::move(piece));
    }
    return out;
}

}  // namespace live::tso
