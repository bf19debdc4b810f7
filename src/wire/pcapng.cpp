#include "wire/pcapng.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace wire::pcapng {
namespace {

constexpr uint16_t opt_end = 0;
constexpr uint16_t if_name = 2;
constexpr uint16_t if_description = 3;
constexpr uint16_t if_tsresol = 9;
constexpr uint16_t epb_flags = 2;
constexpr size_t block_overhead = 12;  // type, total length, and the length again

void put_le16(std::vector<std::byte>& out, uint16_t v) {
    out.push_back(static_cast<std::byte>(v));
    out.push_back(static_cast<std::byte>(v >> 8));
}

void put_le32(std::vector<std::byte>& out, uint32_t v) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

void pad4(std::vector<std::byte>& out) {
    while (out.size() % 4 != 0)
        out.push_back(std::byte{0});
}

void put_option(std::vector<std::byte>& out, uint16_t code, base::ByteSpan value) {
    put_le16(out, code);
    put_le16(out, static_cast<uint16_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
    pad4(out);
}

base::ByteSpan text_bytes(std::string_view s) {
    return {reinterpret_cast<const std::byte*>(s.data()), std::min<size_t>(s.size(), 0xffff)};
}

// Starts a block; returns where its total length goes.
size_t begin_block(std::vector<std::byte>& out, uint32_t type) {
    // Blocks start 4-byte aligned: callers keep `out` aligned from the start.
    put_le32(out, type);
    const size_t length_at = out.size();
    put_le32(out, 0);
    return length_at;
}

void end_block(std::vector<std::byte>& out, size_t length_at) {
    const auto total = static_cast<uint32_t>(out.size() - length_at + 4 + 4);
    put_le32(out, total);
    for (int i = 0; i < 4; ++i)
        out[length_at + static_cast<size_t>(i)] = static_cast<std::byte>(total >> (8 * i));
}

uint32_t load_le32(base::ByteSpan b, size_t o) {
    return static_cast<uint32_t>(b[o]) | (static_cast<uint32_t>(b[o + 1]) << 8) |
           (static_cast<uint32_t>(b[o + 2]) << 16) | (static_cast<uint32_t>(b[o + 3]) << 24);
}

}  // namespace

void append_section_header(std::vector<std::byte>& out) {
    const size_t at = begin_block(out, section_header_type);
    put_le32(out, byte_order_magic);
    put_le16(out, 1);           // major version
    put_le16(out, 0);           // minor version
    put_le32(out, 0xffffffff);  // section length: not given (-1)
    put_le32(out, 0xffffffff);
    end_block(out, at);
}

void append_interface(std::vector<std::byte>& out, std::string_view name,
                      std::string_view description, uint32_t snaplen) {
    const size_t at = begin_block(out, interface_description_type);
    put_le16(out, 1);  // LINKTYPE_ETHERNET
    put_le16(out, 0);  // reserved
    put_le32(out, snaplen);
    put_option(out, if_name, text_bytes(name));
    if (!description.empty()) put_option(out, if_description, text_bytes(description));
    const std::byte nanoseconds{9};  // 10^-9 s
    put_option(out, if_tsresol, {&nanoseconds, 1});
    put_le16(out, opt_end);
    put_le16(out, 0);
    end_block(out, at);
}

void append_packet(std::vector<std::byte>& out, uint32_t interface, int64_t timestamp_ns,
                   base::ByteSpan frame, Direction direction, uint32_t snaplen) {
    const auto captured = static_cast<uint32_t>(std::min<size_t>(frame.size(), snaplen));
    const auto ts = static_cast<uint64_t>(timestamp_ns);
    const size_t at = begin_block(out, enhanced_packet_type);
    put_le32(out, interface);
    put_le32(out, static_cast<uint32_t>(ts >> 32));
    put_le32(out, static_cast<uint32_t>(ts));
    put_le32(out, captured);
    put_le32(out, static_cast<uint32_t>(frame.size()));
    out.insert(out.end(), frame.begin(), frame.begin() + captured);
    pad4(out);
    if (direction != Direction::unknown) {
        const std::byte flags[4] = {static_cast<std::byte>(direction), std::byte{0}, std::byte{0},
                                    std::byte{0}};
        put_option(out, epb_flags, flags);
        put_le16(out, opt_end);
        put_le16(out, 0);
    }
    end_block(out, at);
}

bool is_pcapng(base::ByteSpan file) {
    return file.size() >= 12 && load_le32(file, 0) == section_header_type;
}

Result<Reader> Reader::open(base::ByteSpan file) {
    if (file.size() < 28) return base::fail(is_pcapng(file) ? Error::truncated : Error::bad_magic);
    if (!is_pcapng(file)) return base::fail(Error::bad_magic);
    const uint32_t magic_le = load_le32(file, 8);
    bool big_endian = false;
    if (magic_le == byte_order_magic) {
        big_endian = false;
    } else if (base::load_be32(file, 8) == byte_order_magic) {
        big_endian = true;
    } else {
        return base::fail(Error::bad_magic);
    }
    Reader r(file, big_endian, 0);
    const uint32_t length = r.load32(4);
    if (length < 28 || length % 4 != 0) return base::fail(Error::bad_length);
    if (length > file.size()) return base::fail(Error::truncated);
    r.at_ = length;
    return r;
}

uint16_t Reader::load16(size_t o) const {
    return big_endian_ ? base::load_be16(file_, o)
                       : static_cast<uint16_t>(static_cast<unsigned>(file_[o]) |
                                               (static_cast<unsigned>(file_[o + 1]) << 8));
}

uint32_t Reader::load32(size_t o) const {
    return big_endian_ ? base::load_be32(file_, o) : load_le32(file_, o);
}

Result<void> Reader::read_interface(base::ByteSpan body) {
    if (body.size() < 8) return base::fail(Error::truncated);
    const size_t base_at = static_cast<size_t>(body.data() - file_.data());
    Interface i;
    i.linktype = load16(base_at);
    for (size_t o = 8; o + 4 <= body.size();) {
        const uint16_t code = load16(base_at + o);
        const uint16_t len = load16(base_at + o + 2);
        if (code == opt_end) break;
        if (o + 4 + len > body.size()) return base::fail(Error::option_overrun);
        const base::ByteSpan value = body.subspan(o + 4, len);
        const std::string_view text{reinterpret_cast<const char*>(value.data()), value.size()};
        if (code == if_name) i.name = std::string(text);
        if (code == if_description) i.description = std::string(text);
        if (code == if_tsresol && len == 1) {
            const auto v = std::to_integer<uint8_t>(value[0]);
            const bool power_of_two = (v & 0x80) != 0;
            const int exponent = v & 0x7f;
            if (power_of_two || exponent > 18) return base::fail(Error::unsupported);
            i.units_per_second = 1;
            for (int k = 0; k < exponent; ++k)
                i.units_per_second *= 10;
        }
        o += 4 + (len + 3u) / 4 * 4;
    }
    interfaces_.push_back(std::move(i));
    return {};
}

namespace {

// `ts` in units of 1/`units` second (a power of ten up to 10^18) as
// nanoseconds, without overflow; none past what an int64 holds (the year
// 2262): such a timestamp is damage, refused rather than wrapped.
std::optional<int64_t> nanoseconds(uint64_t ts, uint64_t units) {
    constexpr uint64_t ns_per_s = 1'000'000'000;
    constexpr uint64_t max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    const uint64_t seconds = ts / units;
    const uint64_t rest = ts % units;
    if (seconds > max / ns_per_s) return std::nullopt;
    const uint64_t fraction =
        units > ns_per_s ? rest / (units / ns_per_s) : rest * ns_per_s / units;
    const uint64_t ns = seconds * ns_per_s + fraction;
    if (ns > max) return std::nullopt;
    return static_cast<int64_t>(ns);
}

}  // namespace

Result<std::optional<Packet>> Reader::next() {
    while (at_ < file_.size()) {
        if (file_.size() - at_ < block_overhead) return base::fail(Error::truncated);
        const uint32_t type = load32(at_);
        const uint32_t length = load32(at_ + 4);
        if (length < block_overhead || length % 4 != 0) return base::fail(Error::bad_length);
        if (length > file_.size() - at_) return base::fail(Error::truncated);
        const base::ByteSpan body = file_.subspan(at_ + 8, length - block_overhead);
        const size_t body_at = at_ + 8;
        at_ += length;
        if (type == interface_description_type) {
            if (auto ok = read_interface(body); !ok) return base::fail(ok.error());
        } else if (type == enhanced_packet_type) {
            if (body.size() < 20) return base::fail(Error::truncated);
            Packet p;
            p.interface = load32(body_at);
            if (p.interface >= interfaces_.size()) return base::fail(Error::bad_length);
            const uint64_t ts = (uint64_t{load32(body_at + 4)} << 32) | load32(body_at + 8);
            const uint32_t captured = load32(body_at + 12);
            p.original_len = load32(body_at + 16);
            if (captured > body.size() - 20 || captured > p.original_len)
                return base::fail(Error::bad_length);
            const auto ns =
                nanoseconds(ts, static_cast<uint64_t>(interfaces_[p.interface].units_per_second));
            if (!ns) return base::fail(Error::unsupported);
            p.timestamp_ns = *ns;
            p.data = body.subspan(20, captured);
            // Options follow the padded data; epb_flags holds the direction.
            for (size_t o = 20 + (captured + 3u) / 4 * 4; o + 4 <= body.size();) {
                const uint16_t code = load16(body_at + o);
                const uint16_t len = load16(body_at + o + 2);
                if (code == opt_end) break;
                if (o + 4 + len > body.size()) return base::fail(Error::option_overrun);
                if (code == epb_flags && len == 4)
                    p.direction = static_cast<Direction>(load32(body_at + o + 4) & 3);
                o += 4 + (len + 3u) / 4 * 4;
            }
            return std::optional<Packet>{p};
        } else if (type == section_header_type) {
            return base::fail(Error::unsupported);  // a second section
        }
    }
    return std::optional<Packet>{};
}

}  // namespace wire::pcapng
