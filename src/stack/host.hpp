// One host's protocol engine: interfaces, ARP, IPv4 (routing, forwarding,
// fragmentation, reassembly) and ICMP; IPv6 beside it on the interfaces that
// have it (addresses and duplicate address detection, neighbour discovery,
// routing and forwarding, ICMPv6: host_ipv6.cpp). Sans-IO: it owns no thread, socket or
// clock, and is driven by
//
//   receive(interface, frame, now)   a frame arrived
//   poll(now)                        timers due by `now` (ARP retries, reassembly
//                                    timeouts, attached transports and apps)
//   next_deadline()                  when it next needs poll()
//
// and it hands the frames it sends to its frame sink. The simulator and the TAP
// driver are the two drivers; a router is a host with forwarding on.
//
// Transports (UDP, TCP) register per IP protocol; applications that need ICMP
// (ping, traceroute) register as ICMP listeners. Anything with timers attaches
// as a Pollable so the driver needs to poll only the host.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/buffer.hpp"
#include "base/random.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "stack/arp_cache.hpp"
#include "stack/events.hpp"
#include "stack/icmp_rate_limiter.hpp"
#include "stack/ipv6_routing_table.hpp"
#include "stack/neighbor_cache.hpp"
#include "stack/path_mtu.hpp"
#include "stack/reassembly.hpp"
#include "stack/routing_table.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/icmpv6.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/ndp.hpp"

