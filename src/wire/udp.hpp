// UDP datagrams (RFC 768): ports, a length and a checksum, nothing more.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/error.hpp"

namespace wire {

namespace udp {
constexpr size_t header_len = 8;
namespace field {
constexpr base::Range src_port{0, 2};
constexpr base::Range dst_port{2, 4};
constexpr base::Range length{4, 6};
constexpr base::Range checksum{6, 8};
}  // namespace field
}  // namespace udp

// A checked view of a datagram. `parse` checks the length field (at least 8, at
// most the bytes given); the view covers exactly that many bytes. After `parse`
// succeeds no accessor can fail.
class UdpView {
  public:
    static Result<UdpView> parse(base::ByteSpan datagram);

    uint16_t src_port() const { return base::load_be16(b_, udp::field::src_port); }
    uint16_t dst_port() const { return base::load_be16(b_, udp::field::dst_port); }
    uint16_t length() const { return base::load_be16(b_, udp::field::length); }
    uint16_t checksum() const { return base::load_be16(b_, udp::field::checksum); }
    base::ByteSpan payload() const { return b_.subspan(udp::header_len); }
    base::ByteSpan bytes() const { return b_; }
    // Over IPv4 a zero checksum field means the sender computed none, which is
    // valid. Over IPv6 the checksum is mandatory and zero is refused (RFC 8200
    // §8.1; the tunnel exception of RFC 6935 is not taken).
    bool checksum_valid(Ipv4Address src, Ipv4Address dst) const;
    bool checksum_valid(const Ipv6Address& src, const Ipv6Address& dst) const;
    // Either version (src and dst of one family).
    bool checksum_valid(const IpAddress& src, const IpAddress& dst) const {
        return src.is_v4() ? checksum_valid(src.v4(), dst.v4())
                           : checksum_valid(src.v6(), dst.v6());
    }

  private:
    explicit UdpView(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

struct UdpRepr {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    // Borrowed: points into the parsed bytes or the caller's data.
    base::ByteSpan payload;

    static Result<UdpRepr> parse(const UdpView& v, Ipv4Address src, Ipv4Address dst,
                                 ChecksumCheck check = ChecksumCheck::verify);
    static Result<UdpRepr> parse(const UdpView& v, const Ipv6Address& src, const Ipv6Address& dst,
                                 ChecksumCheck check = ChecksumCheck::verify);
    size_t buffer_len() const { return udp::header_len + payload.size(); }
    // Writes header, payload and checksum (never zero: a computed zero is sent as
    // 0xffff, RFC 768). `payload` may already sit at out[8..].
    // Preconditions: out.size() >= buffer_len() <= 65535.
    void emit(base::MutableByteSpan out, Ipv4Address src, Ipv4Address dst) const;
    void emit(base::MutableByteSpan out, const Ipv6Address& src, const Ipv6Address& dst) const;
    void emit(base::MutableByteSpan out, const IpAddress& src, const IpAddress& dst) const {
        if (src.is_v4()) return emit(out, src.v4(), dst.v4());
        emit(out, src.v6(), dst.v6());
    }

    bool operator==(const UdpRepr& o) const {
        return src_port == o.src_port && dst_port == o.dst_port &&
               base::equal_bytes(payload, o.payload);
    }
};

}  // namespace wire
