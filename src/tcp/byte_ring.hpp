// A FIFO of bytes with a fixed capacity: TCP's send and receive buffers.
//
// Storage is taken at the first write and given back when the ring empties, so
// an idle connection holds no buffer memory (100,000 idle connections must fit).
#pragma once

#include <cstddef>
#include <memory>

#include "base/bytes.hpp"

namespace tcp {

class ByteRing {
  public:
    explicit ByteRing(size_t capacity) : capacity_(capacity) {}

    size_t size() const { return size_; }
    size_t capacity() const { return capacity_; }
    size_t free() const { return capacity_ - size_; }
    bool empty() const { return size_ == 0; }

    // Appends as much of `data` as fits; returns how much.
    size_t push(base::ByteSpan data);
    // Copies out.size() bytes starting `offset` bytes from the front.
    // Precondition: offset + out.size() <= size().
    void copy_out(size_t offset, base::MutableByteSpan out) const;
    // Drops `n` bytes from the front. Precondition: n <= size().
    void pop(size_t n);

  private:
    std::unique_ptr<std::byte[]> data_;
    size_t capacity_;
    size_t head_ = 0;
    size_t size_ = 0;
};

}  // namespace tcp
