// ADDRESS[:PORT] as the commands take it: IPv4 as is, IPv6 in brackets
// ("[2001:db8::1]:53", "[::1]"), as in URLs; a bare IPv6 address is refused,
// since a port after it could not be told apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/address.hpp"

namespace cli {

struct HostPort {
    wire::IpAddress address;
    std::optional<uint16_t> port;  // nullopt when none is written; 0 to 65535
};

std::optional<HostPort> parse_host_port(std::string_view text);

// "192.0.2.1:53", "[2001:db8::1]:53"
std::string host_port_text(const wire::IpAddress& address, uint16_t port);

}  // namespace cli
