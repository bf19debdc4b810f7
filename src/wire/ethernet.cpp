#include "wire/ethernet.hpp"

namespace wire {

std::string_view to_string(EtherType t) {
    switch (t) {
        case EtherType::ipv4:
            return "IPv4";
        case EtherType::arp:
            return "ARP";
        case EtherType::vlan:
            return "802.1Q";
        case EtherType::ipv6:
            return "IPv6";
    }
    return "unknown";
}

Result<EthernetView> EthernetView::parse(base::ByteSpan frame) {
    if (frame.size() < ethernet::header_len) return base::fail(Error::truncated);
    return EthernetView{frame};
}

void EthernetRepr::emit(base::MutableByteSpan header) const {
    dst.store(base::slice(header, ethernet::field::dst));
    src.store(base::slice(header, ethernet::field::src));
    base::store_be16(header, ethernet::field::ethertype, static_cast<uint16_t>(ethertype));
}

}  // namespace wire
