#include "live/tap.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace live {

base::Expected<TapDevice, std::string> TapDevice::open(const std::string& name) {
    return open_device(name, false);
}

base::Expected<TapDevice, std::string> TapDevice::open_with_offloads(const std::string& name) {
    return open_device(name, true);
}

base::Expected<TapDevice, std::string> TapDevice::open_device(const std::string& name, bool vnet) {
    if (name.empty() || name.size() >= IFNAMSIZ)
        return base::fail(fmt::format("TAP name '{}': 1 to {} characters", name, IFNAMSIZ - 1));
    const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return base::fail(fmt::format("/dev/net/tun: {} (is the tun module loaded? are you root?)",
                                      std::strerror(errno)));
    ifreq req{};
    req.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0));
    std::memcpy(req.ifr_name, name.data(), name.size());
    if (ioctl(fd, TUNSETIFF, &req) != 0) {
        const int e = errno;
        ::close(fd);
        return base::fail(fmt::format("TAP {}: TUNSETIFF: {}{}", name, std::strerror(e),
                                      e == EPERM ? " (needs root or CAP_NET_ADMIN)" : ""));
    }
    // Checksum offload, and TCP segmentation offload for IPv4 and IPv6 (which
    // need it): what we take from the kernel (live/vnet.hpp). Without the header,
    // none — set, not assumed: a persistent TAP keeps what its last user
    // asked for, and the kernel would go on sending segments larger than the
    // MTU with their checksums unfinished to a reader that cannot tell.
    const unsigned offloads = vnet ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
    if (ioctl(fd, TUNSETOFFLOAD, offloads) != 0) {
        const int e = errno;
        ::close(fd);
        return base::fail(fmt::format("TAP {}: TUNSETOFFLOAD: {}", name, std::strerror(e)));
    }
    return TapDevice(fd, req.ifr_name, vnet);
}

TapDevice::TapDevice(TapDevice&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)), vnet_(other.vnet_) {}

TapDevice& TapDevice::operator=(TapDevice&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        name_ = std::move(other.name_);
        vnet_ = other.vnet_;
    }
    return *this;
}

TapDevice::~TapDevice() {
    if (fd_ >= 0) ::close(fd_);
}

base::Expected<std::optional<size_t>, std::string> TapDevice::read(base::MutableByteSpan buffer) {
    while (true) {
        const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
        if (n >= 0) return std::optional<size_t>(static_cast<size_t>(n));
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<size_t>();
        return base::fail(fmt::format("TAP {}: read: {}", name_, std::strerror(errno)));
    }
}

base::Expected<bool, std::string> TapDevice::write(base::ByteSpan frame,
                                                   const vnet::Header& header) {
    // With offloads every frame goes behind a virtio-net header.
    std::byte vnet_header[vnet::header_len];
    vnet::emit(header, vnet_header);
    iovec parts[2] = {{vnet_header, sizeof vnet_header},
                      {const_cast<std::byte*>(frame.data()), frame.size()}};
    while (true) {
        const ssize_t n =
            vnet_ ? ::writev(fd_, parts, 2) : ::write(fd_, frame.data(), frame.size());
        if (n >= 0) return true;
        if (errno == EINTR) continue;
        // The interface is down or its queue is full: the frame is lost, as
        // on a real NIC; TCP repairs it.
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EIO || errno == ENOBUFS)
            return false;
        return base::fail(fmt::format("TAP {}: write: {}", name_, std::strerror(errno)));
    }
}

}  // namespace live
