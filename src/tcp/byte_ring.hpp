// A FIFO of bytes with a fixed capacity: TCP's send and receive buffers.
//
// Storage is taken at the first write and given back when the ring empties, so
// an idle connection holds no buffer memory (100,000 idle connections must fit).
// It starts small and doubles as the data needs, up to the capacity: a
// receiver whose program reads each segment as it comes holds a few KB, not
// its whole window, and taking that back and forth costs little (a large
// block would be fresh pages, faulted in, every time).
#pragma once

#include <cstddef>
#include <memory>

#include "base/bytes.hpp"

namespace tcp {

class ByteRing {
  public:
    static constexpr size_t default_first_storage = 4096;

    explicit ByteRing(size_t capacity, size_t first_storage = default_first_storage)
        : capacity_(capacity), first_storage_(first_storage) {}
    ~ByteRing();
    ByteRing(ByteRing&&) = default;
    ByteRing& operator=(ByteRing&&) = default;

    size_t size() const { return size_; }
    size_t capacity() const { return capacity_; }
    size_t free() const { return capacity_ - size_; }
    bool empty() const { return size_ == 0; }
    // Bytes of storage held now (0 when empty).
    size_t storage() const { return storage_; }

    // Appends as much of `data` as fits; returns how much.
    size_t push(base::ByteSpan data);
    // Copies out.size() bytes starting `offset` bytes from the front.
    // Precondition: offset + out.size() <= size().
    void copy_out(size_t offset, base::MutableByteSpan out) const;
    // The `len` bytes from `offset`, in place, if they lie in one piece (the
    // ring does not wrap inside them); empty otherwise, or if len is 0.
    // Valid until the ring changes.
    base::ByteSpan contiguous(size_t offset, size_t len) const;
    // Drops `n` bytes from the front. Precondition: n <= size().
    void pop(size_t n);
    // A new capacity, never below what the ring holds.
    void set_capacity(size_t capacity) { capacity_ = capacity > size_ ? capacity : size_; }

  private:
    // Makes room for `needed` bytes in all, the data first in the new block.
    void grow(size_t needed);

    std::unique_ptr<std::byte[]> data_;
    size_t capacity_;
    size_t first_storage_;
    size_t storage_ = 0;
    size_t head_ = 0;
    size_t size_ = 0;
};

}  // namespace tcp
