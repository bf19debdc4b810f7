#include "stack/reassembly.hpp"

#include <algorithm>

namespace stack {
namespace {

// Bytes of the offending datagram kept for an ICMP error (RFC 1812 §4.3.2.3:
// as much as fits in 576 bytes with the new IP and ICMP headers).
constexpr size_t max_quoted = 576 - 20 - 8;

}  // namespace

Reassembler::Outcome Reassembler::add(const wire::Ipv4View& f, base::Time now) {
    using Kind = Outcome::Kind;
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
    if (p.pieces.size() >= config_.max_fragments || bytes_ + data.size() > config_.max_bytes) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::reassembly_limit};
    }

    const uint32_t end = offset + static_cast<uint32_t>(data.size());
    const bool inconsistent_end =
        (last && p.total_len && *p.total_len != end) || (p.total_len && end > *p.total_len) ||
        (last && !p.pieces.empty() && p.pieces.back().offset + p.pieces.back().data.size() > end);
    if (inconsistent_end) {
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::fragment_overlap};
    }

    // Find where the piece goes and check its neighbours for overlap.
    auto at = std::lower_bound(p.pieces.begin(), p.pieces.end(), offset,
                               [](const Piece& piece, uint16_t o) { return piece.offset < o; });
    auto overlaps = [&](const Piece& piece) {
        return piece.offset < end && offset < piece.offset + piece.data.size();
    };
    const bool hits_next = at != p.pieces.end() && overlaps(*at);
    const bool hits_prev = at != p.pieces.begin() && overlaps(*std::prev(at));
    if (hits_next || hits_prev) {
        const bool duplicate = hits_next && !hits_prev && at->offset == offset &&
                               base::equal_bytes(at->data, data) &&
                               (std::next(at) == p.pieces.end() || !overlaps(*std::next(at)));
        if (duplicate) return {.kind = Kind::incomplete};
        drop(it);
        return {.kind = Kind::dropped, .reason = DropReason::fragment_overlap};
    }

    p.pieces.insert(at, Piece{offset, std::vector<std::byte>(data.begin(), data.end())});
    p.bytes += data.size();
    bytes_ += data.size();
    if (last) p.total_len = end;
    if (offset == 0) {
        p.first_header.assign(f.header().begin(), f.header().end());
        const base::ByteSpan whole = f.bytes();
        const size_t keep = std::min(whole.size(), f.header_len() + max_quoted);
        p.first_fragment.assign(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(keep));
    }

    if (!p.total_len || p.first_header.empty()) return {.kind = Kind::incomplete};
    uint32_t covered = 0;
    for (const Piece& piece : p.pieces) {
        if (piece.offset != covered) return {.kind = Kind::incomplete};
        covered += static_cast<uint32_t>(piece.data.size());
    }
    if (covered != *p.total_len) return {.kind = Kind::incomplete};
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
    for (const Piece& piece : p.pieces)
        out.append(piece.data);
    Outcome done{.kind = Kind::complete, .datagram = std::move(out), .fragments = p.pieces.size()};
    bytes_ -= p.bytes;
    pending_.erase(it);
    return done;
}

void Reassembler::poll(base::Time now, const std::function<void(base::ByteSpan, size_t)>& expired) {
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        const std::vector<std::byte> first = std::move(it->second.first_fragment);
        const size_t count = it->second.pieces.size();
        auto next = std::next(it);
        drop(it);
        it = next;
        expired(first, count);
    }
}

base::Time Reassembler::next_deadline() const {
    base::Time t = base::Time::never();
    for (const auto& [key, p] : pending_)
        t = std::min(t, p.deadline);
    return t;
}

void Reassembler::drop(std::map<Key, Pending>::iterator it) {
    bytes_ -= it->second.bytes;
    pending_.erase(it);
}

}  // namespace stack
