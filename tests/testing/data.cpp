#include "testing/data.hpp"

#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace testing_support {

std::vector<std::byte> read_data_file(std::string_view name) {
    const std::string path = fmt::format("{}/tests/data/{}", MINTERNET_SOURCE_DIR, name);
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        ADD_FAILURE() << "cannot open test data file " << path;
        return {};
    }
    std::vector<char> chars((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(chars.size());
    for (size_t i = 0; i < chars.size(); ++i)
        out[i] = static_cast<std::byte>(chars[i]);
    return out;
}

std::vector<std::byte> from_hex(std::string_view hex) {
    std::vector<std::byte> out;
    int high = -1;
    for (char c : hex) {
        int v;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == ':') {
            continue;
        } else {
            ADD_FAILURE() << "bad hex character '" << c << "'";
            return {};
        }
        if (high < 0) {
            high = v;
        } else {
            out.push_back(static_cast<std::byte>(high * 16 + v));
            high = -1;
        }
    }
    if (high >= 0) ADD_FAILURE() << "odd number of hex digits";
    return out;
}

std::string to_hex(base::ByteSpan bytes) {
    std::string s;
    for (std::byte b : bytes)
        s += fmt::format("{:02x}", static_cast<unsigned>(b));
    return s;
}

}  // namespace testing_support
