#include "live/vnet.hpp"

#include "wire/checksum.hpp"

namespace live::vnet {

std::string_view to_string(Problem p) {
    switch (p) {
        case Problem::truncated:
            return "a virtio-net header shorter than 10 bytes";
        case Problem::unsupported_gso:
            return "a GSO type other than TCP over IPv4";
        case Problem::zero_gso_size:
            return "a GSO frame with a segment size of 0";
        case Problem::checksum_outside:
            return "a partial checksum outside the frame";
        case Problem::unknown_flags:
            return "unknown virtio-net flags";
        case Problem::not_tcp:
            return "a GSO frame that is not a whole TCP segment over IPv4";
    }
    return "?";
}

namespace {

uint16_t le16(base::ByteSpan b, size_t at) {
    return static_cast<uint16_t>(static_cast<uint16_t>(b[at]) |
                                 static_cast<uint16_t>(static_cast<uint16_t>(b[at + 1]) << 8));
}

}  // namespace

void emit(const Header& h, base::MutableByteSpan out) {
    auto le16 = [&](size_t at, uint16_t v) {
        out[at] = static_cast<std::byte>(v & 0xff);
        out[at + 1] = static_cast<std::byte>(v >> 8);
    };
    out[0] = static_cast<std::byte>(h.flags);
    out[1] = static_cast<std::byte>(h.gso_type);
    le16(2, h.hdr_len);
    le16(4, h.gso_size);
    le16(6, h.csum_start);
    le16(8, h.csum_offset);
}

base::Expected<Header, Problem> parse(base::ByteSpan bytes) {
    if (bytes.size() < header_len) return base::fail(Problem::truncated);
    Header h{.flags = static_cast<uint8_t>(bytes[0]),
             .gso_type = static_cast<uint8_t>(bytes[1]),
             .hdr_len = le16(bytes, 2),
             .gso_size = le16(bytes, 4),
             .csum_start = le16(bytes, 6),
             .csum_offset = le16(bytes, 8)};
    if (h.flags & ~(flag_needs_checksum | flag_data_valid))
        return base::fail(Problem::unknown_flags);
    const uint8_t type = h.gso_type & static_cast<uint8_t>(~gso_ecn);
    if (type != gso_none && type != gso_tcpv4 && type != gso_tcpv6)
        return base::fail(Problem::unsupported_gso);
    if (type != gso_none && h.gso_size == 0) return base::fail(Problem::zero_gso_size);
    return h;
}

base::Expected<void, Problem> complete_checksum(const Header& h, base::MutableByteSpan frame) {
    if (!(h.flags & flag_needs_checksum)) return {};
    const size_t start = h.csum_start;
    const size_t field = start + h.csum_offset;
    if (start >= frame.size() || field + 2 > frame.size())
        return base::fail(Problem::checksum_outside);
    wire::checksum::complete(frame.subspan(start), h.csum_offset);
    return {};
}

}  // namespace live::vnet
