// Why a wire parser rejected its input.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.hpp"

namespace wire {

enum class Error : uint8_t {
    truncated,          // fewer bytes than the header or a length field says there are
    bad_length,         // a length field that contradicts itself (UDP length < 8, …)
    bad_header_length,  // IPv4 IHL or TCP data offset below 5, or beyond the data
    bad_version,        // the IP version field is not the expected one (4, or 6)
    bad_checksum,       // the Internet checksum does not verify
    option_overrun,     // an option's length runs past the end of the header
    bad_option_length,  // an option whose length is < 2 or wrong for its kind
    unsupported,        // well-formed but not handled (ARP for non-Ethernet, ICMP type 13 …)
    bad_magic,          // a pcap file that does not start with a known magic number
    bad_syntax,         // text that does not parse (an address like "10.0.0.300")
    not_allowed,        // a value the protocol forbids here (an NDP message with a hop
                        // limit below 255, a neighbour solicitation for a multicast
                        // target, RFC 4861 §7.1.1)
};

// A short description, e.g. "bad checksum".
std::string_view to_string(Error e);

template <class T>
using Result = base::Expected<T, Error>;

}  // namespace wire
