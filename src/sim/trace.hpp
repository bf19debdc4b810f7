// What happens in a simulated run, as typed events, and the sinks that take
// them.
//
// Each event is a plain struct: a time, the node (or link) it happened at, and
// typed fields — enums for kinds and reasons, addresses, the bytes of a frame.
// Producers (the nodes' stack observers and the links, through sim::Network)
// build an event only when some sink asked for its kind (`Tracer::wants`), so
// a kind nobody listens to costs a test of one bit: no formatting, no
// allocation. Sinks — the JSON-lines log, the pcap writers, the timeline, the
// HTML report, the flow statistics — each say which kinds they want and get
// those, in the order they were added. No sink parses another's output.
//
// Spans and pointers in an event (a frame's bytes, a TCP segment) are valid
// only during the call; a sink that keeps something copies it.
#pragma once

#include <cstdint>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/time.hpp"
#include "stack/events.hpp"
#include "stack/port_table.hpp"
#include "tcp/connection.hpp"
#include "tcp/types.hpp"
#include "wire/address.hpp"
#include "wire/icmpv4.hpp"
#include "wire/tcp.hpp"

namespace sim {

// Indices into Network::nodes() and Network::links().
using NodeIndex = uint32_t;
using LinkIndex = uint32_t;

namespace ev {

// A frame a node put on one of its interfaces, or took from one.
struct FrameSent {
    base::Time t;
    NodeIndex node;
    stack::InterfaceId iface;
    base::ByteSpan frame;
};
struct FrameReceived {
    base::Time t;
    NodeIndex node;
    stack::InterfaceId iface;
    base::ByteSpan frame;
};
// An IPv4 packet a router passed on (after the TTL decrement).
struct Forwarded {
    base::Time t;
    NodeIndex node;
    stack::InterfaceId in;
    stack::InterfaceId out;
    base::ByteSpan packet;
};
// A frame, ARP packet or IPv4 packet a node dropped, and why.
struct Dropped {
    base::Time t;
    NodeIndex node;
    stack::DropReason reason;
    stack::Layer layer;  // what `bytes` hold
    base::ByteSpan bytes;
};
struct Arp {
    base::Time t;
    NodeIndex node;
    stack::ArpEvent what;
    wire::Ipv4Address ip;
    wire::MacAddress mac;
};
struct IcmpSent {
    base::Time t;
    NodeIndex node;
    wire::Ipv4Address to;
    wire::Icmpv4Type type;
    uint8_t code;
};
struct IcmpReceived {
    base::Time t;
    NodeIndex node;
    wire::Ipv4Address from;
    wire::Icmpv4Type type;
    uint8_t code;
};
// ICMPv6 (echo and errors; neighbour discovery is `Ndp`).
struct Icmpv6Sent {
    base::Time t;
    NodeIndex node;
    wire::Ipv6Address to;
    wire::Icmpv6Type type;
    uint8_t code;
};
struct Icmpv6Received {
    base::Time t;
    NodeIndex node;
    wire::Ipv6Address from;
    wire::Icmpv6Type type;
    uint8_t code;
};
// Neighbour discovery and address configuration: IPv6's ARP and more.
struct Ndp {
    base::Time t;
    NodeIndex node;
    stack::NdpEvent what;
    wire::Ipv6Address target;
    wire::MacAddress mac;
};
// A TCP segment a connection sent (and why) or received (and what it was).
struct TcpSegment {
    base::Time t;
    NodeIndex node;
    tcp::Tuple conn;  // local end first
    bool sent;
    const wire::TcpRepr* segment;
    tcp::Reason why;
};
struct TcpState {
    base::Time t;
    NodeIndex node;
    tcp::Tuple conn;
    tcp::State from;
    tcp::State to;
};
// Congestion window, slow-start threshold and smoothed RTT, after an ACK or a
// cut for loss.
struct TcpWindow {
    base::Time t;
    NodeIndex node;
    tcp::Tuple conn;
    uint32_t cwnd;
    uint32_t ssthresh;
    std::optional<base::Duration> srtt;
};
// A connection's counters at its end, or at the end of the run while still
// open (`open`), from the side at `node`.
struct TcpFlow {
    base::Time t;
    NodeIndex node;
    tcp::Tuple conn;
    const tcp::Stats* stats;
    bool open;
};
// A UDP datagram a socket sent or that reached one.
struct UdpDatagram {
    base::Time t;
    NodeIndex node;
    bool sent;
    stack::Endpoint local;
    stack::Endpoint remote;
    size_t payload;
    uint16_t ip_id;  // identification of the IP packet that carried it
};
// A datagram put together again from `fragments` fragments.
struct Reassembled {
    base::Time t;
    NodeIndex node;
    base::ByteSpan packet;
    size_t fragments;
};
// What a link did to a frame travelling in `direction` (0: from its end 0).
struct LinkDropped {
    base::Time t;
    LinkIndex link;
    int direction;
    stack::DropReason reason;
    base::ByteSpan frame;
};
struct LinkCorrupted {
    base::Time t;
    LinkIndex link;
    int direction;
    base::ByteSpan frame;  // after the flip
    size_t bit;
};
struct LinkDuplicated {
    base::Time t;
    LinkIndex link;
    int direction;
    base::ByteSpan frame;
};
struct LinkReordered {
    base::Time t;
    LinkIndex link;
    int direction;
    base::ByteSpan frame;
};
struct LinkState {
    base::Time t;
    LinkIndex link;
    bool up;
};
struct NodeCrashed {
    base::Time t;
    NodeIndex node;
};
struct NodeRestarted {
    base::Time t;
    NodeIndex node;
};
// Shortest paths computed again after a failure; `routes` installed in all.
struct RoutesRecomputed {
    base::Time t;
    size_t routes;
};

}  // namespace ev

using Event = std::variant<ev::FrameSent, ev::FrameReceived, ev::Forwarded, ev::Dropped, ev::Arp,
                           ev::IcmpSent, ev::IcmpReceived, ev::TcpSegment, ev::TcpState,
                           ev::TcpWindow, ev::TcpFlow, ev::UdpDatagram, ev::Reassembled,
                           ev::LinkDropped, ev::LinkCorrupted, ev::LinkDuplicated,
                           ev::LinkReordered, ev::LinkState, ev::NodeCrashed, ev::NodeRestarted,
                           ev::RoutesRecomputed, ev::Icmpv6Sent, ev::Icmpv6Received, ev::Ndp>;

base::Time time_of(const Event& e);

namespace detail {
template <class T, class V>
struct index_in;
template <class T, class... Ts>
struct index_in<T, std::variant<Ts...>> {
    static constexpr size_t value = [] {
        constexpr bool same[] = {std::is_same_v<T, Ts>...};
        for (size_t i = 0; i < sizeof...(Ts); ++i)
            if (same[i]) return i;
        return sizeof...(Ts);
    }();
};
}  // namespace detail

// The kind of an event: its index in the variant.
template <class E>
constexpr size_t kind_of = detail::index_in<E, Event>::value;

// A set of event kinds.
class EventMask {
  public:
    constexpr EventMask() = default;
    static constexpr EventMask all() { return EventMask{(uint64_t{1} << kinds) - 1}; }
    template <class... Es>
    static constexpr EventMask of() {
        return EventMask{((uint64_t{1} << kind_of<Es>) | ... | 0)};
    }
    constexpr bool has(size_t kind) const { return (bits_ >> kind) & 1; }
    template <class E>
    constexpr bool has() const {
        return has(kind_of<E>);
    }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr bool intersects(EventMask o) const { return (bits_ & o.bits_) != 0; }
    constexpr EventMask operator|(EventMask o) const { return EventMask{bits_ | o.bits_}; }
    constexpr bool operator==(const EventMask&) const = default;

