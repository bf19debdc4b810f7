#include "tcp/byte_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace tcp {

void ByteRing::grow(size_t needed) {
    const size_t storage = std::min(capacity_, std::max({first_storage_, storage_ * 2, needed}));
    auto fresh = std::make_unique_for_overwrite<std::byte[]>(storage);
    copy_out(0, {fresh.get(), size_});
    data_ = std::move(fresh);
    storage_ = storage;
    head_ = 0;
}

size_t ByteRing::push(base::ByteSpan data) {
    const size_t n = std::min(data.size(), free());
    if (n == 0) return 0;
    if (size_ + n > storage_) grow(size_ + n);
    const size_t tail = (head_ + size_) % storage_;
    const size_t first = std::min(n, storage_ - tail);
    std::memcpy(data_.get() + tail, data.data(), first);
    std::memcpy(data_.get(), data.data() + first, n - first);
    size_ += n;
    return n;
}

void ByteRing::copy_out(size_t offset, base::MutableByteSpan out) const {
    assert(offset + out.size() <= size_);
    if (out.empty()) return;
    const size_t start = (head_ + offset) % storage_;
    const size_t first = std::min(out.size(), storage_ - start);
    std::memcpy(out.data(), data_.get() + start, first);
    std::memcpy(out.data() + first, data_.get(), out.size() - first);
}

void ByteRing::pop(size_t n) {
    assert(n <= size_);
    if (n == 0) return;
    head_ = (head_ + n) % storage_;
    size_ -= n;
    if (size_ == 0) {
        data_.reset();  // idle connections hold no buffer
        storage_ = 0;
        head_ = 0;
    }
}

}  // namespace tcp
