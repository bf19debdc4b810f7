#include "tcp/byte_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace tcp {

size_t ByteRing::push(base::ByteSpan data) {
    const size_t n = std::min(data.size(), free());
    if (n == 0) return 0;
    if (!data_) data_ = std::make_unique_for_overwrite<std::byte[]>(capacity_);
    const size_t tail = (head_ + size_) % capacity_;
    const size_t first = std::min(n, capacity_ - tail);
    std::memcpy(data_.get() + tail, data.data(), first);
    std::memcpy(data_.get(), data.data() + first, n - first);
    size_ += n;
    return n;
}

void ByteRing::copy_out(size_t offset, base::MutableByteSpan out) const {
    assert(offset + out.size() <= size_);
    if (out.empty()) return;
    const size_t start = (head_ + offset) % capacity_;
    const size_t first = std::min(out.size(), capacity_ - start);
    std::memcpy(out.data(), data_.get() + start, first);
    std::memcpy(out.data() + first, data_.get(), out.size() - first);
}

void ByteRing::pop(size_t n) {
    assert(n <= size_);
    head_ = (head_ + n) % std::max<size_t>(capacity_, 1);
    size_ -= n;
    if (size_ == 0) {
        data_.reset();  // idle connections hold no buffer
        head_ = 0;
    }
}

}  // namespace tcp
