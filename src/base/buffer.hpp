// Packet buffers with headroom, and the pool they come from.
//
// A packet is built back to front, as the layers wrap it: the application's data
// is appended first, then TCP prepends its header into the headroom, then IP, then
// Ethernet — no layer copies what is already there. On receive, each layer trims
// its header off the front in the same way.
//
//      block:  [ headroom | data ........ | tailroom ]
//                         ^ begin         ^ end
//
// Blocks come from a `BufferPool` and go back to it when the `PacketBuffer`
// handle is destroyed, so a steady-state transfer allocates nothing per packet.
// Requests that do not fit a pool block (a reassembled 64 KiB datagram, or a
// prepend beyond the headroom) get a block of their own from the heap, which is
// freed rather than cached; `BufferPool::stats()` counts them.
//
// Contract: a pool is single-threaded and must outlive every buffer taken from it.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.hpp"

namespace base {

class BufferPool;

namespace detail {
struct BlockHeader {
    BufferPool* pool;
    size_t capacity;
    std::byte* bytes() { return reinterpret_cast<std::byte*>(this + 1); }
};
}  // namespace detail

class PacketBuffer {
  public:
    PacketBuffer() = default;
    PacketBuffer(const PacketBuffer&) = delete;
    PacketBuffer& operator=(const PacketBuffer&) = delete;
    // Inline: a packet is handed down the layers by value, so moves and the
    // destructions of moved-from buffers are many, and nearly free.
    PacketBuffer(PacketBuffer&& o) noexcept
        : block_(o.block_),
          begin_(o.begin_),
          end_(o.end_),
          csum_start_(o.csum_start_),
          csum_field_(o.csum_field_) {
        o.block_ = nullptr;
        o.begin_ = o.end_ = 0;
        o.csum_start_ = no_checksum;
    }
    PacketBuffer& operator=(PacketBuffer&& o) noexcept {
        if (this != &o) {
            if (block_) release();
            block_ = o.block_;
            begin_ = o.begin_;
            end_ = o.end_;
            csum_start_ = o.csum_start_;
            csum_field_ = o.csum_field_;
            o.block_ = nullptr;
            o.begin_ = o.end_ = 0;
            o.csum_start_ = no_checksum;
        }
        return *this;
    }
    ~PacketBuffer() {
        if (block_) release();
    }

    // False for a default-constructed or moved-from buffer.
    bool valid() const { return block_ != nullptr; }

    ByteSpan bytes() const { return {data_begin(), size()}; }
    MutableByteSpan bytes() { return {data_begin(), size()}; }
    size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    size_t headroom() const { return begin_; }
    size_t tailroom() const { return block_ ? block_->capacity - end_ : 0; }

    // Grows the data at the front by `n` bytes and returns them (uninitialised).
    // If the headroom is too small the data moves to a larger block. Inline:
    // every layer on the way out prepends its header.
    MutableByteSpan prepend(size_t n) {
        assert(valid());
        if (n > headroom()) grow_headroom(n);
        begin_ -= static_cast<uint32_t>(n);
        return {data_begin(), n};
    }
    // Grows the data at the back by `n` bytes and returns them (uninitialised).
    MutableByteSpan append(size_t n) {
        assert(valid());
        if (n > tailroom()) regrow(headroom(), n);
        std::byte* at = block_->bytes() + end_;
        end_ += static_cast<uint32_t>(n);
        return {at, n};
    }
    void append(ByteSpan b) { copy_bytes(append(b.size()), b); }
    // Drops `n` bytes from the front (a parsed header) or the back (padding).
    // Precondition: n <= size().
    void trim_front(size_t n);
    void trim_back(size_t n);
    // Keeps the first `n` bytes; no-op if n >= size().
    void truncate(size_t n);

    // A copy of the data in a fresh buffer from the same pool, same headroom
    // (a pending checksum stays pending in the copy).
    PacketBuffer clone() const;

