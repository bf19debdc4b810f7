// Ethernet II frames (IEEE 802.3 with an EtherType; no 802.1Q tag handling: a
// tagged frame parses with EtherType 0x8100 and is not understood above).
//
// The frame check sequence is not part of the frames handled here: TAP devices
// and pcap files carry frames without it.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/error.hpp"

namespace wire {

enum class EtherType : uint16_t {
    ipv4 = 0x0800,
    arp = 0x0806,
    vlan = 0x8100,
    ipv6 = 0x86dd,
};

std::string_view to_string(EtherType t);  // "IPv4", "ARP", … or "unknown"

namespace ethernet {
constexpr size_t header_len = 14;
// Shortest frame on the wire without the FCS; shorter frames are padded.
constexpr size_t min_frame_len = 60;
namespace field {
constexpr base::Range dst{0, 6};
constexpr base::Range src{6, 12};
constexpr base::Range ethertype{12, 14};
}  // namespace field
}  // namespace ethernet

// A checked view of a frame. After `parse` succeeds no accessor can fail.
class EthernetView {
  public:
    // Fails with `truncated` if the frame is shorter than the header.
    static Result<EthernetView> parse(base::ByteSpan frame);

    MacAddress dst() const { return MacAddress::load(base::slice(b_, ethernet::field::dst)); }
    MacAddress src() const { return MacAddress::load(base::slice(b_, ethernet::field::src)); }
    EtherType ethertype() const {
        return EtherType{base::load_be16(b_, ethernet::field::ethertype)};
    }
    base::ByteSpan header() const { return b_.first(ethernet::header_len); }
    // Everything after the header, padding included (the layer above trims it).
    base::ByteSpan payload() const { return b_.subspan(ethernet::header_len); }
    base::ByteSpan bytes() const { return b_; }

  private:
    explicit EthernetView(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

struct EthernetRepr {
    MacAddress dst;
    MacAddress src;
    EtherType ethertype = EtherType::ipv4;

    static EthernetRepr parse(const EthernetView& v) {
        return {.dst = v.dst(), .src = v.src(), .ethertype = v.ethertype()};
    }
    static constexpr size_t buffer_len() { return ethernet::header_len; }
    // Writes the header. Precondition: header.size() >= buffer_len().
    void emit(base::MutableByteSpan header) const;

    bool operator==(const EthernetRepr&) const = default;
};

}  // namespace wire
