// ARP for IPv4 over Ethernet (RFC 826). Other hardware or protocol types parse
// as `unsupported`.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "wire/address.hpp"
#include "wire/error.hpp"

namespace wire {

enum class ArpOperation : uint16_t { request = 1, reply = 2 };

namespace arp {
constexpr size_t packet_len = 28;  // for Ethernet/IPv4
constexpr uint16_t hardware_ethernet = 1;
namespace field {
constexpr base::Range hardware_type{0, 2};
constexpr base::Range protocol_type{2, 4};
constexpr base::Range hardware_len{4, 5};
constexpr base::Range protocol_len{5, 6};
constexpr base::Range operation{6, 8};
constexpr base::Range sender_mac{8, 14};
constexpr base::Range sender_ip{14, 18};
constexpr base::Range target_mac{18, 24};
constexpr base::Range target_ip{24, 28};
}  // namespace field
}  // namespace arp

// A checked view of an Ethernet/IPv4 ARP packet. After `parse` succeeds no
// accessor can fail. Trailing bytes (Ethernet padding) are excluded.
class ArpView {
  public:
    // truncated: fewer than 28 bytes; unsupported: not Ethernet/IPv4 (hardware
    // type 1, protocol 0x0800, lengths 6 and 4).
    static Result<ArpView> parse(base::ByteSpan packet);

    uint16_t operation() const { return base::load_be16(b_, arp::field::operation); }
    MacAddress sender_mac() const {
        return MacAddress::load(base::slice(b_, arp::field::sender_mac));
    }
    Ipv4Address sender_ip() const {
        return Ipv4Address::load(base::slice(b_, arp::field::sender_ip));
    }
    MacAddress target_mac() const {
        return MacAddress::load(base::slice(b_, arp::field::target_mac));
    }
    Ipv4Address target_ip() const {
        return Ipv4Address::load(base::slice(b_, arp::field::target_ip));
    }
    base::ByteSpan bytes() const { return b_; }

  private:
    explicit ArpView(base::ByteSpan b) : b_(b) {}
    base::ByteSpan b_;
};

struct ArpRepr {
    ArpOperation operation = ArpOperation::request;
    MacAddress sender_mac;
    Ipv4Address sender_ip;
    MacAddress target_mac;
    Ipv4Address target_ip;

    // unsupported: an operation other than request or reply.
    static Result<ArpRepr> parse(const ArpView& v);
    static constexpr size_t buffer_len() { return arp::packet_len; }
    // Precondition: out.size() >= buffer_len().
    void emit(base::MutableByteSpan out) const;

    bool operator==(const ArpRepr&) const = default;
};

}  // namespace wire
