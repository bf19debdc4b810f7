// Frames built from reprs, for tests that hand a stack or a sink the bytes a
// node would put on the wire: Ethernet around IPv4 around TCP or UDP.
#pragma once

#include <cstddef>
#include <vector>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace testing_support {

struct IpHeader {
    wire::Ipv4Address src;
    wire::Ipv4Address dst;
    uint16_t id = 1;
    uint8_t ttl = 64;
};

inline std::vector<std::byte> ipv4_frame(const IpHeader& h, wire::IpProtocol protocol,
                                         base::ByteSpan transport) {
    std::vector<std::byte> frame(wire::ethernet::header_len + wire::ipv4::min_header_len +
                                 transport.size());
    const base::MutableByteSpan bytes{frame};
    wire::EthernetRepr{.dst = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
                       .src = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
                       .ethertype = wire::EtherType::ipv4}
        .emit(bytes);
    wire::Ipv4Repr{.src = h.src,
                   .dst = h.dst,
                   .protocol = protocol,
                   .ttl = h.ttl,
                   .identification = h.id,
                   .payload_len = static_cast<uint16_t>(transport.size())}
        .emit(bytes.subspan(wire::ethernet::header_len));
    base::copy_bytes(bytes.subspan(wire::ethernet::header_len + wire::ipv4::min_header_len),
                     transport);
    return frame;
}

inline std::vector<std::byte> tcp_frame(const IpHeader& h, const wire::TcpRepr& segment) {
    std::vector<std::byte> tcp(segment.buffer_len());
    segment.emit(tcp, h.src, h.dst);
    return ipv4_frame(h, wire::IpProtocol::tcp, tcp);
}

inline std::vector<std::byte> udp_frame(const IpHeader& h, uint16_t sport, uint16_t dport,
                                        base::ByteSpan payload) {
    const wire::UdpRepr udp{.src_port = sport, .dst_port = dport, .payload = payload};
    std::vector<std::byte> bytes(udp.buffer_len());
    udp.emit(bytes, h.src, h.dst);
    return ipv4_frame(h, wire::IpProtocol::udp, bytes);
}

}  // namespace testing_support
