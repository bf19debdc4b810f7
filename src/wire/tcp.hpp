// TCP segments (RFC 9293 §3.1) and their options: MSS (RFC 9293 §3.7.1), window
// scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
// Unknown options are skipped by their length.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"
#include "wire/seq_num.hpp"

namespace wire {

namespace tcp {
constexpr size_t min_header_len = 20;
constexpr size_t max_header_len = 60;
constexpr size_t max_options_len = max_header_len - min_header_len;
constexpr size_t max_sack_blocks = 4;
namespace field {
constexpr base::Range src_port{0, 2};
constexpr base::Range dst_port{2, 4};
constexpr base::Range seq{4, 8};
constexpr base::Range ack{8, 12};
constexpr base::Range offset_flags{12, 14};  // data offset (4 bits), reserved (3), flags (9)
constexpr base::Range window{14, 16};
constexpr base::Range checksum{16, 18};
constexpr base::Range urgent{18, 20};
}  // namespace field
namespace option {
constexpr uint8_t end = 0;
constexpr uint8_t nop = 1;
constexpr uint8_t mss = 2;
constexpr uint8_t window_scale = 3;
constexpr uint8_t sack_permitted = 4;
constexpr uint8_t sack = 5;
constexpr uint8_t timestamps = 8;
}  // namespace option
}  // namespace tcp

// The nine control bits, as in the header's low bits.
class TcpFlags {
  public:
    static constexpr uint16_t fin = 0x001;
    static constexpr uint16_t syn = 0x002;
    static constexpr uint16_t rst = 0x004;
    static constexpr uint16_t psh = 0x008;
    static constexpr uint16_t ack = 0x010;
    static constexpr uint16_t urg = 0x020;
    static constexpr uint16_t ece = 0x040;
    static constexpr uint16_t cwr = 0x080;
    static constexpr uint16_t ns = 0x100;  // RFC 3540, historic
    static constexpr uint16_t all = 0x1ff;

    constexpr TcpFlags() = default;
    constexpr explicit TcpFlags(uint16_t bits) : bits_(bits & all) {}

    constexpr uint16_t bits() const { return bits_; }
    constexpr bool has(uint16_t f) const { return (bits_ & f) == f; }
    constexpr TcpFlags with(uint16_t f) const { return TcpFlags(bits_ | f); }
    constexpr TcpFlags without(uint16_t f) const { return TcpFlags(bits_ & ~f); }
    // "SYN, ACK", as Wireshark lists them; "none" when empty.
    std::string to_string() const;

    constexpr bool operator==(const TcpFlags&) const = default;

  private:
    uint16_t bits_ = 0;
};

struct TcpTimestamps {
    uint32_t value = 0;       // TSval
    uint32_t echo_reply = 0;  // TSecr
    bool operator==(const TcpTimestamps&) const = default;
};

struct TcpSackBlock {
    SeqNum left;   // first sequence number of the block
    SeqNum right;  // sequence number just past the block
    bool operator==(const TcpSackBlock&) const = default;
};

// Up to four SACK blocks, stored inline.
class TcpSackList {
  public:
    constexpr TcpSackList() = default;
    TcpSackList(std::initializer_list<TcpSackBlock> blocks);

    // Ignored when already full.
    void push_back(TcpSackBlock b) {
        if (count_ < blocks_.size()) blocks_[count_++] = b;
    }
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    std::span<const TcpSackBlock> blocks() const { return {blocks_.data(), count_}; }
    const TcpSackBlock& operator[](size_t i) const { return blocks_[i]; }

    bool operator==(const TcpSackList& o) const;

  private:
    std::array<TcpSackBlock, tcp::max_sack_blocks> blocks_{};
    size_t count_ = 0;
};

// A checked view of a segment. `parse` checks that the header (data offset)
// fits; after it succeeds no accessor can fail. Options are validated by
// `TcpRepr::parse`.
class TcpView {
  public:
    static Result<TcpView> parse(base::ByteSpan segment);

