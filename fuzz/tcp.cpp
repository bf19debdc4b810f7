// Fuzzes the TCP codec, options included. The first eight input bytes are the
// pseudo-header's source and destination addresses; the rest is the segment.
//
// Invariants: the view's header, options and payload add up; the checksum
// agrees with the reference sum; options fail only as option_overrun or
// bad_option_length, and the verifying parse fails with the same error, or
// with bad_checksum exactly when the options are fine and the checksum is not.
// The repr emits a segment whose checksum verifies and which parses back to the
// same repr — options are laid out afresh, and SACK blocks beyond what fits
// beside the other options are dropped — and emitting that repr again gives the
// same bytes, as does emitting with the payload already in place.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

using fuzz::require;

namespace {

// What survives emission: the first SACK blocks that fit.
wire::TcpRepr as_emitted(const wire::TcpRepr& r) {
    wire::TcpRepr e = r;
    e.sack_blocks = {};
    const size_t n = r.sack_blocks_that_fit();
    for (size_t i = 0; i < n; ++i)
        e.sack_blocks.push_back(r.sack_blocks[i]);
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan in = fuzz::input(data, size);
    if (in.size() < 8) return 0;
    const auto [src, dst] = fuzz::PseudoHeaderAddresses::load(in);
    const base::ByteSpan segment = in.subspan(8);
    constexpr auto tcp = static_cast<uint8_t>(wire::IpProtocol::tcp);

    const auto view = wire::TcpView::parse(segment);
    if (!view) return 0;
    require(view->bytes().size() == segment.size(), "the view covers the segment");
    require(view->header_len() >= wire::tcp::min_header_len &&
                view->header_len() <= wire::tcp::max_header_len &&
                view->header_len() <= segment.size(),
            "header length between 20 and 60, within the segment");
    require(view->options().size() == view->header_len() - wire::tcp::min_header_len,
            "options span");
    require(view->header_len() + view->payload().size() == segment.size(),
            "header and payload split the segment");
    if (segment.size() > 0xffff) return 0;  // no IPv4 packet carries it
    const bool valid = view->checksum_valid(src, dst);
    require(valid == fuzz::reference_verify(segment, src, dst, tcp),
            "checksum agrees with the reference sum");
    (void)view->flags().to_string();

    const auto repr = wire::TcpRepr::parse(*view, src, dst, wire::ChecksumCheck::ignore);
    const auto verified = wire::TcpRepr::parse(*view, src, dst);
    if (!repr) {
        require(repr.error() == wire::Error::option_overrun ||
                    repr.error() == wire::Error::bad_option_length,
                "only options fail");
        require(!verified && verified.error() == repr.error(),
                "the verifying parse fails the same way");
        return 0;
    }
    require(verified.has_value() == valid,
            "the verifying parse succeeds exactly when the checksum verifies");
    if (verified) {
        require(*verified == *repr, "both parses agree");
    } else {
        require(verified.error() == wire::Error::bad_checksum, "a failed verify is bad_checksum");
    }
    require(repr->sack_blocks.size() <= wire::tcp::max_sack_blocks, "at most four SACK blocks");
    require(base::equal_bytes(repr->payload, view->payload()), "payload");

    const size_t hlen = repr->header_len();
    require(hlen % 4 == 0 && hlen >= wire::tcp::min_header_len && hlen <= wire::tcp::max_header_len,
            "emitted header length a multiple of 4 between 20 and 60");
    require(repr->sack_blocks_that_fit() <= repr->sack_blocks.size(), "SACK blocks that fit");
    if (repr->buffer_len() > 0xffff) return 0;

    std::vector<std::byte> out(repr->buffer_len());
    repr->emit(out, src, dst);
    const auto again_view = wire::TcpView::parse(out);
    require(again_view.has_value(), "an emitted segment parses");
    require(again_view->header_len() == hlen, "emitted data offset is header_len()");
    require(again_view->checksum_valid(src, dst), "an emitted checksum verifies");
    require(fuzz::reference_verify(out, src, dst, tcp), "an emitted checksum verifies (reference)");
    const auto again = wire::TcpRepr::parse(*again_view, src, dst);
    require(again.has_value(), "an emitted segment parses as a repr");
    require(*again == as_emitted(*repr), "emit then parse gives the same repr");

    std::vector<std::byte> out2(again->buffer_len());
    again->emit(out2, src, dst);
    require(base::equal_bytes(out2, out), "emission is canonical: emitting again is identical");

    // Payload already in place behind the header: emit must not disturb it.
    std::vector<std::byte> in_place(repr->buffer_len());
    base::copy_bytes(base::MutableByteSpan{in_place}.subspan(hlen), repr->payload);
    wire::TcpRepr placed = *repr;
    placed.payload = base::ByteSpan{in_place}.subspan(hlen);
    placed.emit(in_place, src, dst);
    require(base::equal_bytes(in_place, out), "emitting in place gives the same bytes");
    return 0;
}
