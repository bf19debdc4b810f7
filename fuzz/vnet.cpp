// Fuzzes the virtio-net header a TAP with offloads puts before each frame:
// parse it and complete the partial checksum it may ask for, on arbitrary
// bytes. Invariants: nothing crashes or writes outside the frame; a header
// that parses names a GSO type we negotiated, with a segment size.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "live/vnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan in = fuzz::input(data, size);
    const auto h = live::vnet::parse(in);
    if (!h) return 0;
    const uint8_t type = h->gso_type & static_cast<uint8_t>(~live::vnet::gso_ecn);
    fuzz::require(type == live::vnet::gso_none || type == live::vnet::gso_tcpv4,
                  "only negotiated GSO types parse");
    fuzz::require(type == live::vnet::gso_none || h->gso_size > 0, "GSO frames have a size");
    std::vector<std::byte> frame(in.begin() + live::vnet::header_len, in.end());
    (void)live::vnet::complete_checksum(*h, frame);
    return 0;
}
