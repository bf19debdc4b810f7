#include "base/buffer.hpp"

#include <cassert>
#include <new>
#include <utility>

namespace base {

using detail::BlockHeader;

void PacketBuffer::release() {
    if (block_) block_->pool->give_back(block_);
    block_ = nullptr;
    begin_ = end_ = 0;
    csum_start_ = no_checksum;
}

void PacketBuffer::regrow(size_t headroom, size_t tailroom) {
    assert(block_ != nullptr);
    BufferPool* pool = block_->pool;
    BlockHeader* fresh = pool->take_block(headroom + size() + tailroom);
    copy_bytes({fresh->bytes() + headroom, size()}, bytes());
    const size_t len = size();
    pool->give_back(block_);
    block_ = fresh;
    if (checksum_pending()) csum_start_ = static_cast<uint32_t>(csum_start_ - begin_ + headroom);
    begin_ = static_cast<uint32_t>(headroom);
    end_ = static_cast<uint32_t>(headroom + len);
}

void PacketBuffer::grow_headroom(size_t n) {
    regrow(n + block_->pool->config().default_headroom, tailroom());
}

void PacketBuffer::trim_front(size_t n) {
    assert(n <= size());
    begin_ += static_cast<uint32_t>(n);
}

void PacketBuffer::trim_back(size_t n) {
    assert(n <= size());
    end_ -= static_cast<uint32_t>(n);
}

void PacketBuffer::truncate(size_t n) {
    if (n < size()) end_ = begin_ + static_cast<uint32_t>(n);
}

PacketBuffer PacketBuffer::clone() const {
    assert(valid());
    PacketBuffer copy = block_->pool->acquire(headroom(), size());
    copy.append(bytes());
    copy.csum_start_ = csum_start_;  // same headroom: the same place in the block
    copy.csum_field_ = csum_field_;
    return copy;
}

void PacketBuffer::set_checksum_pending(size_t start, size_t field) {
    assert(start + field + 2 <= size());
    csum_start_ = static_cast<uint32_t>(begin_ + start);
    csum_field_ = static_cast<uint16_t>(field);
}

BufferPool::BufferPool(BufferPoolConfig config) : config_(config) {}

BufferPool::~BufferPool() {
    // Buffers hold a pointer back to their pool; one outliving it is a bug.
    assert(stats_.outstanding == 0 && "a PacketBuffer outlived its BufferPool");
    for (BlockHeader* b : free_)
        ::operator delete(b);
}

PacketBuffer BufferPool::acquire(size_t headroom, size_t min_tailroom) {
    return PacketBuffer{take_block(headroom + min_tailroom), headroom};
}

PacketBuffer BufferPool::copy_of(ByteSpan b) {
    PacketBuffer buf = acquire(config_.default_headroom, b.size());
    buf.append(b);
    return buf;
}

BlockHeader* BufferPool::take_block(size_t capacity) {
    ++stats_.outstanding;
    if (capacity <= config_.block_size && !free_.empty()) {
        BlockHeader* b = free_.back();
        free_.pop_back();
        stats_.cached = free_.size();
        ++stats_.reuses;
        return b;
    }
    const bool oversize = capacity > config_.block_size;
    const size_t size = oversize ? capacity : config_.block_size;
    void* raw = ::operator new(sizeof(BlockHeader) + size);
    ++stats_.heap_allocations;
    if (oversize) ++stats_.oversize_allocations;
    return new (raw) BlockHeader{this, size};
}

void BufferPool::give_back(BlockHeader* b) {
    assert(stats_.outstanding > 0);
    --stats_.outstanding;
    if (b->capacity == config_.block_size && free_.size() < config_.max_cached) {
        free_.push_back(b);
        stats_.cached = free_.size();
        return;
    }
    ::operator delete(b);
}

}  // namespace base
