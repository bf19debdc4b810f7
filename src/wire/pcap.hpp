// The classic pcap file format (as written by tcpdump and read by Wireshark):
// a 24-byte file header, then records of a 16-byte header and the frame bytes.
//
// Both byte orders and both timestamp resolutions are read; files are written
// little-endian with nanosecond timestamps (magic 0xa1b23c4d). Writing happens
// into a caller's byte vector, so this stays a pure codec.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.hpp"
#include "wire/error.hpp"

namespace wire::pcap {

constexpr uint32_t magic_microseconds = 0xa1b2c3d4;
constexpr uint32_t magic_nanoseconds = 0xa1b23c4d;
constexpr uint32_t linktype_ethernet = 1;
constexpr size_t file_header_len = 24;
constexpr size_t record_header_len = 16;

struct FileHeader {
    bool nanosecond = true;
    bool big_endian = false;
    uint16_t version_major = 2;
    uint16_t version_minor = 4;
    uint32_t snaplen = 262144;
    uint32_t linktype = linktype_ethernet;

    // truncated, or bad_magic for a file that is not classic pcap.
    static Result<FileHeader> parse(base::ByteSpan file);
    bool operator==(const FileHeader&) const = default;
};

struct Record {
    int64_t timestamp_ns = 0;   // since the Unix epoch (or the run's start)
    uint32_t original_len = 0;  // on the wire; the captured bytes may be fewer
    base::ByteSpan data;        // borrowed from the file's bytes
};

// Iterates over the records of a pcap file held in memory.
class Reader {
  public:
    static Result<Reader> open(base::ByteSpan file);

    const FileHeader& header() const { return header_; }
    // The next record, nullopt at the end, `truncated` if a record is cut short,
    // `bad_length` if its captured length exceeds the original or the snaplen.
    Result<std::optional<Record>> next();

  private:
    Reader(base::ByteSpan file, FileHeader h) : file_(file), header_(h) {}
    uint32_t load32(size_t offset) const;
    base::ByteSpan file_;
    FileHeader header_;
    size_t at_ = file_header_len;
};

// Appends a little-endian, nanosecond file header for Ethernet frames.
void append_file_header(std::vector<std::byte>& out, uint32_t snaplen = 262144);
// Appends one record; frames longer than `snaplen` are cut to it.
void append_record(std::vector<std::byte>& out, int64_t timestamp_ns, base::ByteSpan frame,
                   uint32_t snaplen = 262144);

}  // namespace wire::pcap