  private:
    static constexpr size_t kinds = std::variant_size_v<Event>;
    static_assert(kinds <= 64);
    constexpr explicit EventMask(uint64_t bits) : bits_(bits) {}
    uint64_t bits_ = 0;
};

class EventSink {
  public:
    virtual ~EventSink() = default;
    // The kinds this sink takes; asked once, when it is added.
    virtual EventMask wants() const = 0;
    // Whether it needs the frames in its events exactly as they go on the
    // wire, checksums included (a capture does); a sink that reads only
    // addresses, ports and lengths says no, and hosts may then leave their
    // TCP checksums pending (stack::HostConfig::checksum_offload). Asked once.
    virtual bool wants_exact_frames() const { return true; }
    virtual void event(const Event& e) = 0;
};

// Hands each event to the sinks that want its kind, in the order they were
// added. Sinks are not owned; remove one before it goes.
class Tracer {
  public:
    void add(EventSink* sink);
    void remove(EventSink* sink);
    template <class E>
    bool wants() const {
        return mask_.has<E>();
    }
    EventMask wanted() const { return mask_; }
    // Some sink takes events that carry frames and wants them exact.
    bool wants_exact_frames() const { return exact_frames_; }
    void emit(const Event& e);

  private:
    struct Entry {
        EventSink* sink;
        EventMask mask;
        bool exact;
    };
    void update();

    std::vector<Entry> sinks_;
    EventMask mask_;
    bool exact_frames_ = false;
};

}  // namespace sim
