#include "wire/tcp.hpp"

#include <algorithm>
#include <cassert>

#include "wire/ipv4.hpp"

namespace wire {
namespace {

// Options, in the order and alignment Linux uses (tcp_options_write), so
// every option starts on the boundary its fields want, the total is a
// multiple of 4 without padding, and a capture of our SYN reads like the
// kernel's:
//   MSS (4) | SACK-OK TS (12) or NOP NOP TS (12) or NOP NOP SACK-OK (4)
//   | NOP WS (4) | NOP NOP SACK blocks (4 + 8n)
size_t fixed_options_len(const TcpRepr& r) {
    size_t len = 0;
    if (r.mss) len += 4;
    if (r.window_scale) len += 4;
    if (r.timestamps) {
        len += 12;
    } else if (r.sack_permitted) {
        len += 4;
    }
    return len;
}

constexpr size_t sack_option_len(size_t blocks) {
    return blocks == 0 ? 0 : 4 + 8 * blocks;
}

struct OptionWriter {
    base::MutableByteSpan out;
    size_t at = 0;
    void u8(uint8_t v) { base::store_u8(out, at++, v); }
    void be16(uint16_t v) {
        base::store_be16(out, at, v);
        at += 2;
    }
    void be32(uint32_t v) {
        base::store_be32(out, at, v);
        at += 4;
    }
};

}  // namespace

std::string TcpFlags::to_string() const {
    constexpr std::pair<uint16_t, const char*> names[] = {
        {fin, "FIN"}, {syn, "SYN"}, {rst, "RST"}, {psh, "PSH"}, {ack, "ACK"},
        {urg, "URG"}, {ece, "ECE"}, {cwr, "CWR"}, {ns, "NS"},
    };
    std::string s;
    for (const auto& [bit, name] : names) {
        if (!has(bit)) continue;
        if (!s.empty()) s += ", ";
        s += name;
    }
    return s.empty() ? "none" : s;
}

TcpSackList::TcpSackList(std::initializer_list<TcpSackBlock> blocks) {
    for (const TcpSackBlock& b : blocks)
        push_back(b);
}

bool TcpSackList::operator==(const TcpSackList& o) const {
    return std::ranges::equal(blocks(), o.blocks());
}

Result<TcpView> TcpView::parse(base::ByteSpan segment) {
    if (segment.size() < tcp::min_header_len) return base::fail(Error::truncated);
    const size_t header_len =
        static_cast<size_t>(base::load_u8(segment, tcp::field::offset_flags.begin) >> 4) * 4;
    if (header_len < tcp::min_header_len) return base::fail(Error::bad_header_length);
    if (header_len > segment.size()) return base::fail(Error::truncated);
    return TcpView{segment};
}

namespace {
constexpr auto tcp_protocol = static_cast<uint8_t>(IpProtocol::tcp);
}  // namespace

bool TcpView::checksum_valid(Ipv4Address src, Ipv4Address dst) const {
    return checksum::transport(b_, src, dst, tcp_protocol) == 0;
}

bool TcpView::checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const {
    return checksum::transport(b_, src, dst, tcp_protocol) == 0;
}

Result<TcpRepr> TcpRepr::parse(const TcpView& v, Ipv4Address src, Ipv4Address dst,
                               ChecksumCheck check) {
    auto r = parse_fields(v);
    if (r && check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return r;
}

Result<TcpRepr> TcpRepr::parse(const TcpView& v, const Ipv6Address& src, const Ipv6Address& dst,
                               ChecksumCheck check) {
    auto r = parse_fields(v);
    if (r && check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return r;
}

Result<TcpRepr> TcpRepr::parse_fields(const TcpView& v) {
    TcpRepr r{
        .src_port = v.src_port(),
        .dst_port = v.dst_port(),
        .seq = v.seq(),
        .ack = v.ack(),
        .flags = v.flags(),
        .window = v.window(),
        .urgent_pointer = v.urgent_pointer(),
        .payload = v.payload(),
    };

    const base::ByteSpan opts = v.options();
    size_t at = 0;
    while (at < opts.size()) {
        const uint8_t kind = base::load_u8(opts, at);
        if (kind == tcp::option::end) break;
        if (kind == tcp::option::nop) {
            ++at;
            continue;
        }
        if (at + 2 > opts.size()) return base::fail(Error::option_overrun);
        const uint8_t len = base::load_u8(opts, at + 1);
        if (len < 2) return base::fail(Error::bad_option_length);
        if (at + len > opts.size()) return base::fail(Error::option_overrun);
        const base::ByteSpan body = opts.subspan(at + 2, len - 2u);
        switch (kind) {
            case tcp::option::mss:
                if (len != 4) return base::fail(Error::bad_option_length);
                r.mss = base::load_be16(body, 0);
                break;
            case tcp::option::window_scale:
                if (len != 3) return base::fail(Error::bad_option_length);
                r.window_scale = base::load_u8(body, 0);
                break;
            case tcp::option::sack_permitted:
                if (len != 2) return base::fail(Error::bad_option_length);
                r.sack_permitted = true;
                break;
            case tcp::option::sack: {
                const size_t n = body.size() / 8;
                if (body.size() % 8 != 0 || n == 0 || n > tcp::max_sack_blocks) {
                    return base::fail(Error::bad_option_length);
                }
                r.sack_blocks = {};
                for (size_t i = 0; i < n; ++i) {
                    r.sack_blocks.push_back({SeqNum{base::load_be32(body, 8 * i)},
                                             SeqNum{base::load_be32(body, 8 * i + 4)}});
                }
                break;
            }
            case tcp::option::timestamps:
                if (len != 10) return base::fail(Error::bad_option_length);
                r.timestamps = TcpTimestamps{base::load_be32(body, 0), base::load_be32(body, 4)};
                break;
            default:
                break;  // unknown: skipped by its length
        }
        at += len;
    }
    return r;
}

size_t TcpRepr::sack_blocks_that_fit() const {
    const size_t room = tcp::max_options_len - fixed_options_len(*this);
    size_t n = std::min(sack_blocks.size(), tcp::max_sack_blocks);
    while (n > 0 && sack_option_len(n) > room)
        --n;
    return n;
}

size_t TcpRepr::header_len() const {
    return tcp::min_header_len + fixed_options_len(*this) + sack_option_len(sack_blocks_that_fit());
}

namespace {
// The checksum over either family's pseudo-header; a segment is at most
// 65535 bytes (emit's precondition), so its length fits both forms.
template <class Address>
void store_checksum(base::MutableByteSpan segment, const Address& src, const Address& dst,
                    ChecksumFill fill) {
    base::store_be16(segment, tcp::field::checksum,
                     fill == ChecksumFill::full
                         ? checksum::transport(segment, src, dst, tcp_protocol)
                         : checksum::pseudo_header_sum(src, dst, tcp_protocol,
                                                       static_cast<uint16_t>(segment.size())));
}
}  // namespace

void TcpRepr::emit(base::MutableByteSpan out, Ipv4Address src, Ipv4Address dst,
                   ChecksumFill fill) const {
    store_checksum(emit_fields(out), src, dst, fill);
}

void TcpRepr::emit(base::MutableByteSpan out, const Ipv6Address& src, const Ipv6Address& dst,
                   ChecksumFill fill) const {
    store_checksum(emit_fields(out), src, dst, fill);
}

base::MutableByteSpan TcpRepr::emit_fields(base::MutableByteSpan out) const {
    const size_t hlen = header_len();
    assert(out.size() >= hlen + payload.size() && hlen + payload.size() <= 0xffff);
    const auto segment = out.first(hlen + payload.size());
    base::copy_bytes(segment.subspan(hlen), payload);

    base::store_be16(segment, tcp::field::src_port, src_port);
    base::store_be16(segment, tcp::field::dst_port, dst_port);
    base::store_be32(segment, tcp::field::seq, seq.value());
    base::store_be32(segment, tcp::field::ack, ack.value());
    base::store_be16(segment, tcp::field::offset_flags,
                     static_cast<uint16_t>(((hlen / 4) << 12) | flags.bits()));
    base::store_be16(segment, tcp::field::window, window);
    base::store_be16(segment, tcp::field::checksum, 0);
    base::store_be16(segment, tcp::field::urgent, urgent_pointer);

    OptionWriter w{segment.subspan(tcp::min_header_len, hlen - tcp::min_header_len)};
    if (mss) {
        w.u8(tcp::option::mss);
        w.u8(4);
        w.be16(*mss);
    }
    if (sack_permitted && timestamps) {
        w.u8(tcp::option::sack_permitted);
        w.u8(2);
    } else if (sack_permitted) {
        w.u8(tcp::option::nop);
        w.u8(tcp::option::nop);
        w.u8(tcp::option::sack_permitted);
        w.u8(2);
    } else if (timestamps) {
        w.u8(tcp::option::nop);
        w.u8(tcp::option::nop);
    }
    if (timestamps) {
        w.u8(tcp::option::timestamps);
        w.u8(10);
        w.be32(timestamps->value);
        w.be32(timestamps->echo_reply);
    }
    if (window_scale) {
        w.u8(tcp::option::nop);
        w.u8(tcp::option::window_scale);
        w.u8(3);
        w.u8(*window_scale);
    }
    if (const size_t n = sack_blocks_that_fit(); n > 0) {
        w.u8(tcp::option::nop);
        w.u8(tcp::option::nop);
        w.u8(tcp::option::sack);
        w.u8(static_cast<uint8_t>(sack_option_len(n) - 2));
        for (size_t i = 0; i < n; ++i) {
            w.be32(sack_blocks[i].left.value());
            w.be32(sack_blocks[i].right.value());
        }
    }
    assert(w.at == hlen - tcp::min_header_len);
    return segment;
}

bool TcpRepr::operator==(const TcpRepr& o) const {
    return src_port == o.src_port && dst_port == o.dst_port && seq == o.seq && ack == o.ack &&
           flags == o.flags && window == o.window && urgent_pointer == o.urgent_pointer &&
           mss == o.mss && window_scale == o.window_scale && sack_permitted == o.sack_permitted &&
           timestamps == o.timestamps && sack_blocks == o.sack_blocks &&
           base::equal_bytes(payload, o.payload);
}

}  // namespace wire
