// traceroute with ICMP echo probes (as `traceroute -I`; ICMPv6 echo to an
// IPv6 address, as `traceroute -6 -I`): probes with TTL (hop limit) 1, 2, …
// draw "time exceeded" from each router on the path until the destination
// answers. Prints what traceroute prints: a line per hop, each probe's time, a
// star for a probe without answer, !H/!N/!P for unreachable answers.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "apps/output.hpp"
#include "stack/host.hpp"

namespace apps {

struct TracerouteOptions {
    wire::IpAddress destination;
    std::string destination_name;
    int first_ttl = 1;
    int max_hops = 30;
    int probes = 3;                                    // per hop
    base::Duration wait = base::Duration::seconds(5);  // per probe
    size_t packet_len = 60;                            // whole IP packet, as traceroute counts
};

struct TracerouteHop {
    int ttl = 0;
    // One entry per probe: who answered (unspecified for none) and how fast.
    std::vector<wire::IpAddress> from;
    std::vector<base::Duration> rtt;
};

class Traceroute : public stack::Pollable,
                   public stack::IcmpListener,
                   public stack::Icmpv6Listener {
  public:
    using Output = apps::Output;
    using NameOf = std::function<std::string(const wire::IpAddress&)>;

    Traceroute(stack::Host& host, TracerouteOptions options, Output output, NameOf name_of = {});
    Traceroute(const Traceroute&) = delete;
    Traceroute& operator=(const Traceroute&) = delete;
    ~Traceroute() override;

    void start(base::Time now);
    bool done() const { return done_; }
    bool reached() const { return reached_; }
    const std::vector<TracerouteHop>& hops() const { return hops_; }

    void poll(base::Time now) override;
    base::Time next_deadline() const override;
    void icmp_received(const stack::IcmpMessage& message, base::Time now) override;
    void icmpv6_received(const stack::Icmpv6Message& message, base::Time now) override;

  private:
    void send_probe(base::Time now);
    void probe_answered(const wire::IpAddress& from, base::Time now, std::string_view mark);
    void probe_done(base::Time now);
    std::string label(const wire::IpAddress& a) const;

    stack::Host& host_;
    TracerouteOptions options_;
    Output output_;
    NameOf name_of_;
    uint16_t identifier_;
    std::vector<std::byte> payload_;
    std::vector<TracerouteHop> hops_;
    std::string line_;  // the hop line being built
    wire::IpAddress last_from_;
    int ttl_ = 0;
    int probe_ = 0;
    uint16_t sequence_ = 0;
    base::Time sent_at_ = base::Time::never();
    base::Time deadline_ = base::Time::never();
    bool waiting_ = false;
    bool hop_reached_destination_ = false;
    bool reached_ = false;
    bool done_ = false;
};

}  // namespace apps
