// Data that arrived ahead of a gap, waiting for the gap to fill (RFC 9293
// §3.10.7.4: segments out of order are kept, not dropped). Positions are 64-bit
// stream offsets (bytes since the connection's first data byte), which unlike
// sequence numbers never wrap.
//
// Overlaps are trimmed on the way in: bytes already held are not stored twice,
// so duplicated or overlapping segments cost nothing. The store is bounded in
// bytes; what does not fit is dropped (the sender will send it again).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "base/bytes.hpp"

namespace tcp {

class OutOfOrder {
  public:
    struct Block {
        uint64_t begin;
        uint64_t end;
    };

    explicit OutOfOrder(size_t max_bytes) : max_bytes_(max_bytes) {}

    // Keeps the parts of [at, at + data.size()) not already held; returns how
    // many new bytes were kept.
    size_t add(uint64_t at, base::ByteSpan data);
    // Hands the held data that continues at `next` to `sink` in order, piece by
    // piece, while `sink` takes it (it returns how much it took); returns the
    // total taken. Data entirely before `next` is discarded.
    size_t take(uint64_t next, const std::function<size_t(base::ByteSpan)>& sink);
    // Up to `max` blocks of held data, the one holding the most recent arrival
    // first (RFC 2018 §4), then the others in order.
    std::vector<Block> blocks(size_t max) const;

    size_t bytes() const { return bytes_; }
    bool empty() const { return pieces_.empty(); }
    void clear();

  private:
    std::map<uint64_t, std::vector<std::byte>> pieces_;  // by start offset, not overlapping
    size_t bytes_ = 0;
    size_t max_bytes_;
    uint64_t last_arrival_ = 0;
};

}  // namespace tcp
