// rapidcheck generators for addresses and reprs. Reprs with a payload are
// generated with an empty one: the property owns the bytes and points the repr
// at them.
#pragma once

#include <rapidcheck.h>

#include "wire/address.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace testing_support::gen {

inline rc::Gen<wire::MacAddress> mac() {
    return rc::gen::map(rc::gen::arbitrary<std::array<uint8_t, 6>>(),
                        [](std::array<uint8_t, 6> a) { return wire::MacAddress{a}; });
}

inline rc::Gen<wire::Ipv4Address> ipv4_address() {
    return rc::gen::map(rc::gen::arbitrary<uint32_t>(),
                        [](uint32_t v) { return wire::Ipv4Address::from_u32(v); });
}

inline rc::Gen<wire::Ipv6Address> ipv6_address() {
    return rc::gen::map(rc::gen::arbitrary<std::array<uint8_t, 16>>(),
                        [](std::array<uint8_t, 16> a) { return wire::Ipv6Address{a}; });
}

inline rc::Gen<std::vector<std::byte>> bytes(size_t max_len) {
    return rc::gen::map(
        rc::gen::container<std::vector<uint8_t>>(*rc::gen::inRange<size_t>(0, max_len + 1),
                                                 rc::gen::arbitrary<uint8_t>()),
        [](const std::vector<uint8_t>& v) {
            std::vector<std::byte> out(v.size());
            for (size_t i = 0; i < v.size(); ++i)
                out[i] = std::byte{v[i]};
            return out;
        });
}

inline rc::Gen<wire::EthernetRepr> ethernet_repr() {
    return rc::gen::exec([] {
        return wire::EthernetRepr{.dst = *mac(),
                                  .src = *mac(),
                                  .ethertype = wire::EtherType{*rc::gen::arbitrary<uint16_t>()}};
    });
}

inline rc::Gen<wire::ArpRepr> arp_repr() {
    return rc::gen::exec([] {
        return wire::ArpRepr{
            .operation = *rc::gen::element(wire::ArpOperation::request, wire::ArpOperation::reply),
            .sender_mac = *mac(),
            .sender_ip = *ipv4_address(),
            .target_mac = *mac(),
            .target_ip = *ipv4_address()};
    });
}

inline rc::Gen<wire::Ipv4Repr> ipv4_repr() {
    return rc::gen::exec([] {
        return wire::Ipv4Repr{
            .src = *ipv4_address(),
            .dst = *ipv4_address(),
            .protocol = wire::IpProtocol{*rc::gen::arbitrary<uint8_t>()},
            .ttl = *rc::gen::arbitrary<uint8_t>(),
            .dscp = *rc::gen::inRange<uint8_t>(0, 64),
            .ecn = *rc::gen::inRange<uint8_t>(0, 4),
            .identification = *rc::gen::arbitrary<uint16_t>(),
            .dont_fragment = *rc::gen::arbitrary<bool>(),
            .more_fragments = *rc::gen::arbitrary<bool>(),
            .fragment_offset = static_cast<uint16_t>(*rc::gen::inRange<uint16_t>(0, 8192) * 8),
            .payload_len = *rc::gen::inRange<uint16_t>(0, 65516),
        };
    });
}

// Header fields only; `data` is left empty.
inline rc::Gen<wire::Icmpv4Repr> icmpv4_repr() {
    return rc::gen::exec([] {
        wire::Icmpv4Repr r;
        r.type =
            *rc::gen::element(wire::Icmpv4Type::echo_request, wire::Icmpv4Type::echo_reply,
                              wire::Icmpv4Type::dest_unreachable, wire::Icmpv4Type::time_exceeded);
        switch (r.type) {
            case wire::Icmpv4Type::echo_request:
            case wire::Icmpv4Type::echo_reply:
                r.identifier = *rc::gen::arbitrary<uint16_t>();
                r.sequence = *rc::gen::arbitrary<uint16_t>();
                break;
            case wire::Icmpv4Type::dest_unreachable:
                r.code = *rc::gen::inRange<uint8_t>(0, 16);
                if (r.code == static_cast<uint8_t>(wire::UnreachableCode::fragmentation_needed)) {
                    r.next_hop_mtu = *rc::gen::arbitrary<uint16_t>();
                }
                break;
            case wire::Icmpv4Type::time_exceeded:
                r.code = *rc::gen::inRange<uint8_t>(0, 2);
                break;
        }
        return r;
    });
}

// Every field, options within the 40 bytes available; `payload` is left empty.
inline rc::Gen<wire::TcpRepr> tcp_repr() {
    return rc::gen::exec([] {
        wire::TcpRepr r{
            .src_port = *rc::gen::arbitrary<uint16_t>(),
            .dst_port = *rc::gen::arbitrary<uint16_t>(),
            .seq = wire::SeqNum{*rc::gen::arbitrary<uint32_t>()},
            .ack = wire::SeqNum{*rc::gen::arbitrary<uint32_t>()},
            .flags = wire::TcpFlags{*rc::gen::inRange<uint16_t>(0, 0x200)},
            .window = *rc::gen::arbitrary<uint16_t>(),
            .urgent_pointer = *rc::gen::arbitrary<uint16_t>(),
        };
        if (*rc::gen::arbitrary<bool>()) r.mss = *rc::gen::arbitrary<uint16_t>();
        if (*rc::gen::arbitrary<bool>()) r.window_scale = *rc::gen::arbitrary<uint8_t>();
        r.sack_permitted = *rc::gen::arbitrary<bool>();
        if (*rc::gen::arbitrary<bool>()) {
            r.timestamps = wire::TcpTimestamps{*rc::gen::arbitrary<uint32_t>(),
                                               *rc::gen::arbitrary<uint32_t>()};
        }
        const size_t blocks = *rc::gen::inRange<size_t>(0, 5);
        for (size_t i = 0; i < blocks; ++i) {
            r.sack_blocks.push_back({wire::SeqNum{*rc::gen::arbitrary<uint32_t>()},
                                     wire::SeqNum{*rc::gen::arbitrary<uint32_t>()}});
        }
        // Keep only the blocks that fit, so emit → parse gives back the same repr.
        wire::TcpSackList fitting;
        for (size_t i = 0; i < r.sack_blocks_that_fit(); ++i)
            fitting.push_back(r.sack_blocks[i]);
        r.sack_blocks = fitting;
        return r;
    });
}

}  // namespace testing_support::gen
