#include "stack/arp_cache.hpp"

#include <algorithm>

namespace stack {

std::optional<wire::MacAddress> ArpCache::lookup_resolved(Key key, base::Time now) const {
    const auto it = resolved_.find(key);
    if (it == resolved_.end()) return std::nullopt;
    Recent& slot = recent_[recent_slot(key)];
    slot = {key, it->second, true};
    if (slot.entry.expires <= now) return std::nullopt;
    return slot.entry.mac;
}

std::vector<ArpCache::Waiting> ArpCache::learn(Key key, wire::MacAddress mac, base::Time now,
                                               bool create) {
    auto pending = incomplete_.find(key);
    const bool known = resolved_.contains(key) || pending != incomplete_.end();
    if (!known && !create) return {};
    if (!resolved_.contains(key) && resolved_.size() >= config_.max_entries) evict_one();
    resolved_[key] = Resolved{mac, now + config_.entry_lifetime};
    forget_recent();
    if (pending == incomplete_.end()) return {};
    std::vector<Waiting> out = std::move(pending->second.waiting);
    incomplete_.erase(pending);
    return out;
}

ArpCache::Queued ArpCache::enqueue(Key key, base::PacketBuffer& packet, base::Time now) {
    auto it = incomplete_.find(key);
    if (it == incomplete_.end()) {
        if (incomplete_.size() >= config_.max_incomplete) return Queued::queue_full;
        Incomplete entry;
        entry.requests_sent = 1;
        entry.next_request = now + config_.request_interval;
        entry.waiting.push_back({std::move(packet)});
        incomplete_.emplace(key, std::move(entry));
        return Queued::send_request;
    }
    if (it->second.waiting.size() >= config_.max_pending) return Queued::queue_full;
    it->second.waiting.push_back({std::move(packet)});
    return Queued::waiting;
}

void ArpCache::poll(base::Time now, const std::function<void(Key)>& send_request,
                    const std::function<void(Key, std::vector<Waiting>)>& failed) {
    for (auto it = incomplete_.begin(); it != incomplete_.end();) {
        Incomplete& e = it->second;
        if (e.next_request > now) {
            ++it;
            continue;
        }
        if (e.requests_sent >= config_.max_requests) {
            const Key key = it->first;
            std::vector<Waiting> packets = std::move(e.waiting);
            it = incomplete_.erase(it);
            failed(key, std::move(packets));
            continue;
        }
        ++e.requests_sent;
        e.next_request = now + config_.request_interval;
        send_request(it->first);
        ++it;
    }
}

base::Time ArpCache::next_deadline() const {
    base::Time t = base::Time::never();
    for (const auto& [key, e] : incomplete_)
        t = std::min(t, e.next_request);
    return t;
}

void ArpCache::clear() {
    resolved_.clear();
    forget_recent();
    incomplete_.clear();
}

void ArpCache::evict_one() {
    auto victim = std::min_element(
        resolved_.begin(), resolved_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    if (victim != resolved_.end()) resolved_.erase(victim);
    forget_recent();
}

}  // namespace stack
