// Ports: which program on this host owns which (address, port), per protocol.
// "The IP address is the apartment building, the port is the unit."
//
// Binding rules, as Linux has them for its sockets:
//  - a binding is a local endpoint (address, or 0.0.0.0 or :: for any address
//    of its family; port) and, once connected, a remote endpoint;
//  - IPv4 and IPv6 addresses are apart, except that a binding to :: may be
//    dual-stack (Linux's IPV6_V6ONLY off): it then covers every IPv4 address
//    too, and IPv4 packets reach it with their IPv4 addresses (the socket
//    layer shows them as IPv4-mapped IPv6 ones);
//  - two bindings conflict when their ports are equal and their local
//    addresses overlap (equal, or either is the wildcard of the other's
//    family), unless both asked for reuse, or both are connected to different
//    remote endpoints (so many connections can share a local port, as they do
//    with a server's);
//  - a datagram or segment goes to the most specific binding that matches:
//    connected to its source over not connected, a specific local address over
//    a wildcard, a wildcard of the packet's family over a dual-stack ::;
//    among equals, the most recently bound.
//
// Ephemeral ports come from 49152–65535 (RFC 6335) by RFC 6056's randomized
// algorithms: Algorithm 1 (random start, then the next free port) when the
// remote endpoint is not known yet, and Algorithm 4 ("double-hash", with random
// increments as Linux uses it) when it is, which spreads ports per destination
// and never reuses a 4-tuple that is live.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/random.hpp"
#include "base/result.hpp"
#include "base/siphash.hpp"
#include "wire/address.hpp"

namespace stack {

struct Endpoint {
    wire::IpAddress address;  // 0.0.0.0 or :: for any of its family
    uint16_t port = 0;

    auto operator<=>(const Endpoint&) const = default;
    std::string to_string() const;  // "10.0.0.1:80", "[2001:db8::1]:80"
};

enum class PortError : uint8_t {
    in_use,     // another binding holds it
    exhausted,  // no ephemeral port is free
    not_bound,  // connect() of an owner that holds no binding
};

std::string_view to_string(PortError e);

// Whether bindings to `a` and to `b` (each dual-stack or not; that matters
// only for ::) take in packets to some address in common.
bool addresses_overlap(const wire::IpAddress& a, bool a_dual, const wire::IpAddress& b,
                       bool b_dual);

struct PortRange {
    uint16_t first = 49152;
    uint16_t last = 65535;
};

class PortTable {
  public:
    using Owner = uint32_t;
    // For protocols with state beyond the table (TCP's connections): whether a
    // 4-tuple is live, so an ephemeral port is never chosen onto one.
    using TupleInUse = std::function<bool(Endpoint local, Endpoint remote)>;

    // `secret` keys the hashes of Algorithm 4; `random` serves Algorithm 1 and
    // the initial counters.
    PortTable(base::SipKey secret, base::RandomStream& random, PortRange ephemeral = {});

    // Binds `owner` (which holds no binding) to `local`; local.port must not be
    // 0. `dual_stack` matters only for local.address ::.
    base::Expected<void, PortError> bind(Owner owner, Endpoint local, bool reuse,
                                         bool dual_stack = false);
    // Binds `owner` to an ephemeral port on `local_address`; if `remote` is
    // given the owner is connected to it at once. Returns the port.
    base::Expected<uint16_t, PortError> bind_ephemeral(Owner owner, wire::IpAddress local_address,
                                                       std::optional<Endpoint> remote,
                                                       bool reuse = false, bool dual_stack = false);
    // Connects a bound owner to `remote`; fails if that makes a 4-tuple another
    // binding already has.
    base::Expected<void, PortError> connect(Owner owner, Endpoint remote);
    void release(Owner owner);

    // The owner a packet from `remote` to `local` belongs to.
    std::optional<Owner> lookup(Endpoint local, Endpoint remote) const;
    std::optional<Endpoint> local_of(Owner owner) const;
    std::optional<Endpoint> remote_of(Owner owner) const;
    size_t size() const { return owners_.size(); }

    void set_tuple_in_use(TupleInUse f) { tuple_in_use_ = std::move(f); }

  private:
    struct Binding {
        Owner owner;
        Endpoint local;
        std::optional<Endpoint> remote;
        bool reuse;
        bool dual_stack;    // local.address is :: and covers IPv4 too
        uint64_t sequence;  // bind order
    };

    bool conflicts(const Binding& candidate) const;
    bool suitable(const Binding& candidate) const;
    void insert(Binding b);

    base::SipKey offset_key_;
    base::SipKey index_key_;
    base::RandomStream& random_;
    PortRange range_;
    std::array<uint32_t, 256> perturbation_{};  // Algorithm 4's table
    std::map<uint16_t, std::vector<Binding>> by_port_;
    std::map<Owner, uint16_t> owners_;
    uint64_t sequence_ = 0;
    TupleInUse tuple_in_use_;
};

}  // namespace stack
