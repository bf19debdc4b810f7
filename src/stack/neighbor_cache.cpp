#include "stack/neighbor_cache.hpp"

#include <tuple>

namespace stack {

std::string_view to_string(NeighborState s) {
    switch (s) {
        case NeighborState::incomplete:
            return "incomplete";
        case NeighborState::reachable:
            return "reachable";
        case NeighborState::stale:
            return "stale";
        case NeighborState::delay:
            return "delay";
        case NeighborState::probe:
            return "probe";
    }
    return "unknown";
}

void NeighborCache::set_state(Key key, Entry& e, NeighborState s, base::Time now) {
    if (e.state == NeighborState::incomplete && s != NeighborState::incomplete) --incomplete_;
    if (s == NeighborState::incomplete && e.state != NeighborState::incomplete) ++incomplete_;
    e.state = s;
    e.solicitations = 0;
    switch (s) {
        case NeighborState::reachable:
            e.reachable_until = now + config_.reachable_time;
            timed_.erase(key);
            break;
        case NeighborState::stale:
            timed_.erase(key);
            break;
        case NeighborState::delay:
            e.timer = now + config_.delay_first_probe;
            timed_.insert(key);
            break;
        case NeighborState::incomplete:
        case NeighborState::probe:
            e.solicitations = 1;  // the caller sends the first one now
            e.timer = now + config_.retrans_timer;
            timed_.insert(key);
            break;
    }
}

std::vector<NeighborCache::Waiting> NeighborCache::take_waiting(Entry& e) {
    std::vector<Waiting> out = std::move(e.waiting);
    e.waiting.clear();
    return out;
}

bool NeighborCache::make_room(base::Time now) {
    if (entries_.size() < config_.max_entries) return true;
    // The least recently used stale entry, else the least recently used one
    // not being resolved; never one that packets wait on.
    auto rank = [now](const Entry& e) {
        return std::tuple{current(e, now) != NeighborState::stale, e.last_used};
    };
    auto victim = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second.state == NeighborState::incomplete) continue;
        if (victim == entries_.end() || rank(it->second) < rank(victim->second)) victim = it;
    }
    if (victim == entries_.end()) return false;
    timed_.erase(victim->first);
    entries_.erase(victim);
    return true;
}

std::optional<wire::MacAddress> NeighborCache::resolve(Key key, base::Time now) {
    const auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    Entry& e = it->second;
    const NeighborState s = current(e, now);
    if (s == NeighborState::incomplete) return std::nullopt;
    e.last_used = now;
    if (s == NeighborState::stale) set_state(key, e, NeighborState::delay, now);
    return e.mac;
}

NeighborCache::Queued NeighborCache::enqueue(Key key, base::PacketBuffer& packet, base::Time now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        if (incomplete_ >= config_.max_incomplete || !make_room(now)) return Queued::queue_full;
        Entry& e = entries_[key];
        e.state = NeighborState::stale;  // set_state counts the move into incomplete
        set_state(key, e, NeighborState::incomplete, now);
        e.last_used = now;
        e.waiting.push_back({std::move(packet)});
        return Queued::send_solicitation;
    }
    Entry& e = it->second;
    if (e.state != NeighborState::incomplete || e.waiting.size() >= config_.max_pending) {
        return Queued::queue_full;
    }
    e.waiting.push_back({std::move(packet)});
    return Queued::waiting;
}

std::vector<NeighborCache::Waiting> NeighborCache::learn_unsolicited(Key key, wire::MacAddress mac,
                                                                     base::Time now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        if (!make_room(now)) return {};
        Entry& e = entries_[key];
        e.state = NeighborState::stale;
        e.mac = mac;
        e.last_used = now;
        return {};
    }
    Entry& e = it->second;
    if (e.state == NeighborState::incomplete) {
        e.mac = mac;
        set_state(key, e, NeighborState::stale, now);
        return take_waiting(e);
    }
    if (e.mac != mac) {
        e.mac = mac;
        set_state(key, e, NeighborState::stale, now);
    }
    return {};
}

