#include "wire/ipv4.hpp"

#include <algorithm>
#include <cassert>

namespace wire {

std::string_view to_string(IpProtocol p) {
    switch (p) {
        case IpProtocol::icmp:
            return "ICMP";
        case IpProtocol::tcp:
            return "TCP";
        case IpProtocol::udp:
            return "UDP";
        case IpProtocol::icmpv6:
            return "ICMPv6";
    }
    return "unknown";
}

namespace {

// Checks shared by parse and parse_truncated; returns the total length field.
Result<uint16_t> check_header(base::ByteSpan packet) {
    if (packet.size() < ipv4::min_header_len) return base::fail(Error::truncated);
    const uint8_t version_ihl = base::load_u8(packet, ipv4::field::version_ihl);
    if ((version_ihl >> 4) != 4) return base::fail(Error::bad_version);
    const size_t header_len = static_cast<size_t>(version_ihl & 0x0fu) * 4;
    if (header_len < ipv4::min_header_len) return base::fail(Error::bad_header_length);
    if (header_len > packet.size()) return base::fail(Error::truncated);
    const uint16_t total_len = base::load_be16(packet, ipv4::field::total_len);
    if (total_len < header_len) return base::fail(Error::bad_length);
    return total_len;
}

}  // namespace

Result<Ipv4View> Ipv4View::parse_truncated(base::ByteSpan packet) {
    auto total_len = check_header(packet);
    if (!total_len) return base::fail(total_len.error());
    return Ipv4View{packet.first(std::min<size_t>(*total_len, packet.size()))};
}

Result<Ipv4View> Ipv4View::parse(base::ByteSpan packet) {
    auto total_len = check_header(packet);
    if (!total_len) return base::fail(total_len.error());
    if (*total_len > packet.size()) return base::fail(Error::truncated);
    return Ipv4View{packet.first(*total_len)};
}

Result<Ipv4Repr> Ipv4Repr::parse(const Ipv4View& v, ChecksumCheck check) {
    if (check == ChecksumCheck::verify && !v.checksum_valid()) {
        return base::fail(Error::bad_checksum);
    }
    return Ipv4Repr{
        .src = v.src(),
        .dst = v.dst(),
        .protocol = v.protocol(),
        .ttl = v.ttl(),
        .dscp = v.dscp(),
        .ecn = v.ecn(),
        .identification = v.identification(),
        .dont_fragment = v.dont_fragment(),
        .more_fragments = v.more_fragments(),
        .fragment_offset = v.fragment_offset(),
        .payload_len = static_cast<uint16_t>(v.total_len() - v.header_len()),
    };
}

void Ipv4Repr::emit(base::MutableByteSpan header) const {
    assert(header.size() >= buffer_len());
    assert(payload_len <= ipv4::max_packet_len - ipv4::min_header_len);
    assert(fragment_offset % 8 == 0);
    base::store_u8(header, ipv4::field::version_ihl, 0x45);
    base::store_u8(header, ipv4::field::tos, static_cast<uint8_t>((dscp << 2) | (ecn & 0x03)));
    base::store_be16(header, ipv4::field::total_len,
                     static_cast<uint16_t>(ipv4::min_header_len + payload_len));
    base::store_be16(header, ipv4::field::identification, identification);
    uint16_t flags_fragment =
        static_cast<uint16_t>((fragment_offset / 8) & ipv4::fragment_offset_mask);
    if (dont_fragment) flags_fragment |= ipv4::flag_dont_fragment;
    if (more_fragments) flags_fragment |= ipv4::flag_more_fragments;
    base::store_be16(header, ipv4::field::flags_fragment, flags_fragment);
    base::store_u8(header, ipv4::field::ttl, ttl);
    base::store_u8(header, ipv4::field::protocol, static_cast<uint8_t>(protocol));
    base::store_be16(header, ipv4::field::checksum, 0);
    src.store(base::slice(header, ipv4::field::src));
    dst.store(base::slice(header, ipv4::field::dst));
    base::store_be16(header, ipv4::field::checksum,
                     checksum::compute(header.first(ipv4::min_header_len)));
}

namespace ipv4 {

uint8_t decrement_ttl(base::MutableByteSpan header) {
    // TTL and protocol share one 16-bit word of the checksummed header.
    const uint16_t old_word = base::load_be16(header, field::ttl.begin);
    assert((old_word >> 8) > 0);
    const auto new_word = static_cast<uint16_t>(old_word - 0x0100);
    const uint16_t old_sum = base::load_be16(header, field::checksum);
    base::store_be16(header, field::ttl.begin, new_word);
    base::store_be16(header, field::checksum, checksum::adjust(old_sum, old_word, new_word));
    return static_cast<uint8_t>(new_word >> 8);
}

void set_fragment_fields(base::MutableByteSpan header, uint16_t total_len, bool more_fragments,
                         uint16_t fragment_offset) {
    assert(fragment_offset % 8 == 0);
    const uint16_t old = base::load_be16(header, field::flags_fragment);
    uint16_t flags = old & (flag_dont_fragment | flag_reserved);
    if (more_fragments) flags |= flag_more_fragments;
    base::store_be16(header, field::total_len, total_len);
    base::store_be16(header, field::flags_fragment,
                     static_cast<uint16_t>(flags | ((fragment_offset / 8) & fragment_offset_mask)));
    base::store_be16(header, field::checksum, 0);
    base::store_be16(header, field::checksum, checksum::compute(header));
}

}  // namespace ipv4
}  // namespace wire
