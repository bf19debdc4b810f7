// Fuzzes the ARP codec (Ethernet/IPv4 only).
//
// Invariants: the view covers exactly 28 bytes (Ethernet padding excluded);
// only request and reply parse as a repr; the repr re-emits the packet byte for
// byte and the emitted packet parses back to the same repr; addresses survive
// their text form.
#include <array>
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "wire/arp.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan packet = fuzz::input(data, size);
    const auto view = wire::ArpView::parse(packet);
    if (!view) {
        require(view.error() == wire::Error::truncated || view.error() == wire::Error::unsupported,
                "ARP fails as truncated or unsupported");
        require((view.error() == wire::Error::truncated) == (packet.size() < wire::arp::packet_len),
                "truncated exactly when shorter than 28 bytes");
        return 0;
    }
    require(view->bytes().size() == wire::arp::packet_len, "the view covers 28 bytes");
    require(view->bytes().data() == packet.data(), "the view starts at the packet");

    const auto repr = wire::ArpRepr::parse(*view);
    const bool known = view->operation() == static_cast<uint16_t>(wire::ArpOperation::request) ||
                       view->operation() == static_cast<uint16_t>(wire::ArpOperation::reply);
    require(repr.has_value() == known, "a repr parses exactly for request and reply");
    if (!repr) {
        require(repr.error() == wire::Error::unsupported, "an unknown operation is unsupported");
        return 0;
    }

    std::array<std::byte, wire::ArpRepr::buffer_len()> out{};
    repr->emit(out);
    require(base::equal_bytes(out, view->bytes()), "the packet re-emits byte for byte");
    const auto again_view = wire::ArpView::parse(out);
    require(again_view.has_value(), "an emitted packet parses");
    const auto again = wire::ArpRepr::parse(*again_view);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");

    for (const wire::Ipv4Address ip : {repr->sender_ip, repr->target_ip}) {
        const auto text = wire::Ipv4Address::parse(ip.to_string());
        require(text.has_value() && *text == ip, "an IPv4 address survives its text form");
    }
    for (const wire::MacAddress mac : {repr->sender_mac, repr->target_mac}) {
        const auto text = wire::MacAddress::parse(mac.to_string());
        require(text.has_value() && *text == mac, "a MAC address survives its text form");
    }
    return 0;
}