    uint16_t src_port() const { return base::load_be16(b_, tcp::field::src_port); }
    uint16_t dst_port() const { return base::load_be16(b_, tcp::field::dst_port); }
    SeqNum seq() const { return SeqNum{base::load_be32(b_, tcp::field::seq)}; }
    SeqNum ack() const { return SeqNum{base::load_be32(b_, tcp::field::ack)}; }
    size_t header_len() const {
        return static_cast<size_t>(base::load_u8(b_, tcp::field::offset_flags.begin) >> 4) * 4;
    }
    TcpFlags flags() const { return TcpFlags{base::load_be16(b_, tcp::field::offset_flags)}; }
    uint16_t window() const { return base::load_be16(b_, tcp::field::window); }
    uint16_t checksum() const { return base::load_be16(b_, tcp::field::checksum); }
    uint16_t urgent_pointer() const { return base::load_be16(b_, tcp::field::urgent); }
    base::ByteSpan options() const {
        return b_.subspan(tcp::min_header_len, header_len() - tcp::min_header_len);
    }
    base::ByteSpan payload() const { return b_.subspan(header_len()); }
    base::ByteSpan bytes() const { return b_; }
    bool checksum_valid(Ipv4Address src, Ipv4Address dst) const;
    bool checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const;
    // Either version (src and dst of one family).
    bool checksum_valid(const IpAddress& src, const IpAddress& dst) const {
        return src.is_v4() ? checksum_valid(src.v4(), dst.v4())
                           : checksum_valid(src.v6(), dst.v6());
    }

  private:
    explicit TcpView(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

struct TcpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    SeqNum seq;
    SeqNum ack;  // meaningful when flags has ACK; emitted as given either way
    TcpFlags flags;
    uint16_t window = 0;  // as on the wire, before window scaling
    uint16_t urgent_pointer = 0;
    std::optional<uint16_t> mss;
    std::optional<uint8_t> window_scale;  // shift count as sent (RFC 7323 caps use at 14)
    bool sack_permitted = false;
    std::optional<TcpTimestamps> timestamps;
    TcpSackList sack_blocks;
    // Borrowed: points into the parsed bytes or the caller's data.
    base::ByteSpan payload;

    // Validates the options: option_overrun when an option runs past the header,
    // bad_option_length for a length below 2 or wrong for a known kind; then the
    // checksum (bad_checksum) unless ignored. A repeated option: the last counts.
    static Result<TcpRepr> parse(const TcpView& v, Ipv4Address src, Ipv4Address dst,
                                 ChecksumCheck check = ChecksumCheck::verify);
    static Result<TcpRepr> parse(const TcpView& v, const Ipv6Address& src, const Ipv6Address& dst,
                                 ChecksumCheck check = ChecksumCheck::verify);
    static Result<TcpRepr> parse(const TcpView& v, const IpAddress& src, const IpAddress& dst,
                                 ChecksumCheck check = ChecksumCheck::verify) {
        return src.is_v4() ? parse(v, src.v4(), dst.v4(), check)
                           : parse(v, src.v6(), dst.v6(), check);
    }

    // Header length with options, a multiple of 4. SACK blocks beyond what fits
    // in 40 bytes of options are not sent (the first ones are kept).
    size_t header_len() const;
    size_t buffer_len() const { return header_len() + payload.size(); }
    // How many of `sack_blocks` fit beside the other options.
    size_t sack_blocks_that_fit() const;
    // Sequence space the segment occupies: payload, plus one each for SYN and FIN.
    uint32_t sequence_len() const {
        return static_cast<uint32_t>(payload.size()) + (flags.has(TcpFlags::syn) ? 1 : 0) +
               (flags.has(TcpFlags::fin) ? 1 : 0);
    }
    // Writes header, options, payload and checksum. `payload` may already sit at
    // out[header_len()..]. Precondition: out.size() >= buffer_len() <= 65535.
    // With ChecksumFill::pseudo_header the checksum is left for a device to
    // complete (base::PacketBuffer::set_checksum_pending, field at
    // tcp::field::checksum).
    void emit(base::MutableByteSpan out, Ipv4Address src, Ipv4Address dst,
              ChecksumFill fill = ChecksumFill::full) const;
    void emit(base::MutableByteSpan out, const Ipv6Address& src, const Ipv6Address& dst,
              ChecksumFill fill = ChecksumFill::full) const;
    void emit(base::MutableByteSpan out, const IpAddress& src, const IpAddress& dst,
              ChecksumFill fill = ChecksumFill::full) const {
        if (src.is_v4()) return emit(out, src.v4(), dst.v4(), fill);
        emit(out, src.v6(), dst.v6(), fill);
    }

    bool operator==(const TcpRepr& o) const;

  private:
    // The fields and options alone; `parse` then checks the checksum.
    static Result<TcpRepr> parse_fields(const TcpView& v);
    // Everything but the checksum (left zero); returns the segment's bytes.
    base::MutableByteSpan emit_fields(base::MutableByteSpan out) const;
};

}  // namespace wire
