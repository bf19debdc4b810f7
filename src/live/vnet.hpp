// The virtio-net header a TAP device opened with IFF_VNET_HDR puts in front
// of every frame (linux/virtio_net.h: 10 bytes, little-endian on this
// machine): how the kernel tells us a frame's checksum is partial (it left
// the sum to us, as to a NIC with checksum offload) or that the frame is a
// coalesced large TCP segment (GRO/TSO: gso_type and the segment size it was
// made of).
//
//   offset size field
//   0      1    flags: 1 needs checksum, 2 data valid
//   1      1    gso_type: 0 none, 1 TCP over IPv4, 3 UDP, 4 TCP over IPv6, +0x80 ECN
//   2      2    hdr_len: bytes of headers before the payload (a hint)
//   4      2    gso_size: payload bytes per segment
//   6      2    csum_start: where the checksummed part starts in the frame
//   8      2    csum_offset: where the checksum field is, from csum_start
#pragma once

#include <cstdint>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace live::vnet {

constexpr size_t header_len = 10;
constexpr uint8_t flag_needs_checksum = 1;
constexpr uint8_t flag_data_valid = 2;
constexpr uint8_t gso_none = 0;
constexpr uint8_t gso_tcpv4 = 1;
constexpr uint8_t gso_tcpv6 = 4;
constexpr uint8_t gso_ecn = 0x80;

struct Header {
    uint8_t flags = 0;
    uint8_t gso_type = gso_none;
    uint16_t hdr_len = 0;
    uint16_t gso_size = 0;
    uint16_t csum_start = 0;
    uint16_t csum_offset = 0;
};

enum class Problem : uint8_t {
    truncated,         // fewer than 10 bytes
    unsupported_gso,   // a GSO type we did not negotiate (only TCP over IPv4)
    zero_gso_size,     // a GSO frame without a segment size
    checksum_outside,  // the partial checksum's field lies beyond the frame
    unknown_flags,     // flag bits virtio-net does not define
    not_tcp,           // a GSO frame whose headers are not Ethernet, IPv4 and TCP
};
std::string_view to_string(Problem p);

// The header at the start of `bytes`, checked: every field a frame from the
// TAP may carry, and nothing else.
base::Expected<Header, Problem> parse(base::ByteSpan bytes);

// The header's 10 bytes, as the kernel reads them in front of a frame we write.
void emit(const Header& h, base::MutableByteSpan out);

// Completes the partial checksum a `needs checksum` frame carries (its field
// holds the pseudo-header's sum; the rest is ours to add), in place.
// `frame` is the Ethernet frame after the header.
base::Expected<void, Problem> complete_checksum(const Header& h, base::MutableByteSpan frame);

}  // namespace live::vnet
