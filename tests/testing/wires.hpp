// Hosts joined by wires, without a simulator: frames move when the test pumps
// them. For tests of the stack and the sockets below the simulator.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stack/host.hpp"

namespace testing_support {

using base::Time;
using stack::DropReason;
using stack::Host;
using wire::Ipv4Address;

class Recorder : public stack::Observer {
  public:
    void dropped(Time, DropReason r, stack::Layer, base::ByteSpan) override { ++drops[r]; }
    std::map<DropReason, int> drops;
};

class Listener : public stack::IcmpListener {
  public:
    void icmp_received(const stack::IcmpMessage& m, Time) override {
        messages.push_back(m);
        messages.back().icmp.data = {};  // borrowed only during the call
        if (m.error) messages.back().error->original_payload = {};
    }
    std::vector<stack::IcmpMessage> messages;
};

class Counter : public stack::Transport {
  public:
    void receive(const stack::IpPacketInfo& info, base::PacketBuffer payload, Time) override {
        sizes.push_back(payload.size());
        sources.push_back(info.source);
    }
    void icmp_error(const stack::IcmpError& e, Time) override {
        errors.push_back(wire::Icmpv4Type{e.type});
    }
    void poll(Time) override {}
    Time next_deadline() const override { return Time::never(); }
    std::vector<size_t> sizes;
    std::vector<wire::IpAddress> sources;
    std::vector<wire::Icmpv4Type> errors;
};

// A little Ethernet: hosts joined pairwise by wires; frames move when pumped.
class Wires {
  public:
    base::BufferPool pool;

    // A host seeded with `seed`, or with its place in the list.
    Host& add(const std::string& name, bool router = false,
              std::optional<base::Seed> seed = std::nullopt) {
        return add({.name = name, .forwarding = router}, seed);
    }
    Host& add(stack::HostConfig config, std::optional<base::Seed> seed = std::nullopt) {
        hosts_.push_back(std::make_unique<Host>(std::move(config), pool,
                                                seed.value_or(base::Seed{hosts_.size() + 1})));
        return *hosts_.back();
    }
    // Joins host a's new interface to host b's, on `subnet` (addresses .1 and .2).
    void join(Host& a, Host& b, uint32_t subnet_base, uint16_t mtu = 1500) {
        const wire::MacAddress mac_a = mac();  // in this order: a's first
        const wire::MacAddress mac_b = mac();
        connect(a,
                {.name = "eth",
                 .mac = mac_a,
                 .address = {Ipv4Address::from_u32(subnet_base + 1), 24},
                 .mtu = mtu},
                b,
                {.name = "eth",
                 .mac = mac_b,
                 .address = {Ipv4Address::from_u32(subnet_base + 2), 24},
                 .mtu = mtu});
    }
    // The same for IPv6 alone: `prefix`::1/64 and `prefix`::2/64, and the
    // link-local addresses the hosts make from their MACs.
    void join6(Host& a, Host& b, wire::Ipv6Address prefix, uint16_t mtu = 1500) {
        const wire::MacAddress mac_a = mac();
        const wire::MacAddress mac_b = mac();
        connect(
            a, {.name = "eth", .mac = mac_a, .mtu = mtu, .ipv6_addresses = {{with(prefix, 1), 64}}},
            b,
            {.name = "eth", .mac = mac_b, .mtu = mtu, .ipv6_addresses = {{with(prefix, 2), 64}}});
    }
    // Both: IPv4's .1 and .2 in `subnet_base`/24, IPv6's ::1 and ::2 in `prefix`/64.
    void join_dual(Host& a, Host& b, uint32_t subnet_base, wire::Ipv6Address prefix) {
        const wire::MacAddress mac_a = mac();
        const wire::MacAddress mac_b = mac();
        connect(a,
                {.name = "eth",
                 .mac = mac_a,
                 .address = {Ipv4Address::from_u32(subnet_base + 1), 24},
                 .ipv6_addresses = {{with(prefix, 1), 64}}},
                b,
                {.name = "eth",
                 .mac = mac_b,
                 .address = {Ipv4Address::from_u32(subnet_base + 2), 24},
                 .ipv6_addresses = {{with(prefix, 2), 64}}});
    }
    static wire::Ipv6Address with(wire::Ipv6Address prefix, uint8_t last) {
        auto b = prefix.bytes();
        b[15] = last;
        return wire::Ipv6Address{b};
    }
    void connect(Host& a, stack::InterfaceConfig ca, Host& b, stack::InterfaceConfig cb) {
        const auto ia = a.add_interface(std::move(ca));
        const auto ib = b.add_interface(std::move(cb));
        peer_[{&a, ia}] = {&b, ib};
        peer_[{&b, ib}] = {&a, ia};
        for (Host* h : {&a, &b}) {
            h->set_frame_sink([this, h](stack::InterfaceId i, base::PacketBuffer f) {
                sent.push_back({h, i, {f.bytes().begin(), f.bytes().end()}});
                queue_.push_back({h, i, std::move(f)});
            });
        }
    }
    // Polls everyone, then delivers frames until none are left; repeats while a
    // host wants another poll at `now` (bounded).
    void pump(Time now) {
        for (int round = 0; round < 1000; ++round) {
            for (auto& h : hosts_)
                h->poll(now);
            deliver(now);
            bool again = false;
            for (auto& h : hosts_)
                again = again || h->next_deadline() <= now;
            if (!again) return;
        }
    }
    // Runs from `from` to `to`, pumping at every host deadline in between.
    void run(Time from, Time to) {
        Time now = from;
        while (true) {
            pump(now);
            Time next = Time::never();
            for (auto& h : hosts_)
                next = std::min(next, h->next_deadline());
            if (next > to) return;
            now = std::max(next, now + base::Duration::nanoseconds(1));
        }
    }
    // Called for each frame about to be delivered; may change it, or return
    // false to lose it.
    std::function<bool(std::vector<std::byte>&)> tamper;

    struct Record {
        Host* from;
        stack::InterfaceId interface;
        std::vector<std::byte> frame;
    };
    std::vector<Record> sent;

  private:
    void deliver(Time now) {
        for (int guard = 0; guard < 1000000 && !queue_.empty(); ++guard) {
            InFlight f = std::move(queue_.front());
            queue_.pop_front();
            auto [to, interface] = peer_.at({f.from, f.interface});
            if (tamper) {
                std::vector<std::byte> bytes(f.frame.bytes().begin(), f.frame.bytes().end());
                if (!tamper(bytes)) continue;
                f.frame = pool.copy_of(bytes);
            }
            to->receive(interface, std::move(f.frame), now);
        }
    }
    wire::MacAddress mac() {
        return wire::MacAddress{{0x02, 0, 0, 0, 0, static_cast<uint8_t>(++macs_)}};
    }
    struct InFlight {
        Host* from;
        stack::InterfaceId interface;
        base::PacketBuffer frame;
    };
    std::vector<std::unique_ptr<Host>> hosts_;
    std::map<std::pair<Host*, stack::InterfaceId>, std::pair<Host*, stack::InterfaceId>> peer_;
    std::deque<InFlight> queue_;
    int macs_ = 0;
};

}  // namespace testing_support