namespace stack {

struct InterfaceConfig {
    std::string name;  // "eth0"
    wire::MacAddress mac;
    // "10.0.0.1/24": the interface's address and subnet; 0.0.0.0 for none
    // (an interface without IPv4).
    wire::Ipv4Cidr address;
    uint16_t mtu = 1500;  // largest IP packet the link carries
    // IPv6 addresses with their on-link prefixes ("2001:db8::2/64"). An
    // interface with any, or with `ipv6` set, speaks IPv6 and has a
    // link-local address too, made from its MAC (EUI-64, docs/ipv6.md).
    std::vector<wire::Ipv6Cidr> ipv6_addresses;
    bool ipv6 = false;
    // On a router: send router advertisements on this link (RFC 4861 §6.2),
    // with its global prefixes for hosts to form addresses in (SLAAC).
    bool advertise = false;
};

// IPv6 on a host: RFC 4861's and RFC 4862's constants as settings.
struct Ipv6Config {
    uint8_t default_hop_limit = wire::ipv6::default_hop_limit;
    // Neighbour solicitations sent to detect a duplicate before an address is
    // used (RFC 4862 DupAddrDetectTransmits); 0 turns detection off.
    int dad_transmits = 1;
    NeighborConfig neighbor{};
    // A host (not a router) solicits routers when an interface comes up and
    // takes from their advertisements a default route, the link's MTU and
    // prefixes to form addresses in (RFC 4862 SLAAC). Linux's accept_ra.
    bool accept_router_advertisements = true;
    int router_solicitations = 3;  // MAX_RTR_SOLICITATIONS, 4 s apart
    // What a router advertises (RFC 4861 §6.2.1's AdvDefaultLifetime and the
    // prefix lifetimes, radvd's defaults) and how often: three at first, 16 s
    // apart, then every 200 to 600 s.
    base::Duration router_lifetime = base::Duration::seconds(1800);
    uint32_t prefix_valid_lifetime = 86400;      // seconds
    uint32_t prefix_preferred_lifetime = 14400;  // seconds
    base::Duration min_advertisement_interval = base::Duration::seconds(200);
    base::Duration max_advertisement_interval = base::Duration::seconds(600);
};

// Where an interface's IPv6 address came from.
enum class Ipv6Origin : uint8_t { link_local, manual, autoconfigured };

// RFC 4862 §2: a tentative address is being checked and is not used yet; a
// duplicated one failed the check and is never used; a deprecated one (its
// preferred lifetime over) still receives but is no new packet's source.
enum class Ipv6AddressState : uint8_t { tentative, preferred, deprecated, duplicated };

std::string_view to_string(Ipv6AddressState s);

struct Ipv6InterfaceAddress {
    wire::Ipv6Cidr address;
    Ipv6Origin origin = Ipv6Origin::manual;
    Ipv6AddressState state = Ipv6AddressState::tentative;
    int dad_sent = 0;
    base::Time dad_next;  // tentative: when the next solicitation or the verdict is due
    // Autoconfigured ones: when they stop being preferred, and go.
    base::Time preferred_until = base::Time::never();
    base::Time valid_until = base::Time::never();
};

struct HostConfig {
    std::string name;
    bool forwarding = false;  // a router
    uint8_t default_ttl = wire::ipv4::default_ttl;
    // Recursive resolvers its programs ask (resolv.conf's nameserver lines),
    // of either family.
    std::vector<wire::IpAddress> nameservers;
    ArpConfig arp{};
    ReassemblyConfig reassembly{};
    IcmpRateLimit icmp_rate{};
    PathMtuConfig path_mtu{};
    Ipv6Config ipv6{};
    // False: no ICMP errors at all, as from a router behind a filter that
    // drops them (and so a path MTU black hole, RFC 2923 §2.1).
    bool icmp_errors = true;
    // Its devices complete TCP checksums (a simulated wire, whose far end is
    // in the same process): TCP leaves them pending in the buffer
    // (base::PacketBuffer::set_checksum_pending), and a segment that never
    // left the process is not summed again on arrival. The host completes
    // them where the bytes are seen: for an observer that wants frames,
    // before fragmenting, and the simulator's links and seams to real
    // devices do the rest. Off for a real device that does not.
    bool checksum_offload = false;
};

// Something with timers that the host polls for its driver.
class Pollable {
  public:
    virtual ~Pollable() = default;
    virtual void poll(base::Time now) = 0;
    virtual base::Time next_deadline() const = 0;
};

// A datagram delivered to a transport, of either IP version: the fields
// transports use, and the header bytes as received (IPv4's header, or IPv6's
// with its extension headers; valid during the call) for quoting in an ICMP
// error.
struct IpPacketInfo {
    wire::IpAddress source;
    wire::IpAddress destination;
    uint8_t ttl = 0;              // IPv4's time to live, IPv6's hop limit
    uint16_t identification = 0;  // IPv4's, which observers show; 0 over IPv6
    base::ByteSpan header;
    InterfaceId interface = 0;
};

// What an ICMP or ICMPv6 error says, in terms both versions share.
enum class IcmpErrorKind : uint8_t {
    network_unreachable,
    host_unreachable,  // IPv6's address unreachable
    protocol_unreachable,
    port_unreachable,
    prohibited,  // administratively, by a filter
    unreachable_other,
    packet_too_big,  // IPv4's fragmentation needed (with DF), IPv6's packet too big
    time_exceeded,   // the TTL or hop limit ran out in transit
    reassembly_time_exceeded,
    parameter_problem,
};

// An ICMP or ICMPv6 error about a datagram this host sent, with the part of it
// the error quoted.
struct IcmpError {
    wire::IpAddress reporter;  // who sent the error
    IcmpErrorKind kind = IcmpErrorKind::unreachable_other;
    uint8_t type = 0;  // as on the wire, in ICMPv4's or ICMPv6's numbering
    uint8_t code = 0;
    uint32_t mtu = 0;  // packet_too_big: the next hop's (0 from a pre-RFC 1191 router)
    wire::IpAddress original_source;
    wire::IpAddress original_destination;
    wire::IpProtocol original_protocol{};  // past IPv6's extension headers
    base::ByteSpan original_payload;       // the quoted start of its upper layer
};

// The kind of an ICMPv4 error (type and code), or nullopt for a message that
// is not one transports hear of.
std::optional<IcmpErrorKind> icmp_error_kind(wire::Icmpv4Type type, uint8_t code);
std::optional<IcmpErrorKind> icmp_error_kind(wire::Icmpv6Type type, uint8_t code);

class Transport : public Pollable {
  public:
    // A datagram for this host; `payload` holds exactly the IP payload.
    virtual void receive(const IpPacketInfo& info, base::PacketBuffer payload, base::Time now) = 0;
    // An ICMP error quoting a datagram of this protocol that this host sent.
    virtual void icmp_error(const IcmpError& error, base::Time now) = 0;
};

// An ICMP message for this host, as an application sees it.
struct IcmpMessage {
    wire::Ipv4Address from;
    wire::Ipv4Address to;
    uint8_t ttl = 0;                 // of the IP packet that carried it
    wire::Icmpv4Repr icmp;           // data borrowed for the duration of the call
    std::optional<IcmpError> error;  // for error types whose quote parses
};

class IcmpListener {
  public:
    virtual ~IcmpListener() = default;
    virtual void icmp_received(const IcmpMessage& message, base::Time now) = 0;
};

// An ICMPv6 message for this host (echo replies and errors; neighbour
// discovery stays inside the host).
struct Icmpv6Message {
    wire::Ipv6Address from;
    wire::Ipv6Address to;
    uint8_t hop_limit = 0;
    InterfaceId interface = 0;
    wire::Icmpv6Repr icmp;  // data borrowed for the duration of the call
};

class Icmpv6Listener {
  public:
    virtual ~Icmpv6Listener() = default;
    virtual void icmpv6_received(const Icmpv6Message& message, base::Time now) = 0;
};

enum class SendError : uint8_t {
    no_route,           // nothing in the routing table matches
    too_big,            // larger than the path MTU with "don't fragment"
    no_source_address,  // the host has no interface address to send from
};

std::string_view to_string(SendError e);

struct Send6Options {
    std::optional<wire::Ipv6Address> source;  // none: chosen for the destination (RFC 6724)
    // The interface for a link-local or multicast destination; none: the
    // route's, or for a link-scoped destination the first IPv6 interface.
    std::optional<InterfaceId> interface;
    uint8_t hop_limit = 0;       // 0: the host's default
    bool dont_fragment = false;  // fail with too_big rather than fragment at the source
};

struct SendOptions {
    std::optional<wire::Ipv4Address> source;  // none: the route's interface address
    uint8_t ttl = 0;                          // 0: the host's default
    bool dont_fragment = false;
    uint8_t dscp = 0;
};

struct HostStats {
    uint64_t frames_received = 0;
    uint64_t frames_sent = 0;
    uint64_t packets_delivered = 0;
    uint64_t packets_forwarded = 0;
    uint64_t packets_sent = 0;  // originated here
    uint64_t fragments_sent = 0;
    uint64_t datagrams_reassembled = 0;
    uint64_t icmp_errors_sent = 0;
    uint64_t icmp_errors_rate_limited = 0;
    uint64_t dropped = 0;
    uint64_t ndp_invalid = 0;  // neighbour discovery messages RFC 4861 says to ignore
    uint64_t dad_conflicts = 0;
    uint64_t multicast_filtered = 0;  // to IPv6 groups the interface has not joined
};

class Host {
  public:
    // Where frames go out; it takes the frame. An rvalue reference, as along
    // the host's own output path: a frame is handed through a dozen calls, and
    // by value each would move it once more.
    using FrameSink = std::function<void(InterfaceId, base::PacketBuffer&&)>;

