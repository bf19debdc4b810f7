// Fuzzes the headers of the load generators: tcp-bulk's request
// (apps::bulk::Request) and udp-cbr's datagram header (apps::cbr::Header).
//
// The first byte picks which; the rest is the bytes. Invariants: nothing
// crashes; what parses is written back to the same bytes and parses again to
// the same value; a header parses only when it says what it should (a
// sequence number below the count, a known direction and kind).
#include <array>
#include <cstddef>
#include <cstdint>

#include "apps/bulk.hpp"
#include "apps/cbr.hpp"
#include "check.hpp"

using fuzz::require;

namespace {

template <class Header>
void round_trip(base::ByteSpan bytes) {
    const auto parsed = Header::parse(bytes);
    if (!parsed) return;
    std::array<std::byte, Header::size> again{};
    parsed->emit(again);
    require(base::equal_bytes(again, bytes.first(Header::size)),
            "a header written back gives the bytes it was read from");
    require(Header::parse(again) == parsed, "a header written back reads back the same");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const base::ByteSpan bytes = fuzz::input(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        round_trip<apps::bulk::Request>(bytes);
    } else {
        round_trip<apps::cbr::Header>(bytes);
        if (const auto h = apps::cbr::Header::parse(bytes))
            require(h->sequence < h->count && h->time_left_ns >= 0, "a header says a place");
    }
    return 0;
}
