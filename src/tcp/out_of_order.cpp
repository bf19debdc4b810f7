#include "tcp/out_of_order.hpp"

#include <algorithm>

namespace tcp {

size_t OutOfOrder::add(uint64_t at, base::ByteSpan data) {
    uint64_t pos = at;
    const uint64_t end = at + data.size();
    size_t kept = 0;
    // Skip what an earlier piece already covers.
    if (auto it = pieces_.upper_bound(pos); it != pieces_.begin()) {
        const auto prev = std::prev(it);
        pos = std::max(pos, prev->first + prev->second.size());
    }
    while (pos < end) {
        const auto next = pieces_.lower_bound(pos);
        const uint64_t gap_end = next == pieces_.end() ? end : std::min(end, next->first);
        if (gap_end > pos) {
            const size_t room = max_bytes_ - bytes_;
            const size_t len = std::min<size_t>(gap_end - pos, room);
            if (len == 0) break;  // full: the rest is dropped
            const auto piece = data.subspan(pos - at, len);
            pieces_.emplace(pos, std::vector<std::byte>(piece.begin(), piece.end()));
            bytes_ += len;
            kept += len;
            last_arrival_ = pos;
        }
        if (next == pieces_.end() || next->first >= end) break;
        pos = next->first + next->second.size();
    }
    return kept;
}

size_t OutOfOrder::take(uint64_t next, const std::function<size_t(base::ByteSpan)>& sink) {
    size_t taken = 0;
    while (!pieces_.empty()) {
        auto it = pieces_.begin();
        const uint64_t start = it->first;
        const uint64_t stop = start + it->second.size();
        if (start > next) break;  // still a gap
        if (stop <= next) {       // all old news
            bytes_ -= it->second.size();
            pieces_.erase(it);
            continue;
        }
        const base::ByteSpan fresh = base::ByteSpan{it->second}.subspan(next - start);
        const size_t took = sink(fresh);
        taken += took;
        next += took;
        if (took < fresh.size()) {
            // Keep the rest, re-keyed at where the sink stopped.
            std::vector<std::byte> rest(fresh.begin() + static_cast<ptrdiff_t>(took), fresh.end());
            bytes_ -= it->second.size() - rest.size();
            pieces_.erase(it);
            pieces_.emplace(next, std::move(rest));
            break;
        }
        bytes_ -= it->second.size();
        pieces_.erase(it);
    }
    return taken;
}

std::vector<OutOfOrder::Block> OutOfOrder::blocks(size_t max) const {
    // Merge touching pieces into blocks.
    std::vector<Block> all;
    for (const auto& [start, data] : pieces_) {
        const uint64_t stop = start + data.size();
        if (!all.empty() && all.back().end == start) {
            all.back().end = stop;
        } else {
            all.push_back({start, stop});
        }
    }
    std::vector<Block> out;
    const auto recent = std::find_if(all.begin(), all.end(), [&](const Block& b) {
        return b.begin <= last_arrival_ && last_arrival_ < b.end;
    });
    if (recent != all.end()) out.push_back(*recent);
    for (auto it = all.begin(); it != all.end() && out.size() < max; ++it) {
        if (it != recent) out.push_back(*it);
    }
    if (out.size() > max) out.resize(max);
    return out;
}

void OutOfOrder::clear() {
    pieces_.clear();
    bytes_ = 0;
}

}  // namespace tcp