    Host(HostConfig config, base::BufferPool& pool, base::Seed seed);
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    const HostConfig& config() const { return config_; }
    const std::string& name() const { return config_.name; }

    // Adds an interface and its connected route; a gratuitous ARP announces the
    // address on the next poll.
    InterfaceId add_interface(InterfaceConfig c);
    const InterfaceConfig& interface(InterfaceId id) const { return interfaces_.at(id); }
    size_t interface_count() const { return interfaces_.size(); }
    // Whether any interface has an IPv4 address.
    bool has_ipv4() const {
        for (const InterfaceConfig& c : interfaces_) {
            if (!c.address.address.is_unspecified()) return true;
        }
        return false;
    }

    void set_frame_sink(FrameSink sink) { sink_ = std::move(sink); }
    void set_observer(Observer* observer) { observer_ = observer; }
    Observer* observer() const { return observer_; }
    // The MTU of the interface that leads to `dst`, if there is a route.
    std::optional<uint16_t> mtu_towards(wire::Ipv4Address dst) const;
    // The path MTU to `dst`: the route's, or less if "fragmentation needed"
    // said so (RFC 1191).
    std::optional<uint16_t> path_mtu(wire::Ipv4Address dst, base::Time now) const;
    const PathMtuCache& path_mtu_cache() const { return path_mtu_; }
    RoutingTable& routes() { return routes_; }
    const RoutingTable& routes() const { return routes_; }

