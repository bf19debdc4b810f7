// Addresses of either family to and from the kernel's sockaddr forms, for the
// parts of `live` that talk through OS sockets (the DNS server and the
// recursor's upstream queries).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>

#include "wire/address.hpp"

namespace live {

struct KernelAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// sockaddr_in or sockaddr_in6 for `address`:`port`.
KernelAddress to_kernel(const wire::IpAddress& address, uint16_t port);

struct AddressPort {
    wire::IpAddress address;
    uint16_t port = 0;
};
// Back from what recvfrom/getpeername filled; IPv4-mapped IPv6 comes back as
// IPv4. nullopt for another family or a short length.
std::optional<AddressPort> from_kernel(const sockaddr_storage& storage, socklen_t length);

}  // namespace live
