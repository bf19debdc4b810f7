// SYN cookies (RFC 4987 §3.6): when a listener's queue of half-open
// connections is full, its SYN-ACK carries everything the connection will
// need in its initial sequence number, and the listener keeps nothing. The
// client's ACK (acknowledging that number plus one) brings it back: a
// checked cookie opens the connection, anything else is refused. A flood of
// SYNs from forged addresses then costs no memory, and real clients still
// get in.
//
// The cookie, as Linux builds it (net/ipv4/syncookies.c), in 32 bits:
//
//   ISN = H1(4-tuple) + client's ISN + (t << 24)
//         + ((H2(4-tuple, t) + MSS index) mod 2^24)
//
// t counts 64-second periods, so a cookie is good for two to three of them;
// H1 and H2 are keyed SipHash values the client cannot predict; the MSS
// index picks one of four values (536, 1300, 1440, 1460: the sizes most
// clients offer) no larger than the client's.
//
// The other SYN options (window scale, SACK-permitted) do not fit; when the
// client offered timestamps they ride in the low 6 bits of our TSval, which
// the client echoes: the window scale (15: none) and the SACK bit, as Linux
// does. Without timestamps the connection goes without them.
#pragma once

#include <cstdint>
#include <optional>

#include "base/siphash.hpp"
#include "base/time.hpp"
#include "tcp/types.hpp"
#include "wire/seq_num.hpp"

namespace stack::syn_cookie {

// The MSS values a cookie can carry, smallest first.
inline constexpr uint16_t mss_table[] = {536, 1300, 1440, 1460};

// Our ISN for a SYN-ACK to `client_isn` on `tuple` (seen from us), carrying
// the largest table MSS not above `mss`.
wire::SeqNum make(const base::SipKey& key, const tcp::Tuple& tuple, wire::SeqNum client_isn,
                  uint16_t mss, base::Time now);

// The MSS a cookie carries, if `cookie` is one we made for this tuple and
// client ISN in the last two periods; nullopt for a forgery or a stale one.
std::optional<uint16_t> check(const base::SipKey& key, const tcp::Tuple& tuple,
                              wire::SeqNum client_isn, wire::SeqNum cookie, base::Time now);

// What the TSval of the SYN-ACK remembers.
struct TimestampOptions {
    std::optional<uint8_t> window_scale;  // the client's
    bool sack_permitted = false;
};

// Our TSval (milliseconds, `now_ms`) with the options in its low 6 bits,
// never ahead of the clock.
uint32_t timestamp(uint32_t now_ms, const TimestampOptions& options);
TimestampOptions from_timestamp(uint32_t echoed);

}  // namespace stack::syn_cookie
