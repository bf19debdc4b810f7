// The report's packets: every frame a node sends, numbered from 1 in the
// order they are sent (as `minternet explain` numbers them), and, for each IP
// packet a host sent, the nodes it passed (path), where it ended (fate: it
// arrived, or where and why it was lost) and whether a link reordered it.
// Forwards, drops and arrivals are tied to the packet by its identity: source,
// destination, protocol, identification and fragment offset.
//
// Memory is bounded: the first `max_kept` packets are kept (the rest are
// counted), the first `max_with_bytes` with their frame's bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/time.hpp"
#include "sim/frame_summary.hpp"
#include "sim/trace.hpp"

namespace report {

struct Packet {
    base::Time t;
    sim::NodeIndex node;  // the sender of this frame
    stack::InterfaceId iface;
    sim::FrameSummary::Kind kind;
    wire::IpProtocol proto{0};
    std::string label;
    bool e2e = false;                  // sent by its source host: a packet of the conversation
    std::optional<sim::NodeIndex> to;  // the node owning the destination address
    std::optional<tcp::Tuple> conn;    // the sender's connection, TCP
    bool retransmission = false;
    bool reordered = false;
    std::vector<sim::NodeIndex> path;
    std::optional<base::Time> arrived;
    struct Loss {
        std::optional<sim::LinkIndex> link;  // none: dropped by a node
        sim::NodeIndex node;
        stack::DropReason reason;
        base::Time t;
    };
    std::optional<Loss> lost;
    std::vector<std::byte> frame;  // the first max_with_bytes packets
};

class PacketTrail {
  public:
    static constexpr size_t max_kept = 50'000;
    static constexpr size_t max_with_bytes = 10'000;

    // `owner` of each address: which node has it on an interface.
    explicit PacketTrail(std::unordered_map<wire::IpAddress, sim::NodeIndex> owner)
        : owner_(std::move(owner)) {}

    // A frame sent: its number (from 0), and the packet when it is kept.
    struct Sent {
        size_t index;
        Packet* packet;  // null beyond max_kept
    };
    Sent sent(const sim::ev::FrameSent& e, const sim::FrameSummary& f);
    // A frame that arrived; returns the packet when it reached its
    // destination (its `to`).
    std::optional<size_t> received(const sim::ev::FrameReceived& e, const sim::FrameSummary& f);
    // A drop by a node or a link (`link`); `node` is where it happened.
    void dropped(base::Time t, sim::NodeIndex node, std::optional<sim::LinkIndex> link,
                 stack::DropReason reason, const sim::FrameSummary& f);
    // The kept packet that is this IP packet on its way, if any.
    std::optional<size_t> in_flight(const sim::FrameSummary& f) const;

    size_t total() const { return total_; }
    const std::vector<Packet>& packets() const { return packets_; }
    Packet& packet(size_t i) { return packets_[i]; }
    // Nodes that took part, in the order they first did: the diagram's lanes.
    const std::vector<sim::NodeIndex>& lanes() const { return lanes_; }

  private:
    struct IpKey {
        wire::IpAddress src, dst;
        uint8_t proto;
        uint16_t id, frag_offset;
        // IPv6 packets have no identification unless fragmented: what their
        // upper layer says (ports, numbers, lengths) tells them apart instead.
        uint64_t upper = 0;
        bool operator==(const IpKey&) const = default;
    };
    struct IpKeyHash {
        size_t operator()(const IpKey& k) const;
    };
    static IpKey key_of(const sim::FrameSummary& f);
    void add_lane(sim::NodeIndex node);

    std::unordered_map<wire::IpAddress, sim::NodeIndex> owner_;
    std::vector<Packet> packets_;
    size_t total_ = 0;
    std::unordered_map<IpKey, size_t, IpKeyHash> in_flight_;
    std::vector<sim::NodeIndex> lanes_;
    std::vector<bool> in_lanes_;
};

}  // namespace report
