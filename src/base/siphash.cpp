#include "base/siphash.hpp"

#include <bit>

namespace base {
namespace {

uint64_t load_le64(const std::byte* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | static_cast<uint64_t>(p[i]);
    return v;
}

struct State {
    uint64_t v0, v1, v2, v3;

    void round() {
        v0 += v1;
        v1 = std::rotl(v1, 13);
        v1 ^= v0;
        v0 = std::rotl(v0, 32);
        v2 += v3;
        v3 = std::rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = std::rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = std::rotl(v1, 17);
        v1 ^= v2;
        v2 = std::rotl(v2, 32);
    }
    void absorb(uint64_t m) {
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace

uint64_t siphash24(const SipKey& key, ByteSpan data) {
    // The initial state is the key XORed with "somepseudorandomlygeneratedbytes".
    State s{key[0] ^ 0x736f6d6570736575ULL, key[1] ^ 0x646f72616e646f6dULL,
            key[0] ^ 0x6c7967656e657261ULL, key[1] ^ 0x7465646279746573ULL};
    const size_t whole = data.size() / 8 * 8;
    for (size_t i = 0; i < whole; i += 8)
        s.absorb(load_le64(data.data() + i));
    // The last block: the remaining bytes, little-endian, with the length's low
    // byte on top.
    uint64_t last = static_cast<uint64_t>(data.size() & 0xff) << 56;
    for (size_t i = whole; i < data.size(); ++i)
        last |= static_cast<uint64_t>(data[i]) << (8 * (i - whole));
    s.absorb(last);
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; ++i)
        s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace base
