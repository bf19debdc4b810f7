#include "wire/udp.hpp"

#include <cassert>

#include "wire/ipv4.hpp"

namespace wire {
Result<UdpView> UdpView::parse(base::ByteSpan datagram) {
    if (datagram.size() < udp::header_len) return base::fail(Error::truncated);
    const uint16_t length = base::load_be16(datagram, udp::field::length);
    if (length < udp::header_len) return base::fail(Error::bad_length);
    if (length > datagram.size()) return base::fail(Error::truncated);
    return UdpView{datagram.first(length)};
}

namespace {

constexpr auto udp_protocol = static_cast<uint8_t>(IpProtocol::udp);

// Header and payload with a zero checksum field; returns the datagram's bytes.
base::MutableByteSpan emit_fields(const UdpRepr& r, base::MutableByteSpan out) {
    assert(out.size() >= r.buffer_len() && r.buffer_len() <= 0xffff);
    const auto datagram = out.first(r.buffer_len());
    base::store_be16(datagram, udp::field::src_port, r.src_port);
    base::store_be16(datagram, udp::field::dst_port, r.dst_port);
    base::store_be16(datagram, udp::field::length, static_cast<uint16_t>(r.buffer_len()));
    base::store_be16(datagram, udp::field::checksum, 0);
    base::copy_bytes(datagram.subspan(udp::header_len), r.payload);
    return datagram;
}

// A computed zero goes out as 0xffff: zero means "no checksum" (RFC 768).
void store_checksum(base::MutableByteSpan datagram, uint16_t sum) {
    base::store_be16(datagram, udp::field::checksum, sum == 0 ? 0xffff : sum);
}

UdpRepr fields(const UdpView& v) {
    return UdpRepr{.src_port = v.src_port(), .dst_port = v.dst_port(), .payload = v.payload()};
}

}  // namespace

bool UdpView::checksum_valid(Ipv4Address src, Ipv4Address dst) const {
    return checksum() == 0 || checksum::transport(b_, src, dst, udp_protocol) == 0;
}

bool UdpView::checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const {
    return checksum() != 0 && checksum::transport(b_, src, dst, udp_protocol) == 0;
}

Result<UdpRepr> UdpRepr::parse(const UdpView& v, Ipv4Address src, Ipv4Address dst,
                               ChecksumCheck check) {
    if (check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return fields(v);
}

Result<UdpRepr> UdpRepr::parse(const UdpView& v, const Ipv6Address& src, const Ipv6Address& dst,
                               ChecksumCheck check) {
    if (check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return fields(v);
}

void UdpRepr::emit(base::MutableByteSpan out, Ipv4Address src, Ipv4Address dst) const {
    const auto datagram = emit_fields(*this, out);
    store_checksum(datagram, checksum::transport(datagram, src, dst, udp_protocol));
}

void UdpRepr::emit(base::MutableByteSpan out, const Ipv6Address& src,
                   const Ipv6Address& dst) const {
    const auto datagram = emit_fields(*this, out);
    store_checksum(datagram, checksum::transport(datagram, src, dst, udp_protocol));
}

}  // namespace wire
