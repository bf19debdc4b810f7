#include "stack/reassembly.hpp"

#include <algorithm>

namespace stack {
namespace {

// Bytes of the offending datagram kept for an ICMP error (RFC 1812 §4.3.2.3:
// as much as fits in 576 bytes with the new IP and ICMP headers).
constexpr size_t max_quoted = 576 - 20 - 8;
// For ICMPv6: as much as fits in 1280 bytes (RFC 4443 §2.4 (c)).
constexpr size_t max_quoted6 = wire::ipv6::min_mtu - wire::ipv6::header_len - 8;

using Kind = ReassemblyOutcome::Kind;

// What both families' reassemblers do with their maps of datagrams in
// progress (each entry with a deadline, its first fragment and its pieces).
template <class Map>
void forget(Map& pending, size_t& bytes, typename Map::iterator it) {
    bytes -= it->second.pieces.bytes();
    pending.erase(it);
}

template <class Map>
void expire(Map& pending, size_t& bytes, base::Time now,
            const std::function<void(base::ByteSpan, size_t)>& expired) {
    for (auto it = pending.begin(); it != pending.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        const std::vector<std::byte> first = std::move(it->second.first_fragment);
        const size_t count = it->second.pieces.count();
        auto next = std::next(it);
        forget(pending, bytes, it);
        it = next;
        expired(first, count);
    }
}

template <class Map>
base::Time earliest(const Map& pending) {
    base::Time t = base::Time::never();
    for (const auto& [key, p] : pending)
        t = std::min(t, p.deadline);
    return t;
}

}  // namespace

// ---- the pieces ---------------------------------------------------------------

FragmentPieces::Added FragmentPieces::add(uint32_t offset, base::ByteSpan data, bool last) {
    const uint32_t end = offset + static_cast<uint32_t>(data.size());
    const bool inconsistent_end =
        (last && total_ && *total_ != end) || (total_ && end > *total_) ||
        (last && !pieces_.empty() && pieces_.back().offset + pieces_.back().data.size() > end);
    if (inconsistent_end) return Added::overlap;

    // Find where the piece goes and check its neighbours for overlap.
    auto at = std::lower_bound(pieces_.begin(), pieces_.end(), offset,
                               [](const Piece& piece, uint32_t o) { return piece.offset < o; });
    auto overlaps = [&](const Piece& piece) {
        return piece.offset < end && offset < piece.offset + piece.data.size();
    };
    const bool hits_next = at != pieces_.end() && overlaps(*at);
    const bool hits_prev = at != pieces_.begin() && overlaps(*std::prev(at));
    if (hits_next || hits_prev) {
        const bool duplicate = hits_next && !hits_prev && at->offset == offset &&
                               base::equal_bytes(at->data, data) &&
                               (std::next(at) == pieces_.end() || !overlaps(*std::next(at)));
        return duplicate ? Added::duplicate : Added::overlap;
    }
    pieces_.insert(at, Piece{offset, std::vector<std::byte>(data.begin(), data.end())});
    bytes_ += data.size();
    if (last) total_ = end;
    return Added::stored;
}

bool FragmentPieces::complete() const {
    if (!total_) return false;
    uint32_t covered = 0;
    for (const Piece& piece : pieces_) {
        if (piece.offset != covered) return false;
        covered += static_cast<uint32_t>(piece.data.size());
    }
    return covered == *total_;
}

void FragmentPieces::append_to(base::PacketBuffer& out) const {
    for (const Piece& piece : pieces_)
        out.append(piece.data);
}

// ---- IPv4 ----------------------------------------------------------------------

Reassembler::Outcome Reassembler::add(const wire::Ipv4View& f, base::Time now) {
    const uint16_t offset = f.fragment_offset();
    const base::ByteSpan data = f.payload();
    const bool last = !f.more_fragments();
    // RFC 791: every fragment but the last carries a multiple of 8 bytes. An
    // empty fragment carries nothing and could be repeated without limit
    // (Linux discards them too).
    if (data.empty() || (!last && data.size() % 8 != 0) ||
        f.header_len() + offset + data.size() > wire::ipv4::max_packet_len) {
        return {.kind = Kind::dropped, .reason = DropReason::malformed};
    }

    const Key key{f.src().to_u32(), f.dst().to_u32(), static_cast<uint8_t>(f.protocol()),
                  f.identification()};
    auto it = pending_.find(key);
    if (it == pending_.end()) {
        if (pending_.size() >= config_.max_datagrams) {
            return {.kind = Kind::dropped, .reason = DropReason::reassembly_limit};
        }
        it = pending_.emplace(key, Pending{.deadline = now + config_.timeout}).first;
    }
    Pending& p = it->second;
    if (p.pieces.count() >= config_.max_fragments || bytes_ + data.size() > config_.max_bytes) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::reassembly_limit};
    }
    switch (p.pieces.add(offset, data, last)) {
        case FragmentPieces::Added::duplicate:
            return {.kind = Kind::incomplete};
        case FragmentPieces::Added::overlap:
            drop(it);
            return {.kind = Kind::dropped, .reason = DropReason::fragment_overlap};
        case FragmentPieces::Added::stored:
            break;
    }
    bytes_ += data.size();
    if (offset == 0) {
        p.first_header.assign(f.header().begin(), f.header().end());
        const base::ByteSpan whole = f.bytes();
        const size_t keep = std::min(whole.size(), f.header_len() + max_quoted);
        p.first_fragment.assign(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(keep));
    }

    if (p.first_header.empty() || !p.pieces.complete()) return {.kind = Kind::incomplete};
    const uint32_t covered = *p.pieces.total();
    // Each fragment fits alone, but the whole behind the first fragment's header
    // (which may be longer than the others') must fit too.
    if (p.first_header.size() + covered > wire::ipv4::max_packet_len) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::malformed};
    }

    // Complete: the first fragment's header, then every piece in order.
    const size_t header_len = p.first_header.size();
    base::PacketBuffer out = pool_.acquire(pool_.config().default_headroom, header_len + covered);
    auto header = out.append(header_len);
    base::copy_bytes(header, p.first_header);
    wire::ipv4::set_fragment_fields(header, static_cast<uint16_t>(header_len + covered), false, 0);
    p.pieces.append_to(out);
    Outcome done{.kind = Kind::complete, .datagram = std::move(out), .fragments = p.pieces.count()};
    drop(it);
    return done;
}