    // Checksum offload, as a network card's (Linux's CHECKSUM_PARTIAL): the
    // transport checksum of the bytes from `start` (an offset into bytes())
    // to the end has not been computed; its field, `field` bytes after
    // `start`, holds only the pseudo-header's sum. Whoever needs the exact
    // bytes — a capture, a corrupting link, a real device — completes it
    // (wire::checksum::complete_pending); a receiver in the same process may
    // skip verifying bytes that never left it.
    void set_checksum_pending(size_t start, size_t field);
    bool checksum_pending() const { return csum_start_ != no_checksum; }
    // Where the covered bytes start, from the front of bytes(). Precondition:
    // checksum_pending() and no trim_front past that start.
    size_t checksum_start() const { return csum_start_ - begin_; }
    size_t checksum_field() const { return csum_field_; }
    void clear_checksum_pending() { csum_start_ = no_checksum; }

  private:
    friend class BufferPool;
    PacketBuffer(detail::BlockHeader* block, size_t headroom)
        : block_(block),
          begin_(static_cast<uint32_t>(headroom)),
          end_(static_cast<uint32_t>(headroom)) {}
    std::byte* data_begin() const { return block_ ? block_->bytes() + begin_ : nullptr; }
    void regrow(size_t headroom, size_t tailroom);
    void grow_headroom(size_t n);  // room for `n` more bytes in front, and the usual headroom
    void release();

    static constexpr uint32_t no_checksum = UINT32_MAX;

    // Offsets into the block. 32 bits keep a buffer, moved down the layers
    // by value, in 24 bytes; a block is never 4 GiB.
    detail::BlockHeader* block_ = nullptr;
    uint32_t begin_ = 0;
    uint32_t end_ = 0;
    uint32_t csum_start_ = no_checksum;  // in the block, or no_checksum
    uint16_t csum_field_ = 0;            // from csum_start_
};

struct BufferPoolConfig {
    // Bytes per pooled block: a 1500-byte frame plus headroom plus room to spare.
    size_t block_size = 2048;
    // Room reserved in front of new buffers: Ethernet (14) + IPv4 with options
    // (60) + TCP with options (60), rounded up.
    size_t default_headroom = 160;
    // Free blocks kept for reuse; beyond this, released blocks are freed. A
    // large internet keeps tens of thousands of frames in its queues at once,
    // and blocks freed and taken again cost more than the 64 MiB this holds at
    // most (the cache only grows as far as the traffic needed).
    size_t max_cached = 32768;
};

class BufferPool {
  public:
    struct Stats {
        uint64_t heap_allocations = 0;      // blocks obtained from the heap, ever
        uint64_t oversize_allocations = 0;  // of those, larger than block_size
        uint64_t reuses = 0;                // acquisitions served from the free list
        size_t outstanding = 0;             // buffers alive right now
        size_t cached = 0;                  // free blocks held
    };

    explicit BufferPool(BufferPoolConfig config = {});
    BufferPool(const BufferPool&) = delete;
    BufferPool& operator=(const BufferPool&) = delete;
    ~BufferPool();

    // An empty buffer with the default headroom.
    PacketBuffer acquire() { return acquire(config_.default_headroom, 0); }
    // An empty buffer with `headroom` bytes in front and at least `min_tailroom`
    // bytes behind.
    PacketBuffer acquire(size_t headroom, size_t min_tailroom);
    // A buffer holding a copy of `bytes`, with the default headroom.
    PacketBuffer copy_of(ByteSpan bytes);

    const BufferPoolConfig& config() const { return config_; }
    Stats stats() const { return stats_; }

  private:
    friend class PacketBuffer;
    detail::BlockHeader* take_block(size_t capacity);
    void give_back(detail::BlockHeader* block);

    BufferPoolConfig config_;
    std::vector<detail::BlockHeader*> free_;
    Stats stats_;
};

}  // namespace base
