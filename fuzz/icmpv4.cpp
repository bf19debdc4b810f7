// Fuzzes the ICMPv4 codec.
//
// Invariants: the view parses exactly when the 8-byte header fits; the checksum
// agrees with the reference sum; the verifying parse fails with bad_checksum
// when the checksum does not verify and otherwise agrees with the parse that
// ignores it. A parsed repr emits a message whose checksum verifies and which
// parses back to the same repr, identical whether the data is copied in or
// already sits in place at out[8..]; an echo re-emits byte for byte outside the
// checksum.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "wire/icmpv4.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan message = fuzz::input(data, size);
    const auto view = wire::Icmpv4View::parse(message);
    require(view.has_value() == (message.size() >= wire::icmpv4::header_len),
            "a view parses exactly when the header fits");
    if (!view) return 0;
    require(view->bytes().size() == message.size(), "the view covers the message");
    require(view->payload().size() == message.size() - wire::icmpv4::header_len, "payload span");
    require(view->checksum_valid() == fuzz::reference_verify(message),
            "checksum agrees with the reference sum");
    (void)wire::to_string(wire::Icmpv4Type{view->type()});
    (void)wire::to_string(wire::UnreachableCode{view->code()});

    const auto repr = wire::Icmpv4Repr::parse(*view, wire::ChecksumCheck::ignore);
    const auto verified = wire::Icmpv4Repr::parse(*view);
    if (!view->checksum_valid()) {
        require(!verified && verified.error() == wire::Error::bad_checksum,
                "a bad checksum fails the verifying parse");
    } else {
        require(verified.has_value() == repr.has_value(), "both parses agree on success");
        if (verified) require(*verified == *repr, "both parses agree on the repr");
        if (!verified) require(verified.error() == repr.error(), "both parses agree on the error");
    }
    if (!repr) {
        require(repr.error() == wire::Error::unsupported, "only an unknown type fails");
        return 0;
    }
    require(repr->buffer_len() == message.size(), "buffer_len is the message length");

    std::vector<std::byte> out(repr->buffer_len());
    repr->emit(out);
    require(wire::checksum::verify(out), "an emitted message's checksum verifies");
    require(fuzz::reference_verify(out), "an emitted message's checksum verifies (reference)");
    const auto again_view = wire::Icmpv4View::parse(out);
    require(again_view.has_value(), "an emitted message parses");
    const auto again = wire::Icmpv4Repr::parse(*again_view);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");

    const bool echo =
        repr->type == wire::Icmpv4Type::echo_request || repr->type == wire::Icmpv4Type::echo_reply;
    if (echo) {
        bool same = true;
        for (size_t i = 0; i < out.size(); ++i) {
            const bool checksum_byte =
                i >= wire::icmpv4::field::checksum.begin && i < wire::icmpv4::field::checksum.end;
            if (!checksum_byte && out[i] != message[i]) same = false;
        }
        require(same, "an echo re-emits byte for byte outside the checksum");
    }

    // Data already in place behind the header: emit must not disturb it.
    std::vector<std::byte> in_place(repr->buffer_len());
    base::copy_bytes(base::MutableByteSpan{in_place}.subspan(wire::icmpv4::header_len), repr->data);
    wire::Icmpv4Repr placed = *repr;
    placed.data = base::ByteSpan{in_place}.subspan(wire::icmpv4::header_len);
    placed.emit(in_place);
    require(base::equal_bytes(in_place, out), "emitting in place gives the same bytes");
    return 0;
}
