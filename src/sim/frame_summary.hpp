// What a frame or an IP packet is, header by header, read once with the
// wire views: addresses, protocol, ports, TCP flags and numbers, ICMP or
// ICMPv6 type, ARP operation. The event log writes it, the timeline and the report tell
// the run from it. Parsing never fails: what does not parse is said so
// (`malformed`) and the fields after it are absent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace sim {

struct FrameSummary {
    enum class Kind : uint8_t {
        ipv4,
        arp,
        other,         // another EtherType
        malformed_l2,  // the Ethernet header does not parse
        malformed_ip,  // the IPv4 or IPv6 header (or IPv6's extension headers) does not parse
        ipv6,
    };
    Kind kind = Kind::other;
    size_t len = 0;              // bytes of the frame (or of the packet, for a bare packet)
    std::string_view malformed;  // why, when a header did not parse
    uint16_t ethertype = 0;      // Kind::other

    // ARP (when its packet parses).
    bool arp_parsed = false;
    bool arp_request = false;
    wire::Ipv4Address sender_ip, target_ip;

    // IPv4 or IPv6. For IPv6, `proto` is the upper layer past the extension
    // headers, `ttl` the hop limit, and `id` the low 16 bits of a fragment's
    // identification (0 when not fragmented).
    wire::IpAddress src, dst;
    wire::IpProtocol proto{0};
    uint8_t ttl = 0;
    uint16_t id = 0;
    bool fragment = false;  // a fragment (offset or more-fragments set)
    uint16_t frag_offset = 0;
    bool more_fragments = false;

    // TCP or UDP, in the first fragment when its header parses.
    bool ports = false;
    uint16_t sport = 0, dport = 0;
    size_t payload = 0;  // transport payload bytes
    bool tcp = false;    // the TCP fields below hold
    wire::TcpFlags flags;
    uint32_t seq = 0, ack = 0;
    uint16_t win = 0;
    bool dns = false;  // UDP to or from port 53: `dns_message` holds the message
    base::ByteSpan dns_message;

    // ICMP, or ICMPv6 (`proto` says which; types are each one's own).
    bool icmp = false;
    uint8_t icmp_type = 0, icmp_code = 0;
    bool icmp_echo = false;  // echo request or reply: id and sequence hold
    uint16_t icmp_id = 0, icmp_seq = 0;

    bool is_ip() const { return kind == Kind::ipv4 || kind == Kind::ipv6; }
};

// The start of a segment's data when it is text ("Hello!"): at most `max`
// bytes, none when they hold anything but printable ASCII, tab and line ends.
struct TextPreview {
    std::string text;
    bool cut = false;  // the data goes on past `max`
};
std::optional<TextPreview> text_preview(base::ByteSpan data, size_t max = 40);

// An Ethernet frame.
FrameSummary summarize_frame(base::ByteSpan frame);
// A bare IP packet of either version (forwarded, dropped at the IP layer,
// reassembled).
FrameSummary summarize_packet(base::ByteSpan packet);

}  // namespace sim
