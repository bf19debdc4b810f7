// The ARP cache (RFC 826, RFC 1122 §2.3.2): resolved entries with a lifetime,
// and incomplete entries holding the packets that wait for an answer.
//
// Requests for one address are rate-limited to one per `request_interval`; after
// `max_requests` unanswered requests the entry fails and its packets are handed
// back (the host answers them with ICMP host unreachable). Bounded everywhere: at
// most `max_entries` resolved entries (the one closest to expiry is evicted), at
// most `max_incomplete` addresses being resolved, at most `max_pending` packets
// waiting per address (further ones are dropped, as Linux's unres_qlen does).
//
// Keys are ordered maps, so every walk (and so every event) is in a fixed order.
// Lookups, one per packet sent, go through a small direct-mapped cache of
// recent answers that any change to the resolved entries empties.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/buffer.hpp"
#include "base/time.hpp"
#include "stack/events.hpp"
#include "wire/address.hpp"

namespace stack {

struct ArpConfig {
    base::Duration entry_lifetime = base::Duration::seconds(60);
    base::Duration request_interval = base::Duration::seconds(1);
    int max_requests = 3;
    size_t max_pending = 16;  // packets waiting per address
    size_t max_entries = 1024;
    size_t max_incomplete = 256;
};

class ArpCache {
  public:
    struct Key {
        InterfaceId interface;
        wire::Ipv4Address ip;
        auto operator<=>(const Key&) const = default;
    };

    // A packet waiting for its next hop's MAC: an IP packet without a link header.
    struct Waiting {
        base::PacketBuffer packet;
    };

    enum class Queued : uint8_t {
        send_request,  // queued; the caller should send a request now
        waiting,       // queued behind a request already sent
        queue_full,    // not queued: too many waiting (the caller drops it)
    };

    explicit ArpCache(ArpConfig config) : config_(config) {}

    // Inline for the answer a recent lookup gave (every frame sent asks).
    std::optional<wire::MacAddress> lookup(Key key, base::Time now) const {
        const Recent& slot = recent_[recent_slot(key)];
        if (slot.valid && slot.key == key)
            return slot.entry.expires <= now ? std::nullopt : std::optional(slot.entry.mac);
        return lookup_resolved(key, now);
    }

    // Records a mapping. Returns the packets that were waiting for it, in the
    // order they were queued. Only updates an existing entry unless `create`
    // (RFC 826: a host creates entries only when it was the request's target).
    std::vector<Waiting> learn(Key key, wire::MacAddress mac, base::Time now, bool create);

    // Takes `packet` unless the answer is queue_full, when it is left untouched.
    Queued enqueue(Key key, base::PacketBuffer& packet, base::Time now);

    // Retries and failures due by `now`. `send_request(key)` is called for each
    // request to send; `failed(key, packets)` for each entry given up on.
    void poll(base::Time now, const std::function<void(Key)>& send_request,
              const std::function<void(Key, std::vector<Waiting>)>& failed);

    base::Time next_deadline() const;

    size_t resolved_count() const { return resolved_.size(); }
    size_t incomplete_count() const { return incomplete_.size(); }
    void clear();

  private:
    struct Resolved {
        wire::MacAddress mac;
        base::Time expires;
    };
    struct Incomplete {
        std::vector<Waiting> waiting;
        int requests_sent = 0;
        base::Time next_request;
    };

    std::optional<wire::MacAddress> lookup_resolved(Key key, base::Time now) const;
    void evict_one();
    void forget_recent() { recent_.fill({}); }

    ArpConfig config_;
    std::map<Key, Resolved> resolved_;
    std::map<Key, Incomplete> incomplete_;
    struct Recent {
        Key key{};
        Resolved entry{};
        bool valid = false;
    };
    mutable std::array<Recent, 16> recent_{};
    // The top four bits of a multiplicative hash of the key: neighbours on
    // different interfaces with alike addresses do not share a slot.
    static size_t recent_slot(Key key) {
        return ((key.ip.to_u32() ^ (key.interface * 0x85ebca6bu)) * 0x9e3779b1u) >> 28;
    }
    static_assert(std::tuple_size_v<decltype(recent_)> == 16, "recent_slot takes 4 bits");
};

}  // namespace stack
