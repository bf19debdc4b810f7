#include "stack/port_table.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

#include <fmt/format.h>

namespace stack {
namespace {

// Appends an address to a hash input: 4 bytes for IPv4, 16 for IPv6.
size_t put_address(std::span<std::byte> out, size_t at, const wire::IpAddress& a) {
    if (a.is_v4()) {
        base::store_be32(out, at, a.v4().to_u32());
        return at + 4;
    }
    std::memcpy(out.data() + at, a.v6().bytes().data(), 16);
    return at + 16;
}

// The hash input of Algorithm 4: local address, remote address, remote port.
uint64_t hash_tuple(const base::SipKey& key, const wire::IpAddress& local, const Endpoint& remote) {
    std::array<std::byte, 34> in{};
    size_t at = put_address(in, 0, local);
    at = put_address(in, at, remote.address);
    base::store_be16(in, at, remote.port);
    return base::siphash24(key, base::ByteSpan{in}.first(at + 2));
}

// Whether a binding to `bound` (dual-stack or not) takes in packets to `to`.
bool covers(const wire::IpAddress& bound, bool dual_stack, const wire::IpAddress& to) {
    if (bound.is_v4() == to.is_v4()) return bound.is_unspecified() || bound == to;
    return dual_stack && to.is_v4();
}

bool is_any_v6(const wire::IpAddress& a) {
    return a.is_v6() && a.is_unspecified();
}

}  // namespace

bool addresses_overlap(const wire::IpAddress& a, bool a_dual, const wire::IpAddress& b,
                       bool b_dual) {
    return covers(a, a_dual && is_any_v6(a), b) || covers(b, b_dual && is_any_v6(b), a);
}

std::string Endpoint::to_string() const {
    if (address.is_v6()) return fmt::format("[{}]:{}", address, port);
    return fmt::format("{}:{}", address, port);
}

std::string_view to_string(PortError e) {
    switch (e) {
        case PortError::in_use:
            return "address already in use";
        case PortError::exhausted:
            return "no ephemeral port available";
        case PortError::not_bound:
            return "not bound";
    }
    return "unknown";
}

PortTable::PortTable(base::SipKey secret, base::RandomStream& random, PortRange ephemeral)
    : offset_key_(secret),
      index_key_{secret[0] ^ 0x5bd1e9955bd1e995ULL, secret[1] ^ 0x9e3779b97f4a7c15ULL},
      random_(random),
      range_(ephemeral) {
    for (uint32_t& v : perturbation_)
        v = random_.next_u32();
}

bool PortTable::conflicts(const Binding& c) const {
    const auto it = by_port_.find(c.local.port);
    if (it == by_port_.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(), [&](const Binding& b) {
        if (b.owner == c.owner) return false;
        if (!addresses_overlap(b.local.address, b.dual_stack, c.local.address, c.dual_stack))
            return false;
        if (b.reuse && c.reuse) return false;
        if (b.remote && c.remote && *b.remote != *c.remote) return false;
        return true;
    });
}

bool PortTable::suitable(const Binding& c) const {
    if (conflicts(c)) return false;
    return !(c.remote && tuple_in_use_ && tuple_in_use_(c.local, *c.remote));
}

void PortTable::insert(Binding b) {
    b.sequence = sequence_++;
    owners_[b.owner] = b.local.port;
    by_port_[b.local.port].push_back(b);
}

base::Expected<void, PortError> PortTable::bind(Owner owner, Endpoint local, bool reuse,
                                                bool dual_stack) {
    const Binding b{owner, local, std::nullopt, reuse, dual_stack && is_any_v6(local.address), 0};
    if (owners_.contains(owner) || local.port == 0 || conflicts(b))
        return base::fail(PortError::in_use);
    insert(b);
    return {};
}

base::Expected<uint16_t, PortError> PortTable::bind_ephemeral(Owner owner,
                                                              wire::IpAddress local_address,
                                                              std::optional<Endpoint> remote,
                                                              bool reuse, bool dual_stack) {
    if (owners_.contains(owner)) return base::fail(PortError::in_use);
    const uint32_t count = uint32_t{range_.last} - range_.first + 1;
    Binding b{owner, {local_address, 0}, remote, reuse, dual_stack && is_any_v6(local_address), 0};
    if (!remote) {
        // RFC 6056 §3.3.1, Algorithm 1: a random start, then the next free port.
        uint32_t next = static_cast<uint32_t>(random_.uniform(count));
        for (uint32_t tried = 0; tried < count; ++tried, next = (next + 1) % count) {
            b.local.port = static_cast<uint16_t>(range_.first + next);
            if (suitable(b)) {
                insert(b);
                return b.local.port;
            }
        }
        return base::fail(PortError::exhausted);
    }
    // RFC 6056 §3.3.4, Algorithm 4: a per-destination offset from one keyed hash,
    // plus a counter picked by another, bumped at every try. As Linux does, the
    // bump is random (1 to 16) rather than 1, so one destination's ports spread
    // over the range instead of forming one run that an observer could follow.
    const uint64_t offset = hash_tuple(offset_key_, local_address, *remote);
    uint32_t& counter =
        perturbation_[hash_tuple(index_key_, local_address, *remote) % perturbation_.size()];
    for (uint32_t tried = 0; tried < count; ++tried) {
        b.local.port = static_cast<uint16_t>(range_.first + (offset + counter) % count);
        counter += 1 + static_cast<uint32_t>(random_.uniform(16));
        if (suitable(b)) {
            insert(b);
            return b.local.port;
        }
    }
    return base::fail(PortError::exhausted);
}

base::Expected<void, PortError> PortTable::connect(Owner owner, Endpoint remote) {
    const auto it = owners_.find(owner);
    if (it == owners_.end()) return base::fail(PortError::not_bound);
    auto& list = by_port_.at(it->second);
    const auto self =
        std::find_if(list.begin(), list.end(), [&](const Binding& b) { return b.owner == owner; });
    Binding candidate = *self;
    candidate.remote = remote;
    if (!suitable(candidate)) return base::fail(PortError::in_use);
    self->remote = remote;
    return {};
}

void PortTable::release(Owner owner) {
    const auto it = owners_.find(owner);
    if (it == owners_.end()) return;
    auto& list = by_port_.at(it->second);
    std::erase_if(list, [&](const Binding& b) { return b.owner == owner; });
    if (list.empty()) by_port_.erase(it->second);
    owners_.erase(it);
}

std::optional<PortTable::Owner> PortTable::lookup(Endpoint local, Endpoint remote) const {
    const auto it = by_port_.find(local.port);
    if (it == by_port_.end()) return std::nullopt;
    const Binding* best = nullptr;
    int best_score = -1;
    for (const Binding& b : it->second) {
        if (!covers(b.local.address, b.dual_stack, local.address)) continue;
        if (b.remote && *b.remote != remote) continue;
        const int score = (b.remote ? 4 : 0) + (b.local.address.is_unspecified() ? 0 : 2) +
                          (b.local.address.is_v4() == local.address.is_v4() ? 1 : 0);
        if (score > best_score || (score == best_score && b.sequence > best->sequence)) {
            best = &b;
            best_score = score;
        }
    }
    return best ? std::optional(best->owner) : std::nullopt;
}

std::optional<Endpoint> PortTable::local_of(Owner owner) const {
    const auto it = owners_.find(owner);
    if (it == owners_.end()) return std::nullopt;
    for (const Binding& b : by_port_.at(it->second)) {
        if (b.owner == owner) return b.local;
    }
    return std::nullopt;
}

std::optional<Endpoint> PortTable::remote_of(Owner owner) const {
    const auto it = owners_.find(owner);
    if (it == owners_.end()) return std::nullopt;
    for (const Binding& b : by_port_.at(it->second)) {
        if (b.owner == owner) return b.remote;
    }
    return std::nullopt;
}

}  // namespace stack
