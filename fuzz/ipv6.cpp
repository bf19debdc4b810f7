// Fuzzes the IPv6 header view, its repr and the extension-header walk.
//
// Invariants: the view covers exactly 40 + payload-length bytes from the
// start of the input and fails only as truncated or bad version; the repr
// re-emits the 40 header bytes exactly; a walk that succeeds ends inside the
// packet, after every header it reports, within the header limit; a walk never
// reads past the packet (ASan would say so).
#include <array>
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "wire/ipv6.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const base::ByteSpan packet = fuzz::input(data, size);
    const auto view = wire::Ipv6View::parse(packet);
    if (!view) {
        require(view.error() == wire::Error::truncated || view.error() == wire::Error::bad_version,
                "a header fails as truncated or bad version");
        return 0;
    }
    require(view->bytes().data() == packet.data(), "the view starts at the packet");
    require(view->bytes().size() == wire::ipv6::header_len + view->payload_len(),
            "the view covers the header and the payload length");

    const wire::Ipv6Repr repr = wire::Ipv6Repr::parse(*view);
    std::array<std::byte, wire::Ipv6Repr::buffer_len()> out{};
    repr.emit(out);
    require(base::equal_bytes(out, view->header()), "the header re-emits byte for byte");

    const auto chain = wire::walk_extensions(*view);
    if (!chain) {
        const wire::Error e = chain.error();
        require(e == wire::Error::truncated || e == wire::Error::option_overrun ||
                    e == wire::Error::unsupported,
                "a chain fails as truncated, option overrun or unsupported");
        return 0;
    }
    require(chain->upper_at <= view->bytes().size(), "the upper layer starts inside the packet");
    require(chain->extension_headers <= wire::ipv6::max_extension_headers,
            "no more headers than the limit");
    require((chain->extension_headers == 0) == (chain->upper_at == wire::ipv6::header_len),
            "extension headers take room, and only they do");
    if (chain->fragment) require(chain->fragment->header_at < chain->upper_at, "fragment before");
    if (chain->routing) require(chain->routing->header_at < chain->upper_at, "routing before");
    if (chain->hop_by_hop_options)
        require(fuzz::within(*chain->hop_by_hop_options, view->bytes()), "options inside");
    return 0;
}
