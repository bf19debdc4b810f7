// The IPv6 neighbour cache (RFC 4861 §7.3): what ARP's cache is for IPv4,
// with reachability states. An entry is
//
//   incomplete  a solicitation went out (multicast); packets wait for the answer
//   reachable   confirmed recently (a solicited advertisement): used as is
//   stale       known but unconfirmed: used, and the first use starts `delay`
//   delay       used while stale: if nothing confirms it within
//               delay_first_probe, probing starts
//   probe       unicast solicitations every retrans_timer until one is answered
//
// and moves between them as RFC 4861's Appendix C table says (advertisements
// with their solicited and override flags, solicitations that carry a
// link-layer address, timeouts). "reachable" lapses into "stale" lazily: an
// entry past its reachable time is stale when next looked at, so only
// incomplete, delay and probe entries have timers.
//
// Bounded as the ARP cache is: at most `max_entries` entries (the least
// recently used stale one is evicted first, then any settled one), at most
// `max_incomplete` addresses being resolved, at most `max_pending` packets
// waiting per address. Keys are ordered: every walk, and so every event, is in
// a fixed order.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "base/buffer.hpp"
#include "base/time.hpp"
#include "stack/events.hpp"
#include "wire/address.hpp"

namespace stack {

// RFC 4861 §10's constants, as settings.
struct NeighborConfig {
    // How long a confirmation keeps an entry reachable. A host takes this from
    // its routers' advertisements and randomises it (§6.3.2); the host does
    // that, the cache uses what it is given.
    base::Duration reachable_time = base::Duration::seconds(30);
    base::Duration retrans_timer = base::Duration::seconds(1);  // between solicitations
    base::Duration delay_first_probe = base::Duration::seconds(5);
    int max_multicast_solicit = 3;
    int max_unicast_solicit = 3;
    size_t max_pending = 16;  // packets waiting per address
    size_t max_entries = 1024;
    size_t max_incomplete = 256;
};

enum class NeighborState : uint8_t { incomplete, reachable, stale, delay, probe };

std::string_view to_string(NeighborState s);

class NeighborCache {
  public:
    struct Key {
        InterfaceId interface;
        wire::Ipv6Address ip;
        auto operator<=>(const Key&) const = default;
    };

    // A packet waiting for its next hop's MAC: an IPv6 packet without a link header.
    struct Waiting {
        base::PacketBuffer packet;
    };

    enum class Queued : uint8_t {
        send_solicitation,  // queued in a new entry; the caller solicits now
        waiting,            // queued behind a solicitation already sent
        queue_full,         // not queued (too many waiting or being resolved): drop it
    };

    // A solicitation `poll` wants sent: multicast to the target's
    // solicited-node group while incomplete, unicast to `mac` when probing.
    struct Solicit {
        Key key;
        std::optional<wire::MacAddress> unicast_to;
    };

    explicit NeighborCache(NeighborConfig config) : config_(config) {}

    const NeighborConfig& config() const { return config_; }
    void set_reachable_time(base::Duration d) { config_.reachable_time = d; }
    void set_retrans_timer(base::Duration d) { config_.retrans_timer = d; }

    // The link-layer address to send a packet to `key` with, if known. A
    // stale entry is used and moves to delay (§7.3.3).
    std::optional<wire::MacAddress> resolve(Key key, base::Time now);
    // Queues a packet for an address `resolve` did not know. Takes `packet`
    // unless the answer is queue_full, when it is left untouched.
    Queued enqueue(Key key, base::PacketBuffer& packet, base::Time now);

    // A solicitation, router solicitation or redirect from `key` carrying its
    // link-layer address (§7.2.3, §6.2.6, §8.3): creates a stale entry, or
    // updates one whose address changed. Returns the packets that waited.
    std::vector<Waiting> learn_unsolicited(Key key, wire::MacAddress mac, base::Time now);
    // An advertisement for `key` (§7.2.5). Ignored when there is no entry.
    // `is_router` is its R flag. Returns the packets that waited.
    std::vector<Waiting> advertisement(Key key, std::optional<wire::MacAddress> mac, bool solicited,
                                       bool override_flag, bool is_router, base::Time now);
    // Forward progress seen by an upper layer (a TCP ACK for new data, §7.3.1).
    void confirm(Key key, base::Time now);

    // Timers due by `now`: solicitations to repeat (`solicit`), entries given
    // up on (`failed`, with the packets that waited: the host answers them
    // with ICMPv6 address unreachable).
    void poll(base::Time now, const std::function<void(const Solicit&)>& solicit,
              const std::function<void(Key, std::vector<Waiting>)>& failed);
    base::Time next_deadline() const;

    // The entry's state as of `now`, for observers and tests.
    std::optional<NeighborState> state(Key key, base::Time now) const;
    std::optional<wire::MacAddress> mac(Key key) const;
    bool is_router(Key key) const;
    size_t size() const { return entries_.size(); }
    void forget(Key key);
    void clear();

  private:
    struct Entry {
        NeighborState state = NeighborState::incomplete;
        wire::MacAddress mac;
        bool is_router = false;
        base::Time reachable_until;  // reachable: until then, stale after
        base::Time timer;            // incomplete, delay, probe: the next step
        int solicitations = 0;       // sent in this state (incomplete, probe)
        base::Time last_used;        // for eviction
        std::vector<Waiting> waiting;
    };

    // The state `e` is in at `now` (reachable lapses into stale by itself).
    static NeighborState current(const Entry& e, base::Time now) {
        return e.state == NeighborState::reachable && e.reachable_until <= now
                   ? NeighborState::stale
                   : e.state;
    }
    void set_state(Key key, Entry& e, NeighborState s, base::Time now);
    // Makes room for one more entry; false if none can be evicted.
    bool make_room(base::Time now);
    std::vector<Waiting> take_waiting(Entry& e);

    NeighborConfig config_;
    std::map<Key, Entry> entries_;
    std::set<Key> timed_;  // entries in incomplete, delay or probe
    size_t incomplete_ = 0;
};

}  // namespace stack
