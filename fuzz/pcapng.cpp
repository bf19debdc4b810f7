// Fuzzes the pcapng reader (and, with what it reads, the writer).
//
// Invariants: the reader opens only a file that starts with a section header
// and fails otherwise as bad_magic, truncated or bad_length; every packet's
// bytes lie within the file, are no longer than its original length, and name
// an interface described before it; iteration ends (at the end or at an
// error) within size/12 + 1 steps. Packets read to the end, written again
// with one interface each, read back with the same bytes, timestamps (when
// the interface counted nanoseconds) and directions.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "check.hpp"
#include "wire/pcapng.hpp"

using fuzz::require;
namespace ng = wire::pcapng;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan file = fuzz::input(data, size);
    auto reader = ng::Reader::open(file);
    if (!reader) {
        require(reader.error() == wire::Error::bad_magic ||
                    reader.error() == wire::Error::truncated ||
                    reader.error() == wire::Error::bad_length,
                "open fails as bad_magic, truncated or bad_length");
        return 0;
    }
    require(ng::is_pcapng(file), "a file that opens starts with a section header");
    std::vector<ng::Packet> packets;
    const size_t bound = size / 12 + 1;
    bool ended = false;
    for (size_t step = 0; step < bound; ++step) {
        auto next = reader->next();
        if (!next) return 0;  // any error stops the walk; nothing more to check
        if (!next->has_value()) {
            ended = true;
            break;
        }
        const ng::Packet& p = **next;
        require(fuzz::within(p.data, file), "a packet lies within the file");
        require(p.data.size() <= p.original_len, "captured at most the original length");
        require(p.interface < reader->interfaces().size(), "a packet names a described interface");
        packets.push_back(p);
    }
    require(ended, "iteration ends within size/12 + 1 blocks");

    // Written again, each packet on an interface of its own, nanoseconds.
    std::vector<std::byte> again;
    ng::append_section_header(again);
    for (size_t i = 0; i < packets.size(); ++i)
        ng::append_interface(again, "if" + std::to_string(i), "");
    for (size_t i = 0; i < packets.size(); ++i)
        ng::append_packet(again, static_cast<uint32_t>(i), packets[i].timestamp_ns, packets[i].data,
                          packets[i].direction);
    auto back = ng::Reader::open(again);
    require(back.has_value(), "a written file opens");
    for (size_t i = 0; i < packets.size(); ++i) {
        auto next = back->next();
        require(next.has_value() && next->has_value(), "a written packet reads back");
        const ng::Packet& p = **next;
        require(base::equal_bytes(p.data, packets[i].data), "bytes survive a rewrite");
        require(p.timestamp_ns == packets[i].timestamp_ns, "timestamps survive a rewrite");
        require(p.direction == packets[i].direction, "directions survive a rewrite");
        require(p.interface == i, "the interface survives a rewrite");
    }
    auto end = back->next();
    require(end.has_value() && !end->has_value(), "a written file ends after its packets");
    return 0;
}
