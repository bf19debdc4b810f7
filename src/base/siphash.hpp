// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, for values
// an outside observer must not predict without the key — ephemeral ports
// (RFC 6056) and TCP initial sequence numbers (RFC 6528).
#pragma once

#include <array>
#include <cstdint>

#include "base/bytes.hpp"

namespace base {

using SipKey = std::array<uint64_t, 2>;

uint64_t siphash24(const SipKey& key, ByteSpan data);

}  // namespace base
