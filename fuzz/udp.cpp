// Fuzzes the UDP codec. The first eight input bytes are the pseudo-header's
// source and destination addresses; the rest is the datagram.
//
// Invariants: the view covers exactly length-field bytes; the checksum agrees
// with the reference sum (zero meaning none); the parse that ignores the
// checksum always succeeds and the verifying one exactly when it verifies. The
// repr emits a datagram with a non-zero checksum that verifies and which parses
// back to the same repr, identical whether the payload is copied in or already
// sits in place; a datagram with a valid non-zero checksum re-emits byte for byte.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "wire/ipv4.hpp"
#include "wire/udp.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan in = fuzz::input(data, size);
    if (in.size() < 8) return 0;
    const auto [src, dst] = fuzz::PseudoHeaderAddresses::load(in);
    const base::ByteSpan datagram = in.subspan(8);
    constexpr auto udp = static_cast<uint8_t>(wire::IpProtocol::udp);

    const auto view = wire::UdpView::parse(datagram);
    if (!view) {
        if (datagram.size() < wire::udp::header_len) {
            require(view.error() == wire::Error::truncated, "a short header is truncated");
            return 0;
        }
        const uint16_t length = base::load_be16(datagram, wire::udp::field::length);
        if (length < wire::udp::header_len) {
            require(view.error() == wire::Error::bad_length, "length below 8 is bad_length");
        } else {
            require(view.error() == wire::Error::truncated && length > datagram.size(),
                    "otherwise only a length past the bytes fails, as truncated");
        }
        return 0;
    }
    require(view->bytes().size() == view->length(), "the view covers length-field bytes");
    require(view->bytes().data() == datagram.data(), "the view starts at the datagram");
    require(view->payload().size() == view->length() - wire::udp::header_len, "payload span");
    require(view->checksum_valid(src, dst) ==
                (view->checksum() == 0 || fuzz::reference_verify(view->bytes(), src, dst, udp)),
            "checksum agrees with the reference sum");

    const auto repr = wire::UdpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore);
    require(repr.has_value(), "with the checksum ignored every view parses");
    const auto verified = wire::UdpRepr::parse(*view, src, dst);
    require(verified.has_value() == view->checksum_valid(src, dst),
            "the verifying parse succeeds exactly when the checksum verifies");
    if (verified) {
        require(*verified == *repr, "both parses agree");
    } else {
        require(verified.error() == wire::Error::bad_checksum, "a failed verify is bad_checksum");
    }
    require(repr->buffer_len() == view->length(), "buffer_len is the datagram length");

    std::vector<std::byte> out(repr->buffer_len());
    repr->emit(out, src, dst);
    const auto again_view = wire::UdpView::parse(out);
    require(again_view.has_value(), "an emitted datagram parses");
    require(again_view->length() == out.size(), "emitted length field");
    require(again_view->checksum() != 0, "an emitted checksum is never zero");
    require(again_view->checksum_valid(src, dst), "an emitted checksum verifies");
    require(fuzz::reference_verify(out, src, dst, udp), "an emitted checksum verifies (reference)");
    const auto again = wire::UdpRepr::parse(*again_view, src, dst);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");
    if (view->checksum() != 0 && view->checksum_valid(src, dst)) {
        require(base::equal_bytes(out, view->bytes()), "a valid datagram re-emits byte for byte");
    }

    // Payload already in place behind the header: emit must not disturb it.
    std::vector<std::byte> in_place(repr->buffer_len());
    base::copy_bytes(base::MutableByteSpan{in_place}.subspan(wire::udp::header_len), repr->payload);
    wire::UdpRepr placed = *repr;
    placed.payload = base::ByteSpan{in_place}.subspan(wire::udp::header_len);
    placed.emit(in_place, src, dst);
    require(base::equal_bytes(in_place, out), "emitting in place gives the same bytes");
    return 0;
}
