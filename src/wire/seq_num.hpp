// TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 §3.4).
//
// `a < b` means "b is ahead of a by less than 2^31". This is not a total order,
// which is why there is no operator<=>.
#pragma once

#include <cstdint>
#include <string>

namespace wire {

class SeqNum {
  public:
    constexpr SeqNum() = default;
    constexpr explicit SeqNum(uint32_t v) : v_(v) {}

    constexpr uint32_t value() const { return v_; }

    constexpr SeqNum operator+(uint32_t n) const { return SeqNum{v_ + n}; }
    constexpr SeqNum operator-(uint32_t n) const { return SeqNum{v_ - n}; }
    constexpr SeqNum& operator+=(uint32_t n) {
        v_ += n;
        return *this;
    }
    // Signed distance from `o` to this, in (-2^31, 2^31].
    constexpr int32_t operator-(SeqNum o) const { return static_cast<int32_t>(v_ - o.v_); }

    constexpr bool operator==(const SeqNum&) const = default;
    constexpr bool operator<(SeqNum o) const { return (*this - o) < 0; }
    constexpr bool operator<=(SeqNum o) const { return (*this - o) <= 0; }
    constexpr bool operator>(SeqNum o) const { return (*this - o) > 0; }
    constexpr bool operator>=(SeqNum o) const { return (*this - o) >= 0; }

    std::string to_string() const { return std::to_string(v_); }

  private:
    uint32_t v_ = 0;
};

constexpr SeqNum max(SeqNum a, SeqNum b) {
    return a < b ? b : a;
}
constexpr SeqNum min(SeqNum a, SeqNum b) {
    return a < b ? a : b;
}

}  // namespace wire
