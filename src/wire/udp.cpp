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

bool UdpView::checksum_valid(Ipv4Address src, Ipv4Address dst) const {
    return checksum() == 0 ||
           checksum::transport(b_, src, dst, static_cast<uint8_t>(IpProtocol::udp)) == 0;
}

Result<UdpRepr> UdpRepr::parse(const UdpView& v, Ipv4Address src, Ipv4Address dst,
                               ChecksumCheck check) {
    if (check == ChecksumCheck::verify && !v.checksum_valid(src, dst)) {
        return base::fail(Error::bad_checksum);
    }
    return UdpRepr{.src_port = v.src_port(), .dst_port = v.dst_port(), .payload = v.payload()};
}

void UdpRepr::emit(base::MutableByteSpan out, Ipv4Address src, Ipv4Address dst) const {
    assert(out.size() >= buffer_len() && buffer_len() <= 0xffff);
    const auto datagram = out.first(buffer_len());
    base::store_be16(datagram, udp::field::src_port, src_port);
    base::store_be16(datagram, udp::field::dst_port, dst_port);
    base::store_be16(datagram, udp::field::length, static_cast<uint16_t>(buffer_len()));
    base::store_be16(datagram, udp::field::checksum, 0);
    base::copy_bytes(datagram.subspan(udp::header_len), payload);
    const uint16_t sum =
        checksum::transport(datagram, src, dst, static_cast<uint8_t>(IpProtocol::udp));
    base::store_be16(datagram, udp::field::checksum, sum == 0 ? 0xffff : sum);
}

}  // namespace wire
