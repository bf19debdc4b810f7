// Reassembly of IPv4 (RFC 791 §3.2, RFC 815's hole idea kept simple) and IPv6
// (RFC 8200 §4.5) datagrams.
//
// IPv4 fragments are grouped by (source, destination, protocol,
// identification), IPv6 ones by (source, destination, identification). A
// datagram completes when its fragments cover [0, total length) with no gap;
// the result is the first fragment's header (IPv6: its unfragmentable part,
// the fragment header removed) followed by the whole payload.
//
// Safety limits: a datagram times out `timeout` after its first fragment; at most
// `max_datagrams` are reassembled at once, each from at most `max_fragments`
// fragments, with at most `max_bytes` buffered across all of them; a datagram
// that would exceed 65,535 bytes is dropped. Overlaps: an exact duplicate of a
// fragment is ignored; any other overlap drops the whole datagram (as Linux does
// since the FragmentSmack fixes, and as RFC 5722 requires of IPv6), so no
// overlap can change data already held.
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
#include "wire/ipv6.hpp"

namespace stack {

struct ReassemblyConfig {
    base::Duration timeout = base::Duration::seconds(30);
    size_t max_datagrams = 64;
    size_t max_fragments = 64;
    size_t max_bytes = 256 * 1024;
};

struct ReassemblyOutcome {
    enum class Kind : uint8_t { incomplete, complete, dropped } kind = Kind::incomplete;
    base::PacketBuffer datagram;                       // complete: header + whole payload
    size_t fragments = 0;                              // complete: how many fragments made it
    DropReason reason = DropReason::reassembly_limit;  // dropped: why
};

// The pieces of one datagram's payload, in order, none overlapping: the part
// both families share.
class FragmentPieces {
  public:
    enum class Added : uint8_t { stored, duplicate, overlap };
    // A piece at `offset`; `last` for the one without "more fragments". An
    // end that disagrees with the last piece's counts as an overlap.
    Added add(uint32_t offset, base::ByteSpan data, bool last);
    // Every byte from 0 to the last piece's end is there.
    bool complete() const;
    std::optional<uint32_t> total() const { return total_; }
    size_t count() const { return pieces_.size(); }
    size_t bytes() const { return bytes_; }
    void append_to(base::PacketBuffer& out) const;

  private:
    struct Piece {
        uint32_t offset;
        std::vector<std::byte> data;
    };
    std::vector<Piece> pieces_;  // sorted by offset, not overlapping
    std::optional<uint32_t> total_;
    size_t bytes_ = 0;
};

class Reassembler {
  public:
    using Outcome = ReassemblyOutcome;

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
    struct Pending {
        base::Time deadline;
        std::vector<std::byte> first_header;    // header of the offset-0 fragment
        std::vector<std::byte> first_fragment;  // whole offset-0 fragment, for ICMP
        FragmentPieces pieces;
    };

    void drop(std::map<Key, Pending>::iterator it);

    ReassemblyConfig config_;
    base::BufferPool& pool_;
    std::map<Key, Pending> pending_;
    size_t bytes_ = 0;
};

// IPv6 reassembly, with the IPv4 limits (RFC 8200 §4.5, RFC 5722, RFC 7112).
class Ipv6Reassembler {
  public:
    using Outcome = ReassemblyOutcome;

    Ipv6Reassembler(ReassemblyConfig config, base::BufferPool& pool)
        : config_(config), pool_(pool) {}

    // Adds one fragment: `chain.fragment` is set. A fragment that is also the
    // whole datagram (offset 0, no more: an "atomic" one, RFC 6946) is not
    // the reassembler's business; the host takes it as it is.
    Outcome add(const wire::Ipv6View& packet, const wire::Ipv6Chain& chain, base::Time now);
    // As Reassembler::poll; `first_fragment` is the offset-0 fragment, if it came.
    void poll(base::Time now, const std::function<void(base::ByteSpan, size_t)>& expired);
    base::Time next_deadline() const;
    size_t datagrams_in_progress() const { return pending_.size(); }

  private:
    struct Key {
        wire::Ipv6Address src;
        wire::Ipv6Address dst;
        uint32_t id;
        auto operator<=>(const Key&) const = default;
    };
    struct Pending {
        base::Time deadline;
        std::vector<std::byte> unfragmentable;  // of the offset-0 fragment
        uint8_t next_header = 0;                // the first fragment's fragment header says
        std::vector<std::byte> first_fragment;  // for the time exceeded error
        FragmentPieces pieces;
    };
    void drop(std::map<Key, Pending>::iterator it);

    ReassemblyConfig config_;
    base::BufferPool& pool_;
    std::map<Key, Pending> pending_;
    size_t bytes_ = 0;
};

}  // namespace stack
