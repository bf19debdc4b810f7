#include "tcp/byte_ring.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <vector>

#include "base/sanitizers.hpp"

namespace tcp {
namespace {

// A receiver whose program reads each segment as it comes empties its ring
// at every segment, and the ring gives its storage back (idle connections
// hold none). Blocks of the first size wait here for the next ring instead
// of going through malloc each time: no allocation per segment once a run
// is going. Bounded, per thread (simulators on other threads never share
// it), and off under AddressSanitizer so a use after the end still shows.
constexpr size_t blocks_kept = 256;

struct BlockCache {
    std::vector<std::unique_ptr<std::byte[]>> free;
};
thread_local BlockCache first_blocks;

std::unique_ptr<std::byte[]> take_block(size_t size) {
    if (!base::address_sanitizer && size == ByteRing::default_first_storage &&
        !first_blocks.free.empty()) {
        auto block = std::move(first_blocks.free.back());
        first_blocks.free.pop_back();
        return block;
    }
    return std::make_unique_for_overwrite<std::byte[]>(size);
}

void give_back(std::unique_ptr<std::byte[]> block, size_t size) {
    if (base::address_sanitizer || size != ByteRing::default_first_storage ||
        first_blocks.free.size() >= blocks_kept)
        return;  // `block` goes to the heap
    first_blocks.free.push_back(std::move(block));
}

// `at` wrapped into a ring of `storage` bytes. Every offset here is less than
// twice the storage (a position plus at most the ring's length), so one
// subtraction does what `%` would, without a division per segment.
size_t wrap(size_t at, size_t storage) {
    assert(at < 2 * storage);
    return at >= storage ? at - storage : at;
}

}  // namespace

ByteRing::~ByteRing() {
    if (data_) give_back(std::move(data_), storage_);
}

void ByteRing::grow(size_t needed) {
    const size_t storage = std::min(capacity_, std::max({first_storage_, storage_ * 2, needed}));
    auto fresh = take_block(storage);
    if (data_) {
        copy_out(0, {fresh.get(), size_});
        give_back(std::move(data_), storage_);
    }
    data_ = std::move(fresh);
    storage_ = storage;
    head_ = 0;
}

size_t ByteRing::push(base::ByteSpan data) {
    const size_t n = std::min(data.size(), free());
    if (n == 0) return 0;
    if (size_ + n > storage_) grow(size_ + n);
    const size_t tail = wrap(head_ + size_, storage_);
    const size_t first = std::min(n, storage_ - tail);
    std::memcpy(data_.get() + tail, data.data(), first);
    std::memcpy(data_.get(), data.data() + first, n - first);
    size_ += n;
    return n;
}

void ByteRing::copy_out(size_t offset, base::MutableByteSpan out) const {
    assert(offset + out.size() <= size_);
    if (out.empty()) return;
    const size_t start = wrap(head_ + offset, storage_);
    const size_t first = std::min(out.size(), storage_ - start);
    std::memcpy(out.data(), data_.get() + start, first);
    std::memcpy(out.data() + first, data_.get(), out.size() - first);
}

base::ByteSpan ByteRing::contiguous(size_t offset, size_t len) const {
    assert(offset + len <= size_);
    if (len == 0) return {};
    const size_t start = wrap(head_ + offset, storage_);
    if (start + len > storage_) return {};
    return {data_.get() + start, len};
}

void ByteRing::pop(size_t n) {
    assert(n <= size_);
    if (n == 0) return;
    head_ = wrap(head_ + n, storage_);
    size_ -= n;
    if (size_ == 0) {
        give_back(std::move(data_), storage_);  // idle connections hold no buffer
        storage_ = 0;
        head_ = 0;
    }
}

}  // namespace tcp
