// Fuzzes the IPv4 header codec.
//
// Invariants: the view covers exactly total-length bytes and its header, options
// and payload add up; the repr parses whatever the checksum (ignored), and the
// verifying parse succeeds exactly when the checksum verifies, by the fast and
// the reference sum alike. The repr emits a 20-byte header without options:
// behind the original payload it parses back to the same repr with a checksum
// that verifies, and for an option-less header it matches the input byte for
// byte outside the checksum and the reserved flag. Decrementing the TTL keeps a
// valid checksum valid (RFC 1624).
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "wire/ipv4.hpp"

using fuzz::require;

namespace {

bool same_except_checksum_and_reserved(base::ByteSpan a, base::ByteSpan b) {
    namespace field = wire::ipv4::field;
    for (size_t i = 0; i < wire::ipv4::min_header_len; ++i) {
        if (i >= field::checksum.begin && i < field::checksum.end) continue;
        auto x = static_cast<uint8_t>(a[i]);
        auto y = static_cast<uint8_t>(b[i]);
        if (i == field::flags_fragment.begin) {
            x &= static_cast<uint8_t>(~(wire::ipv4::flag_reserved >> 8));
            y &= static_cast<uint8_t>(~(wire::ipv4::flag_reserved >> 8));
        }
        if (x != y) return false;
    }
    return true;
}

// Decrements the TTL of a copy of `header` and checks the checksum still holds.
void check_decrement_ttl(base::ByteSpan header) {
    std::vector<std::byte> copy(header.begin(), header.end());
    const uint8_t ttl = base::load_u8(copy, wire::ipv4::field::ttl);
    if (ttl == 0 || !wire::checksum::verify(copy)) return;
    const uint8_t after = wire::ipv4::decrement_ttl(copy);
    require(after == ttl - 1, "decrement_ttl returns the new TTL");
    require(base::load_u8(copy, wire::ipv4::field::ttl) == after, "decrement_ttl stores it");
    require(wire::checksum::verify(copy), "decrement_ttl keeps the checksum valid");
    require(fuzz::reference_verify(copy), "decrement_ttl keeps the checksum valid (reference)");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan packet = fuzz::input(data, size);
    const auto view = wire::Ipv4View::parse(packet);
    if (!view) return 0;

    require(view->version() == 4, "version 4");
    require(view->bytes().size() == view->total_len(), "the view covers total-length bytes");
    require(view->bytes().data() == packet.data(), "the view starts at the packet");
    require(view->header_len() >= wire::ipv4::min_header_len &&
                view->header_len() <= wire::ipv4::max_header_len,
            "header length between 20 and 60");
    require(view->header_len() <= view->total_len(), "the header fits the total length");
    require(view->header().size() == view->header_len(), "header span");
    require(view->options().size() == view->header_len() - wire::ipv4::min_header_len,
            "options span");
    require(view->header().size() + view->payload().size() == view->bytes().size(),
            "header and payload split the packet");
    require(view->fragment_offset() % 8 == 0, "fragment offset in 8-byte units");
    require(view->checksum_valid() == fuzz::reference_verify(view->header()),
            "header checksum agrees with the reference sum");
    (void)wire::to_string(view->protocol());

    const auto repr = wire::Ipv4Repr::parse(*view, wire::ChecksumCheck::ignore);
    require(repr.has_value(), "with the checksum ignored every view parses");
    const auto verified = wire::Ipv4Repr::parse(*view);
    require(verified.has_value() == view->checksum_valid(),
            "the verifying parse succeeds exactly when the checksum verifies");
    if (verified) {
        require(*verified == *repr, "both parses agree");
    } else {
        require(verified.error() == wire::Error::bad_checksum, "a failed verify is bad_checksum");
    }
    require(repr->payload_len == view->payload().size(), "payload length");
    check_decrement_ttl(view->header());

    // The emitted header (no options) followed by the original payload.
    std::vector<std::byte> out(wire::Ipv4Repr::buffer_len() + repr->payload_len);
    repr->emit(out);
    base::copy_bytes(base::MutableByteSpan{out}.subspan(wire::Ipv4Repr::buffer_len()),
                     view->payload());
    const auto again_view = wire::Ipv4View::parse(out);
    require(again_view.has_value(), "an emitted packet parses");
    require(again_view->header_len() == wire::ipv4::min_header_len, "emitted without options");
    require(again_view->bytes().size() == out.size(), "emitted total length");
    require(again_view->checksum_valid(), "an emitted header's checksum verifies");
    require(fuzz::reference_verify(again_view->header()),
            "an emitted header's checksum verifies (reference)");
    const auto again = wire::Ipv4Repr::parse(*again_view);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");
    require(base::equal_bytes(again_view->payload(), view->payload()), "payload carried over");
    if (view->header_len() == wire::ipv4::min_header_len) {
        require(same_except_checksum_and_reserved(out, view->header()),
                "an option-less header re-emits byte for byte");
    }
    check_decrement_ttl(again_view->header());
    return 0;
}
