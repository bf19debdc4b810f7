// Quantities as people write them in topology files and flags: "10ms", "100Mbit",
// "1.5%", "64KB". Each parser returns the value or a message saying what is
// wrong with the text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"

namespace netem {

template <class T>
using Parsed = base::Expected<T, std::string>;

// A number with a unit: ns, us, ms, s, min, h ("0" alone is zero). "1.5ms".
Parsed<base::Duration> parse_duration(std::string_view text);
// Bits per second: bit, kbit, Mbit, Gbit, Tbit, or bps, kbps, Mbps, Gbps, Tbps
// (decimal prefixes). "100Mbit", "1.5Gbps".
Parsed<uint64_t> parse_bandwidth(std::string_view text);
// A probability: "1%", "0.5%", or a plain number in [0, 1].
Parsed<double> parse_probability(std::string_view text);
// Bytes: B, KB, MB, GB (powers of 1000), KiB, MiB, GiB (powers of 1024), or a
// plain integer.
Parsed<uint64_t> parse_size(std::string_view text);

}  // namespace netem
