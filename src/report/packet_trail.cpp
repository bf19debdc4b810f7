#include "report/packet_trail.hpp"

#include <algorithm>

namespace report {

size_t PacketTrail::IpKeyHash::operator()(const IpKey& k) const {
    uint64_t h = (k.src.hash() << 1) ^ k.dst.hash() ^ k.upper;
    h ^= (uint64_t{k.proto} << 56) ^ (uint64_t{k.id} << 16) ^ k.frag_offset;
    h *= 0x9e3779b97f4a7c15ull;
    return static_cast<size_t>(h ^ (h >> 29));
}

PacketTrail::IpKey PacketTrail::key_of(const sim::FrameSummary& f) {
    IpKey k{f.src, f.dst, static_cast<uint8_t>(f.proto), f.id, f.frag_offset};
    if (f.kind == sim::FrameSummary::Kind::ipv6 && !f.fragment) {
        k.upper = (uint64_t{f.sport} << 48) ^ (uint64_t{f.dport} << 32) ^ f.seq ^
                  (uint64_t{f.ack} << 17) ^ (uint64_t{f.flags.bits()} << 40) ^
                  (uint64_t{f.payload} << 20) ^ (uint64_t{f.icmp_type} << 56) ^
                  (uint64_t{f.icmp_id} << 8) ^ f.icmp_seq;
    }
    return k;
}

void PacketTrail::add_lane(sim::NodeIndex node) {
    if (node >= in_lanes_.size()) in_lanes_.resize(node + 1, false);
    if (in_lanes_[node]) return;
    in_lanes_[node] = true;
    lanes_.push_back(node);
}

std::optional<size_t> PacketTrail::in_flight(const sim::FrameSummary& f) const {
    if (!f.is_ip()) return std::nullopt;
    const auto it = in_flight_.find(key_of(f));
    return it == in_flight_.end() ? std::nullopt : std::optional(it->second);
}

PacketTrail::Sent PacketTrail::sent(const sim::ev::FrameSent& e, const sim::FrameSummary& f) {
    const size_t index = total_++;
    std::optional<sim::NodeIndex> owner;
    std::optional<sim::NodeIndex> to;
    if (f.is_ip()) {
        if (const auto it = owner_.find(f.src); it != owner_.end()) owner = it->second;
        if (const auto it = owner_.find(f.dst); it != owner_.end()) to = it->second;
    }
    const bool e2e = owner && *owner == e.node;
    if (e2e) {
        add_lane(e.node);
        if (to) add_lane(*to);
    }
    if (index >= max_kept) return {index, nullptr};

    Packet p;
    p.t = e.t;
    p.node = e.node;
    p.iface = e.iface;
    p.kind = f.kind;
    p.proto = f.proto;
    if (f.is_ip()) {
        if (e2e) {
            p.e2e = true;
            p.to = to;
            p.path.push_back(e.node);
            in_flight_[key_of(f)] = index;
        } else if (const auto original = in_flight(f)) {
            std::vector<sim::NodeIndex>& path = packets_[*original].path;
            if (path.back() != e.node) path.push_back(e.node);
        }
    }
    if (index < max_with_bytes) p.frame.assign(e.frame.begin(), e.frame.end());
    packets_.push_back(std::move(p));
    return {index, &packets_.back()};
}

std::optional<size_t> PacketTrail::received(const sim::ev::FrameReceived& e,
                                            const sim::FrameSummary& f) {
    const auto index = in_flight(f);
    if (!index) return std::nullopt;
    Packet& p = packets_[*index];
    if (!p.to || e.node != *p.to) return std::nullopt;
    if (!p.arrived) p.arrived = e.t;
    if (p.path.back() != e.node) p.path.push_back(e.node);
    return index;
}

void PacketTrail::dropped(base::Time t, sim::NodeIndex node, std::optional<sim::LinkIndex> link,
                          stack::DropReason reason, const sim::FrameSummary& f) {
    const auto index = in_flight(f);
    if (!index) return;
    Packet& p = packets_[*index];
    if (p.lost || p.arrived) return;
    if (p.path.back() != node) p.path.push_back(node);
    p.lost = Packet::Loss{link, node, reason, t};
}

}  // namespace report
