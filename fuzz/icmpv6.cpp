// Fuzzes the ICMPv6 codec and neighbour discovery.
//
// The input is a source address (16 bytes), a destination (16), a hop limit
// (1), then the message, so the fuzzer explores the checks that depend on the
// IPv6 header as well as the message.
//
// Invariants: the view parses exactly when eight bytes are there; its checksum
// agrees with a reference sum over the IPv6 pseudo-header. Icmpv6Repr and
// NdpRepr fail only with the errors they document, and never both succeed; a
// verifying parse fails with bad_checksum exactly when an ignoring one
// succeeds on a message whose checksum does not verify. Whatever parses
// re-emits a message whose checksum verifies and which parses back to the same
// repr (neighbour discovery under the same header).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "check.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ndp.hpp"

using fuzz::require;

namespace {

constexpr size_t prefix_len = 33;
constexpr uint8_t icmpv6_next_header = 58;

void check_icmpv6(const wire::Icmpv6View& view, const wire::Ipv6Repr& ip) {
    const auto repr = wire::Icmpv6Repr::parse(view, ip.src, ip.dst, wire::ChecksumCheck::ignore);
    const auto verified = wire::Icmpv6Repr::parse(view, ip.src, ip.dst);
    if (!repr) {
        require(repr.error() == wire::Error::unsupported, "ICMPv6 fails only as unsupported");
        require(!verified, "an unsupported type fails the verifying parse too");
        return;
    }
    require(verified.has_value() == view.checksum_valid(ip.src, ip.dst),
            "the verifying parse succeeds exactly when the checksum verifies");
    if (!verified) require(verified.error() == wire::Error::bad_checksum, "bad checksum");
    (void)wire::to_string(repr->type);
    (void)wire::to_string(wire::Icmpv6UnreachableCode{repr->code});
    require(repr->buffer_len() == view.bytes().size(), "buffer_len is the message length");

    std::vector<std::byte> out(repr->buffer_len());
    repr->emit(out, ip.src, ip.dst);
    require(fuzz::reference_verify(out, ip.src, ip.dst, icmpv6_next_header),
            "an emitted message's checksum verifies (reference)");
    const auto again =
        wire::Icmpv6Repr::parse(wire::Icmpv6View::parse(out).value(), ip.src, ip.dst);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");
}

void check_ndp(const wire::Icmpv6View& view, const wire::Ipv6Repr& ip) {
    const auto repr = wire::NdpRepr::parse(view, ip, wire::ChecksumCheck::ignore);
    const auto verified = wire::NdpRepr::parse(view, ip);
    if (!repr) {
        const wire::Error e = repr.error();
        require(e == wire::Error::unsupported || e == wire::Error::truncated ||
                    e == wire::Error::bad_option_length || e == wire::Error::option_overrun ||
                    e == wire::Error::not_allowed,
                "neighbour discovery fails only with its documented errors");
        require(!verified, "what fails unverified fails verified");
        return;
    }
    require(ip.hop_limit == wire::ndp::hop_limit, "only hop limit 255 is accepted");
    require(view.code() == 0, "only code 0 is accepted");
    require(verified.has_value() == view.checksum_valid(ip.src, ip.dst),
            "the verifying parse succeeds exactly when the checksum verifies");
    require(static_cast<uint8_t>(repr->type()) == view.type(), "the type is the message's");

    std::vector<std::byte> out(repr->buffer_len());
    repr->emit(out, ip.src, ip.dst);
    require(fuzz::reference_verify(out, ip.src, ip.dst, icmpv6_next_header),
            "an emitted message's checksum verifies (reference)");
    const auto again = wire::NdpRepr::parse(wire::Icmpv6View::parse(out).value(), ip);
    require(again.has_value() && *again == *repr, "emit then parse gives the same repr");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan input = fuzz::input(data, size);
    if (input.size() < prefix_len) return 0;
    const wire::Ipv6Repr ip{.src = wire::Ipv6Address::load(input.subspan(0, 16)),
                            .dst = wire::Ipv6Address::load(input.subspan(16, 16)),
                            .next_header = icmpv6_next_header,
                            .hop_limit = base::load_u8(input, 32)};
    const base::ByteSpan message = input.subspan(prefix_len);
    const auto view = wire::Icmpv6View::parse(message);
    require(view.has_value() == (message.size() >= wire::icmpv6::header_len),
            "a view parses exactly when the header fits");
    if (!view) return 0;
    require(view->checksum_valid(ip.src, ip.dst) ==
                fuzz::reference_verify(message, ip.src, ip.dst, icmpv6_next_header),
            "the checksum agrees with the reference sum");
    check_icmpv6(*view, ip);
    check_ndp(*view, ip);
    return 0;
}