std::vector<NeighborCache::Waiting> NeighborCache::advertisement(
    Key key, std::optional<wire::MacAddress> mac, bool solicited, bool override_flag,
    bool is_router, base::Time now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return {};  // §7.2.5: no entry, no news
    Entry& e = it->second;
    if (e.state == NeighborState::incomplete) {
        if (!mac) return {};  // nothing to send the waiting packets to
        e.mac = *mac;
        e.is_router = is_router;
        set_state(key, e, solicited ? NeighborState::reachable : NeighborState::stale, now);
        return take_waiting(e);
    }
    const bool different = mac && *mac != e.mac;
    if (!override_flag && different) {
        // Someone else claims the address without overriding: trust the
        // entry less, change nothing else.
        if (current(e, now) == NeighborState::reachable) {
            set_state(key, e, NeighborState::stale, now);
        }
        return {};
    }
    if (different) e.mac = *mac;
    if (solicited) {
        set_state(key, e, NeighborState::reachable, now);
    } else if (different) {
        set_state(key, e, NeighborState::stale, now);
    }
    e.is_router = is_router;
    return {};
}

void NeighborCache::confirm(Key key, base::Time now) {
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.state == NeighborState::incomplete) return;
    set_state(key, it->second, NeighborState::reachable, now);
}

void NeighborCache::poll(base::Time now, const std::function<void(const Solicit&)>& solicit,
                         const std::function<void(Key, std::vector<Waiting>)>& failed) {
    // Decide first, act after: the callbacks send packets, which may look
    // entries up and add new ones.
    std::vector<Solicit> to_solicit;
    std::vector<std::pair<Key, std::vector<Waiting>>> to_fail;
    for (auto k = timed_.begin(); k != timed_.end();) {
        const Key key = *k++;
        Entry& e = entries_.at(key);
        if (e.timer > now) continue;
        switch (e.state) {
            case NeighborState::incomplete:
                if (e.solicitations >= config_.max_multicast_solicit) {
                    to_fail.emplace_back(key, take_waiting(e));
                    --incomplete_;
                    timed_.erase(key);
                    entries_.erase(key);
                } else {
                    ++e.solicitations;
                    e.timer = now + config_.retrans_timer;
                    to_solicit.push_back({key, std::nullopt});
                }
                break;
            case NeighborState::delay:
                set_state(key, e, NeighborState::probe, now);
                to_solicit.push_back({key, e.mac});
                break;
            case NeighborState::probe:
                if (e.solicitations >= config_.max_unicast_solicit) {
                    to_fail.emplace_back(key, std::vector<Waiting>{});
                    timed_.erase(key);
                    entries_.erase(key);
                } else {
                    ++e.solicitations;
                    e.timer = now + config_.retrans_timer;
                    to_solicit.push_back({key, e.mac});
                }
                break;
            case NeighborState::reachable:
            case NeighborState::stale:
                timed_.erase(key);  // not timed: only here by mistake
                break;
        }
    }
    for (const Solicit& s : to_solicit)
        solicit(s);
    for (auto& [key, packets] : to_fail)
        failed(key, std::move(packets));
}

base::Time NeighborCache::next_deadline() const {
    base::Time t = base::Time::never();
    for (const Key& k : timed_)
        t = std::min(t, entries_.at(k).timer);
    return t;
}

std::optional<NeighborState> NeighborCache::state(Key key, base::Time now) const {
    const auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    return current(it->second, now);
}

std::optional<wire::MacAddress> NeighborCache::mac(Key key) const {
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.state == NeighborState::incomplete) return std::nullopt;
    return it->second.mac;
}

bool NeighborCache::is_router(Key key) const {
    const auto it = entries_.find(key);
    return it != entries_.end() && it->second.is_router;
}

void NeighborCache::forget(Key key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    if (it->second.state == NeighborState::incomplete) --incomplete_;
    timed_.erase(key);
    entries_.erase(it);
}

void NeighborCache::clear() {
    entries_.clear();
    timed_.clear();
    incomplete_ = 0;
}

}  // namespace stack
