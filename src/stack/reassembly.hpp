// IPv4 reassembly (RFC 791 §3.2, RFC 815's hole idea kept simple).
//
// Fragments are grouped by (source, destination, protocol, identification). A
// datagram completes when its fragments cover [0, total length) with no gap; the
// result is the first fragment's header followed by the whole payload.
//
// Safety limits: a datagram times out `timeout` after its first fragment; at most
// `max_datagrams` are reassembled at once, each from at most `max_fragments`
// fragments, with at most `max_bytes` buffered across all of them; a datagram
// that would exceed 65,535 bytes is dropped. Overlaps: an exact duplicate of a
// fragment is ignored; any other overlap drops the whole datagram (as Linux does
// since the FragmentSmack fixes), so no overlap can change data already held.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/buffer.hpp"
#include "base/time.hpp"
#include "stack/events.hpp"
#include "wire/ipv4.hpp"

namespace stack {

struct ReassemblyConfig {
    base::Duration timeout = base::Duration::seconds(30);
    size_t max_datagrams = 64;
    size_t max_fragments = 64;
    size_t max_bytes = 256 * 1024;
};

class Reassembler {
  public:
    struct Outcome {
        enum class Kind : uint8_t { incomplete, complete, dropped } kind = Kind::incomplete;
        base::PacketBuffer datagram;                       // complete: header + whole payload
        size_t fragments = 0;                              // complete: how many fragments made it
        DropReason reason = DropReason::reassembly_limit;  // dropped: why
    };

    Reassembler(ReassemblyConfig config, base::BufferPool& pool) : config_(config), pool_(pool) {}

    // Adds one fragment (a parsed packet with MF set or a non-zero offset).
    Outcome add(const wire::Ipv4View& fragment, base::Time now);

    // Drops datagrams whose time is up. `expired(first_fragment, count)` is
    // called for each; `first_fragment` is the offset-0 fragment's bytes when it
    // arrived (RFC 792: only then may time exceeded be sent), else empty.
    void poll(base::Time now, const std::function<void(base::ByteSpan, size_t)>& expired);

    base::Time next_deadline() const;
    size_t datagrams_in_progress() const { return pending_.size(); }
    size_t bytes_buffered() const { return bytes_; }

  private:
    struct Key {
        uint32_t src;
        uint32_t dst;
        uint8_t protocol;
        uint16_t id;
        auto operator<=>(const Key&) const = default;
    };
    struct Piece {
        uint16_t offset;
        std::vector<std::byte> data;
    };
    struct Pending {
        base::Time deadline;
        std::vector<std::byte> first_header;    // header of the offset-0 fragment
        std::vector<std::byte> first_fragment;  // whole offset-0 fragment, for ICMP
        std::optional<uint32_t> total_len;      // payload length, once the last fragment came
        std::vector<Piece> pieces;              // sorted by offset, not overlapping
        size_t bytes = 0;
    };

    void drop(std::map<Key, Pending>::iterator it);

    ReassemblyConfig config_;
    base::BufferPool& pool_;
    std::map<Key, Pending> pending_;
    size_t bytes_ = 0;
};

}  // namespace stack
