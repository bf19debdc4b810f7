#include "wire/arp.hpp"

#include "wire/ethernet.hpp"

namespace wire {

Result<ArpView> ArpView::parse(base::ByteSpan packet) {
    if (packet.size() < arp::packet_len) return base::fail(Error::truncated);
    if (base::load_be16(packet, arp::field::hardware_type) != arp::hardware_ethernet ||
        base::load_be16(packet, arp::field::protocol_type) !=
            static_cast<uint16_t>(EtherType::ipv4) ||
        base::load_u8(packet, arp::field::hardware_len) != 6 ||
        base::load_u8(packet, arp::field::protocol_len) != 4) {
        return base::fail(Error::unsupported);
    }
    return ArpView{packet.first(arp::packet_len)};
}

Result<ArpRepr> ArpRepr::parse(const ArpView& v) {
    const uint16_t op = v.operation();
    if (op != static_cast<uint16_t>(ArpOperation::request) &&
        op != static_cast<uint16_t>(ArpOperation::reply)) {
        return base::fail(Error::unsupported);
    }
    return ArpRepr{.operation = ArpOperation{op},
                   .sender_mac = v.sender_mac(),
                   .sender_ip = v.sender_ip(),
                   .target_mac = v.target_mac(),
                   .target_ip = v.target_ip()};
}

void ArpRepr::emit(base::MutableByteSpan out) const {
    base::store_be16(out, arp::field::hardware_type, arp::hardware_ethernet);
    base::store_be16(out, arp::field::protocol_type, static_cast<uint16_t>(EtherType::ipv4));
    base::store_u8(out, arp::field::hardware_len, 6);
    base::store_u8(out, arp::field::protocol_len, 4);
    base::store_be16(out, arp::field::operation, static_cast<uint16_t>(operation));
    sender_mac.store(base::slice(out, arp::field::sender_mac));
    sender_ip.store(base::slice(out, arp::field::sender_ip));
    target_mac.store(base::slice(out, arp::field::target_mac));
    target_ip.store(base::slice(out, arp::field::target_ip));
}

}  // namespace wire
