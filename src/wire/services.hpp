// Names of well-known and registered ports (a small part of the IANA registry),
// for traces and reports: "80 (http)".
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/ipv4.hpp"

namespace wire {

// Well-known ports are 0–1023, registered 1024–49151, dynamic 49152–65535.
constexpr bool is_well_known_port(uint16_t port) {
    return port < 1024;
}
constexpr bool is_dynamic_port(uint16_t port) {
    return port >= 49152;
}

// The service's short name ("http", "domain"), or empty when none is known.
std::string_view service_name(uint16_t port, IpProtocol protocol);

}  // namespace wire
