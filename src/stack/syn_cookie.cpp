#include "stack/syn_cookie.hpp"

#include <array>

#include "base/bytes.hpp"

namespace stack::syn_cookie {
namespace {

constexpr int64_t period_ns = int64_t{64} * 1'000'000'000;  // t ticks every 64 s
constexpr uint32_t max_age = 2;                             // periods a cookie stays good
constexpr uint32_t low_mask = 0x00ff'ffff;
constexpr uint32_t ts_bits = 6;
constexpr uint32_t ts_mask = (1u << ts_bits) - 1;
constexpr uint32_t ts_no_wscale = 0xf;
constexpr uint32_t ts_sack = 1u << 4;

uint32_t period(base::Time now) {
    return static_cast<uint32_t>(now.ns() / period_ns);
}

// H1 (which = 1) over the 4-tuple; H2 (which = 2) over the 4-tuple and t.
uint32_t hash(const base::SipKey& key, const tcp::Tuple& t, uint8_t which, uint32_t count) {
    std::array<std::byte, tcp::max_tuple_bytes + 5> in{};
    const size_t at = tcp::tuple_bytes(t, std::span(in).first<tcp::max_tuple_bytes>());
    base::store_be32(in, at, count);
    in[at + 4] = std::byte{which};
    return static_cast<uint32_t>(base::siphash24(key, base::ByteSpan{in}.first(at + 5)));
}

}  // namespace

wire::SeqNum make(const base::SipKey& key, const tcp::Tuple& tuple, wire::SeqNum client_isn,
                  uint16_t mss, base::Time now) {
    uint32_t index = 0;
    for (uint32_t i = 0; i < std::size(mss_table); ++i) {
        if (mss_table[i] <= mss) index = i;
    }
    const uint32_t t = period(now);
    return wire::SeqNum{hash(key, tuple, 1, 0) + client_isn.value() + (t << 24) +
                        ((hash(key, tuple, 2, t) + index) & low_mask)};
}

std::optional<uint16_t> check(const base::SipKey& key, const tcp::Tuple& tuple,
                              wire::SeqNum client_isn, wire::SeqNum cookie, base::Time now) {
    const uint32_t rest = cookie.value() - hash(key, tuple, 1, 0) - client_isn.value();
    // The top 8 bits are t, from a period no more than max_age ago (mod 256).
    const uint32_t t_now = period(now);
    const uint32_t age = ((t_now & 0xff) - (rest >> 24)) & 0xff;
    if (age > max_age) return std::nullopt;
    const uint32_t t = t_now - age;
    const uint32_t index = (rest - hash(key, tuple, 2, t)) & low_mask;
    if (index >= std::size(mss_table)) return std::nullopt;
    return mss_table[index];
}

uint32_t timestamp(uint32_t now_ms, const TimestampOptions& o) {
    uint32_t bits = o.window_scale ? (*o.window_scale & 0xf) : ts_no_wscale;
    if (o.sack_permitted) bits |= ts_sack;
    uint32_t ts = (now_ms & ~ts_mask) | bits;
    // Never ahead of the clock: the client echoes it and PAWS compares.
    if (static_cast<int32_t>(ts - now_ms) > 0) ts -= 1u << ts_bits;
    return ts;
}

TimestampOptions from_timestamp(uint32_t echoed) {
    TimestampOptions o;
    const uint32_t wscale = echoed & 0xf;
    if (wscale != ts_no_wscale) o.window_scale = static_cast<uint8_t>(wscale);
    o.sack_permitted = (echoed & ts_sack) != 0;
    return o;
}

}  // namespace stack::syn_cookie
