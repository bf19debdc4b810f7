// A Linux TAP device: the kernel's end of a virtual Ethernet cable whose other
// end is this process. Every frame the kernel sends out of the interface is a
// read() here; every write() here is a frame the kernel receives.
//
// The device is opened with IFF_TAP | IFF_NO_PI (bare Ethernet frames, no
// packet-information prefix) and non-blocking. An existing persistent device
// (`ip tuntap add dev NAME mode tap`) is attached to; otherwise one is created
// and disappears with the process. Either way it lives in the network
// namespace of the process that opens it.
#pragma once

#include <optional>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "live/vnet.hpp"

namespace live {

class TapDevice {
  public:
    static base::Expected<TapDevice, std::string> open(const std::string& name);
    // With offloads (IFF_VNET_HDR, then TUNSETOFFLOAD checksum + TSO4 + TSO6): the
    // kernel may hand us frames with a partial checksum and large TCP
    // segments (GRO) behind a virtio-net header (live/vnet.hpp), which read()
    // leaves in front of each frame; write() puts an empty one in front of
    // ours. An error when the kernel refuses (the caller may open without).
    static base::Expected<TapDevice, std::string> open_with_offloads(const std::string& name);
    bool offloads() const { return vnet_; }

    TapDevice(TapDevice&& other) noexcept;
    TapDevice& operator=(TapDevice&& other) noexcept;
    TapDevice(const TapDevice&) = delete;
    TapDevice& operator=(const TapDevice&) = delete;
    ~TapDevice();

    int fd() const { return fd_; }
    const std::string& name() const { return name_; }

    // One frame into `buffer` (which should hold 65,535 bytes plus the
    // Ethernet header); its size, or nullopt when no frame is waiting.
    base::Expected<std::optional<size_t>, std::string> read(base::MutableByteSpan buffer);
    // One frame to the kernel. False when the kernel would not take it now
    // (its queue is full): the frame is dropped, as a NIC would drop it.
    // With offloads, `header` goes in front (a partial checksum for the
    // kernel to complete, a large segment for it to cut); without, it must
    // be empty.
    base::Expected<bool, std::string> write(base::ByteSpan frame, const vnet::Header& header = {});

  private:
    TapDevice(int fd, std::string name, bool vnet = false)
        : fd_(fd), name_(std::move(name)), vnet_(vnet) {}
    static base::Expected<TapDevice, std::string> open_device(const std::string& name, bool vnet);
    int fd_ = -1;
    std::string name_;
    bool vnet_ = false;
};

}  // namespace live
