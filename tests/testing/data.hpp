// Test data: files under tests/data/, and bytes written as hex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"

namespace testing_support {

// The whole file at tests/data/<name>; fails the test (and returns empty) if it
// cannot be read.
std::vector<std::byte> read_data_file(std::string_view name);

// "45 00 00 1c" or "4500001c" → bytes. Whitespace and ':' are ignored; anything
// else that is not a hex digit pair aborts the test.
std::vector<std::byte> from_hex(std::string_view hex);

std::string to_hex(base::ByteSpan bytes);

}  // namespace testing_support
