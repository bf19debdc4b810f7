#include "live/kernel_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace live {

KernelAddress to_kernel(const wire::IpAddress& address, uint16_t port) {
    KernelAddress k;
    if (address.is_v4()) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(address.v4().to_u32());
        std::memcpy(&k.storage, &sa, sizeof sa);
        k.length = sizeof sa;
    } else {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        std::memcpy(sa.sin6_addr.s6_addr, address.v6().bytes().data(), 16);
        std::memcpy(&k.storage, &sa, sizeof sa);
        k.length = sizeof sa;
    }
    return k;
}

std::optional<AddressPort> from_kernel(const sockaddr_storage& storage, socklen_t length) {
    if (storage.ss_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in sa{};
        std::memcpy(&sa, &storage, sizeof sa);
        return AddressPort{wire::Ipv4Address::from_u32(ntohl(sa.sin_addr.s_addr)),
                           ntohs(sa.sin_port)};
    }
    if (storage.ss_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 sa{};
        std::memcpy(&sa, &storage, sizeof sa);
        std::array<uint8_t, 16> b{};
        std::memcpy(b.data(), sa.sin6_addr.s6_addr, 16);
        return AddressPort{wire::IpAddress{wire::Ipv6Address{b}}.unmapped(), ntohs(sa.sin6_port)};
    }
    return std::nullopt;
}

}  // namespace live