void Reassembler::poll(base::Time now, const std::function<void(base::ByteSpan, size_t)>& expired) {
    expire(pending_, bytes_, now, expired);
}

base::Time Reassembler::next_deadline() const {
    return earliest(pending_);
}

void Reassembler::drop(std::map<Key, Pending>::iterator it) {
    forget(pending_, bytes_, it);
}

// ---- IPv6 ----------------------------------------------------------------------

Ipv6Reassembler::Outcome Ipv6Reassembler::add(const wire::Ipv6View& packet,
                                              const wire::Ipv6Chain& chain, base::Time now) {
    const wire::Ipv6Fragment& frag = *chain.fragment;
    const base::ByteSpan bytes = packet.bytes();
    const size_t data_at = frag.header_at + wire::ipv6::fragment_header_len;
    const base::ByteSpan data = bytes.subspan(data_at);
    const bool last = !frag.more;
    // RFC 8200 §4.5: every fragment but the last a multiple of 8 bytes, none
    // reaching past 65,535 bytes of payload; empty ones carry nothing.
    const size_t unfragmentable = frag.header_at;
    if (data.empty() || (!last && data.size() % 8 != 0) ||
        unfragmentable - wire::ipv6::header_len + frag.offset + data.size() >
            wire::ipv6::max_payload_len) {
        return {.kind = Kind::dropped, .reason = DropReason::malformed};
    }
    const Key key{packet.src(), packet.dst(), frag.identification};
    auto it = pending_.find(key);
    if (it == pending_.end()) {
        if (pending_.size() >= config_.max_datagrams) {
            return {.kind = Kind::dropped, .reason = DropReason::reassembly_limit};
        }
        it = pending_.emplace(key, Pending{.deadline = now + config_.timeout}).first;
    }
    Pending& p = it->second;
    if (p.pieces.count() >= config_.max_fragments || bytes_ + data.size() > config_.max_bytes) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::reassembly_limit};
    }
    switch (p.pieces.add(frag.offset, data, last)) {
        case FragmentPieces::Added::duplicate:
            return {.kind = Kind::incomplete};
        case FragmentPieces::Added::overlap:  // RFC 5722: the whole datagram goes
            drop(it);
            return {.kind = Kind::dropped, .reason = DropReason::fragment_overlap};
        case FragmentPieces::Added::stored:
            break;
    }
    bytes_ += data.size();
    if (frag.offset == 0) {
        p.unfragmentable.assign(bytes.begin(),
                                bytes.begin() + static_cast<ptrdiff_t>(unfragmentable));
        p.next_header = base::load_u8(bytes, frag.header_at);
        const size_t keep = std::min(bytes.size(), wire::ipv6::header_len + max_quoted6);
        p.first_fragment.assign(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(keep));
    }
    if (p.unfragmentable.empty() || !p.pieces.complete()) return {.kind = Kind::incomplete};
    const uint32_t covered = *p.pieces.total();
    const size_t payload_len = p.unfragmentable.size() - wire::ipv6::header_len + covered;
    if (payload_len > wire::ipv6::max_payload_len) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::malformed};
    }

    // The unfragmentable part with the fragment header's next header in the
    // field that named the fragment header, then the pieces in order.
    base::PacketBuffer out =
        pool_.acquire(pool_.config().default_headroom, p.unfragmentable.size() + covered);
    auto head = out.append(p.unfragmentable.size());
    base::copy_bytes(head, p.unfragmentable);
    size_t named_at = wire::ipv6::field::next_header.begin;
    for (size_t at = wire::ipv6::header_len; at + 2 <= head.size();) {
        named_at = at;
        at += (size_t{base::load_u8(head, at + 1)} + 1) * 8;
    }
    base::store_u8(head, named_at, p.next_header);
    base::store_be16(head, wire::ipv6::field::payload_len, static_cast<uint16_t>(payload_len));
    p.pieces.append_to(out);
    Outcome done{.kind = Kind::complete, .datagram = std::move(out), .fragments = p.pieces.count()};
    drop(it);
    return done;
}

void Ipv6Reassembler::poll(base::Time now,
                           const std::function<void(base::ByteSpan, size_t)>& expired) {
    expire(pending_, bytes_, now, expired);
}

base::Time Ipv6Reassembler::next_deadline() const {
    return earliest(pending_);
}

void Ipv6Reassembler::drop(std::map<Key, Pending>::iterator it) {
    forget(pending_, bytes_, it);
}

}  // namespace stack