    // The sans-IO contract.
    void receive(InterfaceId interface, base::PacketBuffer frame, base::Time now);
    void poll(base::Time now);
    base::Time next_deadline() const;

    // Sends `payload` (the transport segment, in a buffer with headroom) to `dst`.
    // Fragments it if it is larger than the route's MTU.
    base::Expected<void, SendError> send_ip(wire::Ipv4Address dst, wire::IpProtocol protocol,
                                            base::PacketBuffer payload, base::Time now,
                                            SendOptions options = {});
    // The source address this host uses towards `dst` (that of the route's
    // interface), or nullopt without a route. Transports need it for the
    // pseudo-header before they call send_ip.
    std::optional<wire::Ipv4Address> source_address_for(wire::Ipv4Address dst) const;
    bool is_local_address(wire::Ipv4Address a) const;

    // Sends an ICMP echo request (ping). Fails as send_ip does.
    base::Expected<void, SendError> send_echo_request(wire::Ipv4Address dst, uint16_t identifier,
                                                      uint16_t sequence, base::ByteSpan data,
                                                      base::Time now, SendOptions options = {});
    // Answers a datagram a transport received, for which no program listens,
    // with ICMP's or ICMPv6's port unreachable, subject to the rules of
    // errors (RFC 1122, RFC 4443 §2.4) and the rate limit.
    void send_port_unreachable(const IpPacketInfo& offending, base::ByteSpan payload,
                               base::Time now);

    // For transports: records a datagram they drop (the observer sees the whole
    // IP packet). `payload` is the buffer handed to Transport::receive.
    void report_drop(DropReason reason, const IpPacketInfo& info, base::ByteSpan payload,
                     base::Time now);

    // One transport per protocol: registering a second one for the same
    // protocol (two socket runtimes on one host, say) is a programming error
    // and stops the program with a message, rather than leave the first one's
    // sockets silently deaf. remove_transport removes only `transport`.
    void set_transport(wire::IpProtocol protocol, Transport* transport);
    void remove_transport(wire::IpProtocol protocol, const Transport* transport);
    void add_icmp_listener(IcmpListener* listener);
    void remove_icmp_listener(IcmpListener* listener);
    void attach(Pollable* p);
    void detach(Pollable* p);

    // ---- IPv6 (host_ipv6.cpp) ----
    bool ipv6_enabled(InterfaceId id) const { return id < ipv6_.size() && ipv6_[id].enabled; }
    // Whether any interface speaks IPv6.
    bool has_ipv6() const { return ipv6_any_; }
    // Adds a configured IPv6 address to an interface, as `ip -6 addr add`
    // does: IPv6 comes up on it (with its link-local address) if it was off,
    // and the address is tentative until duplicate address detection passes.
    // Precondition: id < interface_count().
    void configure_ipv6_address(InterfaceId id, wire::Ipv6Cidr address);
    // The interface's IPv6 addresses, link-local first, with their state.
    const std::vector<Ipv6InterfaceAddress>& ipv6_addresses(InterfaceId id) const {
        return ipv6_.at(id).addresses;
    }
    // A preferred address of ours (tentative and duplicated ones are not yet,
    // or never, this host's to receive on).
    bool is_local_address(const wire::Ipv6Address& a) const;
    // The source this host uses towards `dst` (RFC 6724, simplified: a
    // link-local destination gets the interface's link-local address, any
    // other the preferred address sharing the longest prefix with it).
    std::optional<wire::Ipv6Address> source_address_for(const wire::Ipv6Address& dst,
                                                        Send6Options options = {}) const;
    Ipv6RoutingTable& routes6() { return routes6_; }
    const Ipv6RoutingTable& routes6() const { return routes6_; }
    const NeighborCache& neighbors() const { return neighbors_; }
    // The path MTU to `dst`: the route's link MTU, or less if packet too big
    // said so (RFC 8201).
    std::optional<uint16_t> path_mtu(const wire::Ipv6Address& dst, base::Time now) const;
    // Sends `payload` (the upper layer's bytes, in a buffer with headroom)
    // in an IPv6 packet with next header `next_header`, in fragments if it
    // is bigger than the path MTU (RFC 8200 §4.5: only the source fragments).
    base::Expected<void, SendError> send_ipv6(wire::Ipv6Address dst, uint8_t next_header,
                                              base::PacketBuffer payload, base::Time now,
                                              Send6Options options = {});
    base::Expected<void, SendError> send_echo_request(wire::Ipv6Address dst, uint16_t identifier,
                                                      uint16_t sequence, base::ByteSpan data,
                                                      base::Time now, Send6Options options = {});
    void add_icmpv6_listener(Icmpv6Listener* listener);
    void remove_icmpv6_listener(Icmpv6Listener* listener);

