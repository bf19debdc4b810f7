// What a host tells its observer: typed callbacks for tracing, capture and the
// event log. Every dropped packet carries the reason it was dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/bytes.hpp"
#include "base/time.hpp"
#include "stack/port_table.hpp"
#include "tcp/stats.hpp"
#include "tcp/types.hpp"
#include "wire/address.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/tcp.hpp"

namespace stack {

using InterfaceId = uint32_t;

// Why a frame or packet went no further. Link-level reasons are raised by the
// simulator's links and the live driver; they live here so every driver names
// drops the same way.
enum class DropReason : uint8_t {
    malformed,             // a header did not parse
    bad_checksum,          // a checksum did not verify (often: corrupted on the way)
    not_for_us,            // addressed to another host, and this one does not forward
    no_route,              // no route to the destination
    ttl_expired,           // TTL reached zero in forwarding
    arp_failed,            // the next hop did not answer ARP
    arp_queue_full,        // too many packets waiting for one ARP answer
    too_big,               // larger than the MTU with "don't fragment" set
    reassembly_timeout,    // fragments whose datagram never completed
    reassembly_limit,      // too many datagrams, fragments or bytes being reassembled
    fragment_overlap,      // fragments that overlap with different data
    protocol_unreachable,  // no handler for the IP protocol
    port_unreachable,      // no socket on the destination port
    unsupported,           // well-formed, not handled (e.g. an ICMP type we ignore)
    queue_full,            // link transmit queue full (drop-tail)
    loss,                  // lost by the link's loss model
    filtered,              // dropped on purpose by a link filter (tests, demonstrations)
    link_down,             // the link was down
    node_down,             // the receiving node was crashed
    receive_queue_full,    // a socket's receive queue was full
    // A source address no sender can have (RFC 1812 §5.3.7, Linux's martian
    // check): one of this host's own, a broadcast or multicast one, or, to
    // be forwarded, 0.0.0.0 or loopback.
    martian_source,
    // A neighbour discovery message RFC 4861 says to ignore: a hop limit
    // below 255 (it crossed a router), a code other than 0, a bad option, a
    // forbidden address (wire::Error::not_allowed and its kin).
    ndp_invalid,
    hop_limit_exceeded,  // IPv6's hop limit reached zero in forwarding
    beyond_scope,        // a link-local address asked to leave its link (RFC 4291 §2.5.6)
    neighbor_failed,     // the next hop did not answer neighbour solicitations
};

std::string_view to_string(DropReason r);

enum class ArpEvent : uint8_t {
    request_sent,     // asked who has the address
    reply_sent,       // answered a request for one of our addresses
    resolved,         // learned the address's MAC (from a reply or a request)
    gratuitous_sent,  // announced our own address
    failed,           // gave up after the configured number of requests
};

std::string_view to_string(ArpEvent e);

// Neighbour discovery and address configuration (RFC 4861, RFC 4862).
enum class NdpEvent : uint8_t {
    solicitation_sent,   // asked for a neighbour's link-layer address (or probed it)
    advertisement_sent,  // answered a solicitation for one of our addresses
    resolved,            // learned a neighbour's link-layer address
    failed,              // the neighbour did not answer
    dad_started,         // an address is tentative: the first detection solicitation went out
    address_ready,       // no one else has it: the address is preferred
    duplicate_address,   // someone else has it: never used
    router_solicitation_sent,
    router_advertisement_sent,
    router_advertisement_received,
    address_autoconfigured,  // formed from an advertised prefix (SLAAC); tentative first
};

std::string_view to_string(NdpEvent e);

// What the bytes of a drop event hold.
enum class Layer : uint8_t { frame, arp, ipv4, ipv6 };

// Typed callbacks; each defaults to doing nothing. `frame` and `packet` spans are
// only valid during the call.
class Observer {
  public:
    virtual ~Observer() = default;
    // Whether it looks at the bytes of frames and packets (frame_sent,
    // frame_received, forwarded, dropped, reassembled): if not, a host with
    // checksum offload may hand it frames whose checksums are still pending.
    virtual bool wants_frame_bytes() const { return true; }
    virtual void frame_sent(base::Time, InterfaceId, base::ByteSpan /*frame*/) {}
    virtual void frame_received(base::Time, InterfaceId, base::ByteSpan /*frame*/) {}
    // An IPv4 packet forwarded from one interface to another (after the TTL
    // decrement).
    virtual void forwarded(base::Time, InterfaceId /*in*/, InterfaceId /*out*/,
                           base::ByteSpan /*packet*/) {}
    // A frame, ARP packet or IPv4 packet dropped, and why.
    virtual void dropped(base::Time, DropReason, Layer, base::ByteSpan /*bytes*/) {}
    virtual void arp(base::Time, ArpEvent, wire::Ipv4Address, wire::MacAddress) {}
    virtual void icmp_sent(base::Time, wire::Ipv4Address /*to*/, const wire::Icmpv4Repr&) {}
    virtual void icmp_received(base::Time, wire::Ipv4Address /*from*/, const wire::Icmpv4Repr&) {}
    // Neighbour discovery: what happened, on which interface, about which
    // address (the target), and its link-layer address where one is known.
    virtual void ndp(base::Time, NdpEvent, InterfaceId, const wire::Ipv6Address& /*target*/,
                     const wire::MacAddress&) {}
    virtual void icmpv6_sent(base::Time, const wire::Ipv6Address& /*to*/, const wire::Icmpv6Repr&) {
    }
    virtual void icmpv6_received(base::Time, const wire::Ipv6Address& /*from*/,
                                 const wire::Icmpv6Repr&) {}
    // TCP: a segment sent or received and why; a connection's state change;
    // its congestion window, slow-start threshold and smoothed RTT after an ACK.
    virtual void tcp_segment(base::Time, const tcp::Tuple&, bool /*sent*/, const wire::TcpRepr&,
                             tcp::Reason) {}
    virtual void tcp_state(base::Time, const tcp::Tuple&, tcp::State /*from*/, tcp::State /*to*/) {}
    virtual void tcp_window(base::Time, const tcp::Tuple&, uint32_t /*cwnd*/, uint32_t /*ssthresh*/,
                            std::optional<base::Duration> /*srtt*/) {}
    // A connection's counters when it is gone (closed and freed), or, with
    // `open`, when asked for at the end of a run (Tcp::report_open_flows).
    virtual void tcp_flow(base::Time, const tcp::Tuple&, const tcp::Stats&, bool /*open*/) {}
    // A UDP datagram a socket sent, or one delivered to a socket; `ip_id` is
    // the identification of the IP packet that carried it.
    virtual void udp_datagram(base::Time, bool /*sent*/, const Endpoint& /*local*/,
                              const Endpoint& /*remote*/, size_t /*payload*/, uint16_t /*ip_id*/) {}
    // A datagram reassembled from `fragments` fragments.
    virtual void reassembled(base::Time, base::ByteSpan /*packet*/, size_t /*fragments*/) {}
};

}  // namespace stack
