// Saying what an event's packet or DNS message is, in a few words: the
// timeline and the HTML report both tell the run from these.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.hpp"
#include "sim/frame_summary.hpp"
#include "tcp/types.hpp"
#include "wire/address.hpp"

namespace report {

// "10.0.0.1:80", "[2001:db8::1]:80"
std::string endpoint_text(const wire::IpAddress& address, uint16_t port);
// A connection's two ends as the timeline names them: "10.0.0.1:40000".
inline std::string local_text(const tcp::Tuple& c) {
    return endpoint_text(c.local_address, c.local_port);
}
inline std::string remote_text(const tcp::Tuple& c) {
    return endpoint_text(c.remote_address, c.remote_port);
}

// Text data on one line: line ends shown as \r \n, as in a C string.
std::string one_line(const std::string& text);

// A DNS message in a few words: "query kiminje.shop. A", "answer
// kiminje.shop. A is 200.200.200.2", "referral for …".
std::string describe_dns(base::ByteSpan message);

// "TCP 100.100.100.1:59221 -> 200.200.200.2:7000 [SYN]" style.
std::string describe_packet(const sim::FrameSummary& f);

// An ICMPv6 message in a few words: "ICMPv6 echo request seq=1",
// "neighbour solicitation", "ICMPv6 packet too big".
std::string icmpv6_text(const sim::FrameSummary& f);

// The TCP flags as the timeline writes them ("SYN, ACK"), empty when the
// packet has no TCP header to read them from.
std::string flags_text(const sim::FrameSummary& f);

}  // namespace report