    // ---- either version, for transports ----
    // The source towards `dst` (of its family), or nullopt without a route.
    std::optional<wire::IpAddress> source_address_for(const wire::IpAddress& dst) const;
    bool is_local_address(const wire::IpAddress& a) const;
    std::optional<uint16_t> path_mtu(const wire::IpAddress& dst, base::Time now) const;
    // Sends an upper-layer payload from `source` to `dst` (one family) with
    // send_ip or send_ipv6. `dont_fragment`: fail with too_big rather than
    // fragment (IPv4's DF; over IPv6, no fragmenting at the source).
    base::Expected<void, SendError> send_ip(const wire::IpAddress& source,
                                            const wire::IpAddress& dst, wire::IpProtocol protocol,
                                            base::PacketBuffer payload, base::Time now,
                                            bool dont_fragment = false) {
        if (dst.is_v4()) {
            return send_ip(dst.v4(), protocol, std::move(payload), now,
                           SendOptions{.source = source.v4(), .dont_fragment = dont_fragment});
        }
        return send_ipv6(dst.v6(), static_cast<uint8_t>(protocol), std::move(payload), now,
                         Send6Options{.source = source.v6(), .dont_fragment = dont_fragment});
    }

    // A random stream for components of this host (ephemeral ports, ISNs …).
    base::RandomStream& random() { return random_; }
    base::BufferPool& pool() { return pool_; }
    const HostStats& stats() const { return stats_; }
    const ArpCache& arp_cache() const { return arp_; }

  private:
    struct NextHop {
        InterfaceId interface;
        wire::Ipv4Address address;
    };

    std::optional<NextHop> route_to(wire::Ipv4Address dst) const;
    void handle_arp(InterfaceId in, base::ByteSpan payload, base::Time now);
    void handle_ipv4(InterfaceId in, base::PacketBuffer&& packet, bool link_broadcast,
                     base::Time now);
    // `view` is the packet's, parsed on input.
    void forward(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv4View& view,
                 base::Time now);
    void deliver(InterfaceId in, base::PacketBuffer&& packet, base::Time now);
    void handle_icmp(const wire::Ipv4Repr& ip, base::ByteSpan header, base::PacketBuffer&& payload,
                     base::Time now);
    // Hands an ICMP or ICMPv6 error to the transport of the protocol it quotes.
    void tell_transport(const IcmpError& error, base::Time now);
    std::optional<IcmpError> parse_quoted(const wire::Ipv4Repr& ip,
                                          const wire::Icmpv4Repr& icmp) const;

