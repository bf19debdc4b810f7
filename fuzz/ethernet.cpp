// Fuzzes the Ethernet II codec.
//
// Invariants: a view parses exactly when the header fits; header and payload
// split the frame; the repr re-emits the header byte for byte, and the emitted
// header parses back to the same repr; addresses survive their text form.
#include <array>
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "wire/ethernet.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan frame = fuzz::input(data, size);
    const auto view = wire::EthernetView::parse(frame);
    if (!view) {
        require(frame.size() < wire::ethernet::header_len, "a frame with a header parses");
        require(view.error() == wire::Error::truncated, "a short frame is truncated");
        return 0;
    }
    require(frame.size() >= wire::ethernet::header_len, "a parsed frame holds a header");
    require(view->bytes().size() == frame.size(), "the view covers the whole frame");
    require(view->header().size() == wire::ethernet::header_len, "header length");
    require(view->header().size() + view->payload().size() == frame.size(),
            "header and payload split the frame");
    (void)wire::to_string(view->ethertype());

    const wire::EthernetRepr repr = wire::EthernetRepr::parse(*view);
    std::array<std::byte, wire::EthernetRepr::buffer_len()> out{};
    repr.emit(out);
    require(base::equal_bytes(out, view->header()), "the header re-emits byte for byte");

    const auto again = wire::EthernetView::parse(out);
    require(again.has_value(), "an emitted header parses");
    require(again->payload().empty(), "an emitted header has no payload");
    require(wire::EthernetRepr::parse(*again) == repr, "emit then parse gives the same repr");

    for (const wire::MacAddress mac : {repr.dst, repr.src}) {
        const auto text = wire::MacAddress::parse(mac.to_string());
        require(text.has_value() && *text == mac, "a MAC address survives its text form");
        require(mac.is_unicast() != mac.is_multicast(), "unicast or multicast, not both");
        require(!mac.is_broadcast() || mac.is_multicast(), "broadcast is multicast");
    }
    return 0;
}
