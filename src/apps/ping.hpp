// ping, as iputils prints it: ICMP echo requests (ICMPv6's to an IPv6
// address) at an interval, a line per reply or error, statistics at the end.
//
// A sans-IO program on a host: it sends through the host, hears ICMP as a
// listener, and keeps time as a Pollable, so it runs unchanged in the simulator
// and on a TAP device.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "apps/output.hpp"
#include "stack/host.hpp"

namespace apps {

struct PingOptions {
    wire::IpAddress destination;
    std::string destination_name;  // as the user wrote it; empty: the address
    int count = 4;
    base::Duration interval = base::Duration::seconds(1);
    size_t size = 56;  // data bytes after the 8-byte ICMP header
    uint8_t ttl = 0;   // or hop limit; 0: the host's default
    // After the last request, how long to wait for replies (iputils' -W).
    base::Duration linger = base::Duration::seconds(10);
};

struct PingStats {
    int transmitted = 0;
    int received = 0;
    int errors = 0;  // ICMP errors about our requests, and send failures
    int duplicates = 0;
    std::vector<base::Duration> rtts;
    base::Duration elapsed{};
};

class Ping : public stack::Pollable, public stack::IcmpListener, public stack::Icmpv6Listener {
  public:
    using Output = apps::Output;
    using NameOf = std::function<std::string(wire::Ipv4Address)>;

    Ping(stack::Host& host, PingOptions options, Output output);
    Ping(const Ping&) = delete;
    Ping& operator=(const Ping&) = delete;
    ~Ping() override;

    void start(base::Time now);
    bool done() const { return done_; }
    const PingStats& stats() const { return stats_; }

    void poll(base::Time now) override;
    base::Time next_deadline() const override;
    void icmp_received(const stack::IcmpMessage& message, base::Time now) override;
    void icmpv6_received(const stack::Icmpv6Message& message, base::Time now) override;

  private:
    // A reply to `sequence` from the destination, `size` bytes of ICMP.
    void reply(uint16_t sequence, size_t size, uint8_t ttl, base::Time now);
    // An error about our request `sequence`, from `reporter`, said as `what`.
    void error(uint16_t sequence, const wire::IpAddress& reporter, const std::string& what,
               base::Time now);
    void finish_if_answered(base::Time now);
    void send_next(base::Time now);
    void finish(base::Time now);
    std::string target() const;

    stack::Host& host_;
    PingOptions options_;
    Output output_;
    uint16_t identifier_;
    std::vector<std::byte> payload_;
    std::map<uint16_t, base::Time> outstanding_;  // sequence → sent at
    std::map<uint16_t, bool> answered_;
    base::Time started_ = base::Time::never();
    base::Time next_send_ = base::Time::never();
    base::Time give_up_ = base::Time::never();
    uint16_t next_sequence_ = 1;
    bool done_ = false;
    PingStats stats_;
};

// "20.4", "0.045", "120": milliseconds as iputils shows a round-trip time.
std::string format_rtt_ms(base::Duration rtt);

}  // namespace apps
