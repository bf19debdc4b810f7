// Fuzzes the virtio-net header a TAP with offloads puts before each frame:
// parse it and complete the partial checksum it may ask for, on arbitrary
// bytes; then cut the frame in software as hybrid mode does (tso::segment,
// IPv4 and IPv6). Invariants: nothing crashes or writes outside the frame; a
// header that parses names a GSO type we negotiated, with a segment size; a
// frame without GSO comes back whole, and no piece of a cut one is larger
// than the frame.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "live/tso.hpp"
#include "live/vnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan in = fuzz::input(data, size);
    const auto h = live::vnet::parse(in);
    if (!h) return 0;
    const uint8_t type = h->gso_type & static_cast<uint8_t>(~live::vnet::gso_ecn);
    fuzz::require(type == live::vnet::gso_none || type == live::vnet::gso_tcpv4 ||
                      type == live::vnet::gso_tcpv6,
                  "only negotiated GSO types parse");
    fuzz::require(type == live::vnet::gso_none || h->gso_size > 0, "GSO frames have a size");
    std::vector<std::byte> frame(in.begin() + live::vnet::header_len, in.end());
    const std::vector<std::byte> received = frame;
    (void)live::vnet::complete_checksum(*h, frame);

    static base::BufferPool pool({.block_size = 70000});
    base::PacketBuffer buffer = pool.acquire();
    if (!received.empty())
        std::memcpy(buffer.append(received.size()).data(), received.data(), received.size());
    const auto pieces = live::tso::segment(std::move(buffer), *h, pool);
    if (!pieces) return 0;
    if (type == live::vnet::gso_none) {
        fuzz::require(pieces->size() == 1 && (*pieces)[0].size() == frame.size(),
                      "a frame without GSO comes back whole");
    }
    for (const base::PacketBuffer& p : *pieces)
        fuzz::require(p.size() <= frame.size(), "no piece is larger than the frame");
    return 0;
}