    base::Expected<void, SendError> send_from(std::optional<wire::Ipv4Address> src,
                                              wire::Ipv4Address dst, wire::IpProtocol protocol,
                                              base::PacketBuffer&& payload, base::Time now,
                                              SendOptions options);
    // Sends a complete IP packet out of `out` towards `next_hop`, fragmenting it
    // to the interface's MTU. Returns false (and drops) if it is too big with DF;
    // a forwarded one (not `originated`) is then answered with ICMP.
    bool output(InterfaceId out, wire::Ipv4Address next_hop, base::PacketBuffer&& packet,
                bool originated, base::Time now, std::optional<uint16_t> path_mtu = std::nullopt);
    void output_frame(InterfaceId out, wire::Ipv4Address next_hop, base::PacketBuffer&& packet,
                      base::Time now);
    void transmit(InterfaceId out, wire::MacAddress dst, wire::EtherType type,
                  base::PacketBuffer&& payload, base::Time now);
    void poll_arp(base::Time now);         // requests to repeat, resolutions that failed
    void poll_reassembly(base::Time now);  // datagrams whose fragments did not all come
    void send_arp(InterfaceId out, wire::ArpOperation op, wire::MacAddress target_mac,
                  wire::Ipv4Address target_ip, wire::MacAddress link_dst, base::Time now);
    // Builds and sends an ICMP error about `offending` (IP header + payload).
    void icmp_error(base::ByteSpan offending, wire::Icmpv4Type type, uint8_t code,
                    uint16_t next_hop_mtu, base::Time now);
    base::Expected<void, SendError> send_icmp(wire::Ipv4Address dst, const wire::Icmpv4Repr& icmp,
                                              base::Time now, SendOptions options = {},
                                              std::optional<wire::Ipv4Address> src = std::nullopt);
    void drop(DropReason reason, base::ByteSpan packet, base::Time now, Layer layer = Layer::ipv4);

    // ---- IPv6 (host_ipv6.cpp) ----
    struct Ipv6Interface {
        bool enabled = false;
        std::vector<Ipv6InterfaceAddress> addresses;
        uint16_t mtu = 0;  // from a router advertisement; 0: the interface's
        // Router discovery: a host's solicitations, a router's advertisements.
        int solicitations_sent = 0;
        base::Time next_solicitation = base::Time::never();
        int advertisements_sent = 0;
        base::Time next_advertisement = base::Time::never();
        // Default routers learned here, until when.
        std::vector<std::pair<wire::Ipv6Address, base::Time>> routers;
    };
    uint16_t mtu6(InterfaceId id) const {
        return ipv6_[id].mtu != 0 ? ipv6_[id].mtu : interfaces_[id].mtu;
    }
    void handle_router_advertisement(InterfaceId in, const wire::Ipv6Repr& ip,
                                     const wire::RouterAdvertisement& ra, base::Time now);
    void autoconfigure(InterfaceId in, const wire::NdpPrefix& prefix, base::Time now);
    void send_router_advertisement(InterfaceId out, const wire::Ipv6Address& to, base::Time now);
    void poll_router_discovery(base::Time now);
    base::Duration advertisement_interval(int sent);  // after the `sent`th advertisement
    // The link-local address once it is usable, else nullopt.
    std::optional<wire::Ipv6Address> ready_link_local(InterfaceId id) const;
    void enable_ipv6(InterfaceId id);
    void add_ipv6_address(InterfaceId id, wire::Ipv6Cidr address, Ipv6Origin origin);
    // One of the interface's addresses (any state), or null.
    const Ipv6InterfaceAddress* own_address(InterfaceId id, const wire::Ipv6Address& a) const;
    Ipv6InterfaceAddress* own_address(InterfaceId id, const wire::Ipv6Address& a);
    // Whether `dst` is a group the interface listens to: all nodes, all
    // routers on a router, the solicited-node group of one of its addresses.
    bool listens_to(InterfaceId id, const wire::Ipv6Address& dst) const;
    std::optional<InterfaceId> first_ipv6_interface() const;
    void handle_ipv6(InterfaceId in, base::PacketBuffer&& packet, base::Time now);
    void forward6(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv6View& view,
                  base::Time now);
    void deliver6(InterfaceId in, base::PacketBuffer&& packet, const wire::Ipv6View& view,
                  const wire::Ipv6Chain& chain, base::Time now);
    std::optional<IcmpError> parse_quoted6(const wire::Ipv6Repr& ip,
                                           const wire::Icmpv6Repr& icmp) const;
    void handle_icmpv6(InterfaceId in, const wire::Ipv6Repr& ip, base::ByteSpan packet,
                       base::ByteSpan message, base::Time now);
    void handle_ndp(InterfaceId in, const wire::Ipv6Repr& ip, const wire::NdpRepr& ndp,
                    base::ByteSpan packet, base::Time now);
    void duplicate_detected(InterfaceId in, const wire::Ipv6Address& address, base::Time now);
    base::Expected<void, SendError> send_icmpv6(const wire::Ipv6Address& dst,
                                                const wire::Icmpv6Repr& icmp, base::Time now,
                                                Send6Options options = {});
    // A neighbour solicitation for `target` from `from`: to its solicited-node
    // group while resolving, to `unicast_to` when probing (RFC 4861 §7.2.2).
    void solicit(InterfaceId out, const wire::Ipv6Address& from, const wire::Ipv6Address& target,
                 std::optional<wire::MacAddress> unicast_to, base::Time now);
    void send_ndp(InterfaceId out, const wire::Ipv6Address& src, const wire::Ipv6Address& dst,
                  const wire::NdpRepr& ndp, std::optional<wire::MacAddress> link_dst,
                  base::Time now);
    // An ICMPv6 error about `offending` (an IPv6 packet), under RFC 4443
    // §2.4's rules and the rate limit.
    void icmpv6_error(base::ByteSpan offending, wire::Icmpv6Type type, uint8_t code,
                      uint32_t parameter, base::Time now);
    // Sends a whole IPv6 packet out of `out` to `next_hop` (resolved by
    // neighbour discovery, or mapped for a multicast destination).
    void output6(InterfaceId out, const wire::Ipv6Address& next_hop, base::PacketBuffer&& packet,
                 base::Time now);
    void poll_ipv6(base::Time now);  // duplicate address detection, neighbour timers
    void loop_back6(base::PacketBuffer&& packet, base::Time now);  // a packet to ourselves
    // Sends a whole packet (fixed header, then `next_header`'s bytes) in
    // fragments of at most `mtu` bytes.
    void fragment6(InterfaceId out, const wire::Ipv6Address& next_hop, base::PacketBuffer&& packet,
                   uint16_t mtu, base::Time now);
    base::Time ipv6_deadline() const;
    uint16_t next_identification() { return ip_identification_++; }

