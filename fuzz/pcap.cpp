// Fuzzes the pcap reader (and, with what it reads, the writer).
//
// Invariants: the reader opens exactly when the file header parses; records
// follow one another without gaps inside the file, each no longer than its
// original length or the snaplen; iteration ends (at the end or at an error)
// within size/16 + 1 steps and then stays where it stopped. Records read to the
// end, written again with append_record, read back with the same bytes and
// timestamps.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.hpp"
#include "wire/pcap.hpp"

using fuzz::require;
namespace pcap = wire::pcap;

namespace {

constexpr int64_t ns_per_second = 1'000'000'000;

struct Read {
    int64_t timestamp_ns;
    base::ByteSpan data;
};

// Writes `records` as a new file and reads it back.
void check_rewrite(const std::vector<Read>& records) {
    std::vector<std::byte> file;
    pcap::append_file_header(file);
    for (const Read& r : records)
        pcap::append_record(file, r.timestamp_ns, r.data);

    auto reader = pcap::Reader::open(file);
    require(reader.has_value(), "a written file opens");
    require(reader->header() == pcap::FileHeader{}, "a written file has the default header");
    for (const Read& r : records) {
        auto next = reader->next();
        require(next.has_value() && next->has_value(), "a written record reads back");
        const pcap::Record& back = **next;
        require(back.timestamp_ns == r.timestamp_ns, "timestamp survives a rewrite");
        require(base::equal_bytes(back.data, r.data), "record bytes survive a rewrite");
        require(back.original_len == r.data.size(), "written original length");
    }
    auto end = reader->next();
    require(end.has_value() && !end->has_value(), "a written file ends after its records");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan file = fuzz::input(data, size);
    const auto header = pcap::FileHeader::parse(file);
    auto reader = pcap::Reader::open(file);
    require(reader.has_value() == header.has_value(),
            "open succeeds exactly when the header parses");
    if (!reader) {
        require(reader.error() == header.error(), "open fails as the header does");
        require(
            reader.error() == wire::Error::truncated || reader.error() == wire::Error::bad_magic,
            "a header fails as truncated or bad_magic");
        return 0;
    }
    require(reader->header() == *header, "the reader keeps the parsed header");
    require(reader->header().linktype <= 0x0fffffff, "FCS bits are masked off the link type");
    const uint32_t max_captured = std::max<uint32_t>(reader->header().snaplen, 262144);

    std::vector<Read> records;
    bool rewritable = true;
    size_t at = pcap::file_header_len;
    const size_t bound = file.size() / pcap::record_header_len + 1;
    bool stopped = false;
    for (size_t step = 0; step < bound && !stopped; ++step) {
        auto next = reader->next();
        if (!next) {
            require(
                next.error() == wire::Error::truncated || next.error() == wire::Error::bad_length,
                "a record fails as truncated or bad_length");
            auto again = reader->next();
            require(!again && again.error() == next.error(), "the reader stays at an error");
            return 0;
        }
        if (!next->has_value()) {
            require(at == file.size(), "the end comes after the last byte");
            auto again = reader->next();
            require(again.has_value() && !again->has_value(), "the reader stays at the end");
            stopped = true;
            break;
        }
        const pcap::Record& r = **next;
        require(r.data.data() == file.data() + at + pcap::record_header_len,
                "a record's bytes follow its header");
        require(fuzz::within(r.data, file), "a record lies within the file");
        require(r.data.size() <= r.original_len, "captured at most the original length");
        require(r.data.size() <= max_captured, "captured at most the snaplen");
        require(r.timestamp_ns >= 0, "timestamps from unsigned fields are not negative");
        at += pcap::record_header_len + r.data.size();
        // append_record stores whole seconds in 32 bits.
        if (r.timestamp_ns / ns_per_second > std::numeric_limits<uint32_t>::max() ||
            r.data.size() > 262144) {
            rewritable = false;
        }
        records.push_back({r.timestamp_ns, r.data});
    }
    require(stopped, "iteration ends within size/16 + 1 records");
    if (rewritable) check_rewrite(records);
    return 0;
}
