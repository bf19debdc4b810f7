#include "wire/pcap.hpp"

#include <algorithm>

namespace wire::pcap {
namespace {

uint32_t load_le32(base::ByteSpan b, size_t offset) {
    return static_cast<uint32_t>(b[offset]) | (static_cast<uint32_t>(b[offset + 1]) << 8) |
           (static_cast<uint32_t>(b[offset + 2]) << 16) |
           (static_cast<uint32_t>(b[offset + 3]) << 24);
}

void put_le16(std::vector<std::byte>& out, uint16_t v) {
    out.push_back(static_cast<std::byte>(v));
    out.push_back(static_cast<std::byte>(v >> 8));
}

void put_le32(std::vector<std::byte>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

}  // namespace

Result<FileHeader> FileHeader::parse(base::ByteSpan file) {
    if (file.size() < file_header_len) return base::fail(Error::truncated);
    FileHeader h;
    const uint32_t le = load_le32(file, 0);
    const uint32_t be = base::load_be32(file, 0);
    if (le == magic_microseconds || le == magic_nanoseconds) {
        h.big_endian = false;
        h.nanosecond = le == magic_nanoseconds;
    } else if (be == magic_microseconds || be == magic_nanoseconds) {
        h.big_endian = true;
        h.nanosecond = be == magic_nanoseconds;
    } else {
        return base::fail(Error::bad_magic);
    }
    auto load16 = [&](size_t o) {
        return h.big_endian ? base::load_be16(file, o)
                            : static_cast<uint16_t>(static_cast<unsigned>(file[o]) |
                                                    (static_cast<unsigned>(file[o + 1]) << 8));
    };
    auto load32 = [&](size_t o) {
        return h.big_endian ? base::load_be32(file, o) : load_le32(file, o);
    };
    h.version_major = load16(4);
    h.version_minor = load16(6);
    h.snaplen = load32(16);
    h.linktype = load32(20) & 0x0fffffff;  // the top bits carry FCS information
    return h;
}

Result<Reader> Reader::open(base::ByteSpan file) {
    auto h = FileHeader::parse(file);
    if (!h) return base::fail(h.error());
    return Reader{file, *h};
}

uint32_t Reader::load32(size_t offset) const {
    return header_.big_endian ? base::load_be32(file_, offset) : load_le32(file_, offset);
}

Result<std::optional<Record>> Reader::next() {
    if (at_ == file_.size()) return std::optional<Record>{};
    if (file_.size() - at_ < record_header_len) return base::fail(Error::truncated);
    const uint32_t seconds = load32(at_);
    const uint32_t fraction = load32(at_ + 4);
    const uint32_t captured = load32(at_ + 8);
    const uint32_t original = load32(at_ + 12);
    if (captured > original || captured > std::max<uint32_t>(header_.snaplen, 262144)) {
        return base::fail(Error::bad_length);
    }
    if (file_.size() - at_ - record_header_len < captured) return base::fail(Error::truncated);
    Record r;
    r.timestamp_ns = int64_t{seconds} * 1'000'000'000 +
                     (header_.nanosecond ? int64_t{fraction} : int64_t{fraction} * 1'000);
    r.original_len = original;
    r.data = file_.subspan(at_ + record_header_len, captured);
    at_ += record_header_len + captured;
    return std::optional<Record>{r};
}

void append_file_header(std::vector<std::byte>& out, uint32_t snaplen) {
    put_le32(out, magic_nanoseconds);
    put_le16(out, 2);
    put_le16(out, 4);
    put_le32(out, 0);  // thiszone
    put_le32(out, 0);  // sigfigs
    put_le32(out, snaplen);
    put_le32(out, linktype_ethernet);
}

void append_record(std::vector<std::byte>& out, int64_t timestamp_ns, base::ByteSpan frame,
                   uint32_t snaplen) {
    const auto captured = static_cast<uint32_t>(std::min<size_t>(frame.size(), snaplen));
    put_le32(out, static_cast<uint32_t>(timestamp_ns / 1'000'000'000));
    put_le32(out, static_cast<uint32_t>(timestamp_ns % 1'000'000'000));
    put_le32(out, captured);
    put_le32(out, static_cast<uint32_t>(frame.size()));
    out.insert(out.end(), frame.begin(), frame.begin() + captured);
}

}  // namespace wire::pcap