    HostConfig config_;
    base::BufferPool& pool_;
    base::RandomStream random_;
    std::vector<InterfaceConfig> interfaces_;
    // The interfaces' addresses, sorted: every packet a host receives is
    // checked against them twice (martian source, then "for us?"), and a
    // router has many interfaces.
    std::vector<wire::Ipv4Address> local_addresses_;
    // One bit per local address, at a hash of it: a clear bit answers "not
    // ours" at once, as it is for nearly every packet a router forwards.
    uint64_t local_address_bits_ = 0;
    static uint64_t address_bit(wire::Ipv4Address a) {
        return uint64_t{1} << ((a.to_u32() * 0x9e3779b1u) >> 26);
    }
    std::vector<InterfaceId> unannounced_;  // interfaces owing a gratuitous ARP
    RoutingTable routes_;
    ArpCache arp_;
    Reassembler reassembler_;
    Ipv6Reassembler reassembler6_;
    IcmpRateLimiter icmp_limiter_;
    std::vector<Ipv6Interface> ipv6_;  // one per interface
    bool ipv6_any_ = false;            // some interface speaks IPv6: its timers are asked
    Ipv6RoutingTable routes6_;
    NeighborCache neighbors_;
    std::vector<Icmpv6Listener*> icmpv6_listeners_;
    base::Time dad_deadline_ = base::Time::never();     // the next detection step due
    base::Time router_deadline_ = base::Time::never();  // solicitations, advertisements, lifetimes
    uint8_t hop_limit6_ = config_.ipv6.default_hop_limit;  // an advertisement may change it
    PathMtuCache path_mtu_;
    FrameSink sink_;
    Observer* observer_ = nullptr;
    std::vector<std::pair<wire::IpProtocol, Transport*>> transports_;
    std::vector<IcmpListener*> icmp_listeners_;
    std::vector<Pollable*> pollables_;
    std::vector<Pollable*> polling_;            // poll()'s copy of pollables_
    std::vector<base::PacketBuffer> loopback_;  // packets to ourselves, delivered on poll
    uint16_t ip_identification_;
    HostStats stats_;
};

}  // namespace stack
