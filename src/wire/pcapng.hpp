// The pcapng file format (the IETF draft "PCAP Next Generation Dump File
// Format", which Wireshark and tcpdump read): one section header, an interface
// description block per interface, and enhanced packet blocks that name the
// interface each frame was seen on. One file holds the frames of any number
// of interfaces, so a run with thousands of them needs one file descriptor.
//
// Written little-endian, every interface with nanosecond timestamps
// (if_tsresol 9) and Ethernet link type; read in either byte order. Writing
// appends to a caller's byte vector: a pure codec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "wire/error.hpp"

namespace wire::pcapng {

constexpr uint32_t section_header_type = 0x0a0d0d0a;
constexpr uint32_t interface_description_type = 0x00000001;
constexpr uint32_t enhanced_packet_type = 0x00000006;
constexpr uint32_t byte_order_magic = 0x1a2b3c4d;

void append_section_header(std::vector<std::byte>& out);
// An interface: its name (if_name) and a description (if_description).
void append_interface(std::vector<std::byte>& out, std::string_view name,
                      std::string_view description, uint32_t snaplen = 262144);
// Which way a frame went through its interface (the epb_flags option).
enum class Direction : uint8_t { unknown = 0, inbound = 1, outbound = 2 };

// A frame seen on interface `interface` (numbered from 0 in the order the
// interfaces were appended).
void append_packet(std::vector<std::byte>& out, uint32_t interface, int64_t timestamp_ns,
                   base::ByteSpan frame, Direction direction = Direction::unknown,
                   uint32_t snaplen = 262144);

struct Interface {
    std::string name;
    std::string description;
    uint16_t linktype = 1;
    int64_t units_per_second = 1'000'000;  // from if_tsresol; microseconds by default
};

struct Packet {
    uint32_t interface = 0;
    int64_t timestamp_ns = 0;
    uint32_t original_len = 0;
    Direction direction = Direction::unknown;
    base::ByteSpan data;  // borrowed from the file's bytes
};

// Reads the blocks of a file in memory: interfaces as they are described,
// packets in order. Other block types are skipped. One section.
class Reader {
  public:
    // bad_magic for a file that does not start with a section header.
    static Result<Reader> open(base::ByteSpan file);
    // The next packet, nullopt at the end; `truncated` or `bad_length` for a
    // damaged block, `bad_length` also for a packet on an interface not
    // described, `unsupported` for a timestamp past what int64 nanoseconds
    // hold (the year 2262).
    Result<std::optional<Packet>> next();
    const std::vector<Interface>& interfaces() const { return interfaces_; }

  private:
    Reader(base::ByteSpan file, bool big_endian, size_t at)
        : file_(file), big_endian_(big_endian), at_(at) {}
    uint16_t load16(size_t offset) const;
    uint32_t load32(size_t offset) const;
    Result<void> read_interface(base::ByteSpan body);

    base::ByteSpan file_;
    bool big_endian_;
    size_t at_;
    std::vector<Interface> interfaces_;
};

// True when `file` starts like a pcapng file.
bool is_pcapng(base::ByteSpan file);

}  // namespace wire::pcapng
