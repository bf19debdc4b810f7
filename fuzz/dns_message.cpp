// Fuzzes the DNS message reader (dns::parse_message) with arbitrary octets.
//
// Invariants: nothing crashes; a rejection names an octet inside the input; a
// message that is read is written again (with and without compression) and
// read back to the same message, and never grows past 65,535 octets.
#include <cstddef>
#include <cstdint>

#include "check.hpp"
#include "dns/wire/message.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 65535) return 0;
    auto m = dns::parse_message(fuzz::input(data, size));
    if (!m) {
        require(!m.error().what.empty(), "a rejection says what is wrong");
        require(m.error().offset <= size, "a rejection names an octet of the input");
        return 0;
    }
    for (bool compress : {true, false}) {
        const auto bytes = dns::emit_message(*m, {.compress = compress});
        require(bytes.size() <= 65535, "an emitted message fits 65,535 octets");
        auto again = dns::parse_message(bytes);
        require(again.has_value(), "what was read and written is read again");
        require(*again == *m, "read, written and read again: the same message");
    }
    return 0;
}
