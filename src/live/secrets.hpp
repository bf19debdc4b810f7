// Secrets from the OS: what live hosts (and the C API's hosts) key their ISNs,
// ephemeral ports, DNS IDs and MACs with, unless a seed is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"

namespace live {

// The seed a live host runs with: `given`, or 64 bits from the OS's
// cryptographic generator (getrandom). Fails only if the OS has none.
base::Expected<uint64_t, std::string> secret_seed(std::optional<uint64_t> given);

}  // namespace live
