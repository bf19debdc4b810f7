// TCP segmentation offload at the TAP seam (live/tso.hpp): runs of segments
// merged into one large segment must be exactly what the kernel cuts back
// into the segments TCP made. The reference here cuts a merged frame as the
// kernel's TSO does (tcp_gso_segment: headers copied, sequence numbers and IP
// identifications counted up, PSH and FIN on the last piece only, every
// checksum computed), independently of the code under test.
#include "live/tso.hpp"

#include <gtest/gtest.h>

#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/ipv6.hpp"
#include "wire/tcp.hpp"

namespace {

using wire::Ipv4Address;

const Ipv4Address ours(10, 0, 0, 2), kernel(10, 0, 0, 1);
const wire::Ipv6Address ours6 = wire::Ipv6Address::parse("2001:db8:1::2").value();
const wire::Ipv6Address kernel6 = wire::Ipv6Address::parse("2001:db8:1::1").value();

struct Spec {
    uint16_t src_port = 40000;
    uint32_t seq = 1000;
    uint16_t id = 7;
    size_t payload = 1448;
    uint16_t flags = wire::TcpFlags::ack;
    bool pending = true;  // checksum left to the device
    bool ipv6 = false;
};

// One frame as the host makes it: full checksums, or the TCP one pending.
base::PacketBuffer frame(base::BufferPool& pool, const Spec& s) {
    std::vector<std::byte> data(s.payload);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::byte>((s.seq + i) * 13);
    const wire::TcpRepr tcp{.src_port = s.src_port,
                            .dst_port = 5001,
                            .seq = wire::SeqNum{s.seq},
                            .ack = wire::SeqNum{77},
                            .flags = wire::TcpFlags{s.flags},
                            .window = 1024,
                            .timestamps = wire::TcpTimestamps{5, 6},
                            .payload = data};
    base::PacketBuffer p = pool.acquire();
    const wire::ChecksumFill fill =
        s.pending ? wire::ChecksumFill::pseudo_header : wire::ChecksumFill::full;
    if (s.ipv6)
        tcp.emit(p.append(tcp.buffer_len()), ours6, kernel6, fill);
    else
        tcp.emit(p.append(tcp.buffer_len()), ours, kernel, fill);
    if (s.pending) p.set_checksum_pending(0, wire::tcp::field::checksum.begin);
    const wire::EthernetRepr eth{
        .dst = wire::MacAddress{{2, 0, 0, 0, 0, 1}},
        .src = wire::MacAddress{{2, 0, 0, 0, 0, 2}},
        .ethertype = s.ipv6 ? wire::EtherType::ipv6 : wire::EtherType::ipv4};
    if (s.ipv6) {
        const wire::Ipv6Repr ip{.src = ours6,
                                .dst = kernel6,
                                .next_header = static_cast<uint8_t>(wire::IpProtocol::tcp),
                                .payload_len = static_cast<uint16_t>(tcp.buffer_len())};
        ip.emit(p.prepend(wire::Ipv6Repr::buffer_len()));
        eth.emit(p.prepend(wire::EthernetRepr::buffer_len()));
        return p;
    }
    const wire::Ipv4Repr ip{.src = ours,
                            .dst = kernel,
                            .protocol = wire::IpProtocol::tcp,
                            .identification = s.id,
                            .dont_fragment = true,
                            .payload_len = static_cast<uint16_t>(tcp.buffer_len())};
    ip.emit(p.prepend(wire::Ipv4Repr::buffer_len()));
    eth.emit(p.prepend(wire::EthernetRepr::buffer_len()));
    return p;
}

std::vector<std::byte> bytes_of(const base::PacketBuffer& p) {
    return {p.bytes().begin(), p.bytes().end()};
}

// The kernel's side: a large segment cut at gso_size, every checksum made.
std::vector<std::vector<std::byte>> cut(const live::tso::Frame& f) {
    const base::ByteSpan b = f.bytes.bytes();
    const size_t headers = f.header.hdr_len;
    const size_t payload = b.size() - headers;
    std::vector<std::vector<std::byte>> out;
    const uint32_t seq = base::load_be32(b, 34 + 4);
    const uint16_t id = base::load_be16(b, 14 + 4);
    const auto flags = static_cast<uint8_t>(b[34 + 13]);
    for (size_t at = 0, i = 0; at < payload; at += f.header.gso_size, ++i) {
        const size_t len = std::min<size_t>(f.header.gso_size, payload - at);
        std::vector<std::byte> s(b.begin(), b.begin() + static_cast<ptrdiff_t>(headers));
        s.insert(s.end(), b.begin() + static_cast<ptrdiff_t>(headers + at),
                 b.begin() + static_cast<ptrdiff_t>(headers + at + len));
        const bool last = at + len == payload;
        base::store_be16(s, 14 + 2, static_cast<uint16_t>(s.size() - 14));
        base::store_be16(s, 14 + 4, static_cast<uint16_t>(id + i));
        base::store_be16(s, 14 + 10, 0);
        base::store_be16(s, 14 + 10, wire::checksum::compute(base::ByteSpan(s).subspan(14, 20)));
        base::store_be32(s, 34 + 4, seq + static_cast<uint32_t>(at));
        s[34 + 13] = static_cast<std::byte>(last ? flags : flags & ~0x09);
        base::store_be16(s, 34 + 16, 0);
        base::store_be16(s, 34 + 16,
                         wire::checksum::transport(base::ByteSpan(s).subspan(34), ours, kernel, 6));
        out.push_back(std::move(s));
    }
    return out;
}

// The same over IPv6 (tcp_gso_segment after ipv6_gso_segment): the payload
// length set per piece, no identification, no header checksum.
std::vector<std::vector<std::byte>> cut6(const live::tso::Frame& f) {
    const base::ByteSpan b = f.bytes.bytes();
    const size_t headers = f.header.hdr_len;
    const size_t payload = b.size() - headers;
    constexpr size_t tcp = 14 + 40;
    std::vector<std::vector<std::byte>> out;
    const uint32_t seq = base::load_be32(b, tcp + 4);
    const auto flags = static_cast<uint8_t>(b[tcp + 13]);
    for (size_t at = 0; at < payload; at += f.header.gso_size) {
        const size_t len = std::min<size_t>(f.header.gso_size, payload - at);
        std::vector<std::byte> s(b.begin(), b.begin() + static_cast<ptrdiff_t>(headers));
        s.insert(s.end(), b.begin() + static_cast<ptrdiff_t>(headers + at),
                 b.begin() + static_cast<ptrdiff_t>(headers + at + len));
        const bool last = at + len == payload;
        base::store_be16(s, 14 + 4, static_cast<uint16_t>(s.size() - tcp));
        base::store_be32(s, tcp + 4, seq + static_cast<uint32_t>(at));
        s[tcp + 13] = static_cast<std::byte>(last ? flags : flags & ~0x09);
        base::store_be16(s, tcp + 16, 0);
        base::store_be16(
            s, tcp + 16,
            wire::checksum::transport(base::ByteSpan(s).subspan(tcp), ours6, kernel6, 6));
        out.push_back(std::move(s));
    }
    return out;
}

TEST(Tso, ARunBecomesOneSegmentTheKernelCutsBackIntoTheSame) {
    base::BufferPool pool({.block_size = 70000});
    std::vector<base::PacketBuffer> in;
    std::vector<std::vector<std::byte>> expected;
    for (uint32_t i = 0; i < 11; ++i) {
        Spec s{.seq = 1000 + 1448 * i, .id = static_cast<uint16_t>(7 + i)};
        if (i == 10) {
            s.payload = 300;
            s.flags = wire::TcpFlags::ack | wire::TcpFlags::psh;
        }
        in.push_back(frame(pool, s));
        s.pending = false;
        expected.push_back(bytes_of(frame(pool, s)));
    }
    const auto out = live::tso::coalesce(std::move(in), pool);
    ASSERT_EQ(out.size(), 1u);
    const live::tso::Frame& f = out[0];
    EXPECT_EQ(f.segments, 11u);
    EXPECT_EQ(f.header.gso_type, live::vnet::gso_tcpv4);
    EXPECT_EQ(f.header.flags, live::vnet::flag_needs_checksum);
    EXPECT_EQ(f.header.gso_size, 1448);
    EXPECT_EQ(f.header.hdr_len, 14 + 20 + 32);
    EXPECT_EQ(f.header.csum_start, 34);
    EXPECT_EQ(f.header.csum_offset, 16);
    // Completed as the kernel would complete it, the large segment is valid.
    base::PacketBuffer whole = f.bytes.clone();
    wire::checksum::complete_pending(whole);
    EXPECT_TRUE(wire::checksum::verify(whole.bytes().subspan(14, 20)));
    EXPECT_EQ(wire::checksum::transport(whole.bytes().subspan(34), ours, kernel, 6), 0);
    EXPECT_EQ(cut(f), expected);
}

TEST(Tso, WhatCannotJoinARunPassesInItsPlace) {
    base::BufferPool pool({.block_size = 70000});
    std::vector<base::PacketBuffer> in;
    in.push_back(frame(pool, {.seq = 1000}));                    // A1
    in.push_back(frame(pool, {.seq = 2448}));                    // A2
    in.push_back(frame(pool, {.src_port = 40001, .seq = 9}));    // another flow
    in.push_back(frame(pool, {.seq = 3896}));                    // A3, alone
    in.push_back(frame(pool, {.seq = 5344, .pending = false}));  // summed already
    in.push_back(frame(pool, {.seq = 6792, .flags = 0x18}));     // PSH: starts none
    in.push_back(frame(pool, {.seq = 9999}));                    // a gap
    in.push_back(frame(pool, {.seq = 11447, .payload = 0}));     // a pure ACK
    base::PacketBuffer arp = pool.acquire();
    arp.append(42);
    in.push_back(std::move(arp));
    const auto out = live::tso::coalesce(std::move(in), pool);
    ASSERT_EQ(out.size(), 8u);
    EXPECT_EQ(out[0].segments, 2u);
    EXPECT_EQ(out[0].header.gso_type, live::vnet::gso_tcpv4);
    for (size_t i = 1; i < out.size(); ++i) {
        EXPECT_EQ(out[i].segments, 1u) << i;
        EXPECT_EQ(out[i].header.gso_type, live::vnet::gso_none) << i;
    }
    EXPECT_EQ(base::load_be16(out[1].bytes.bytes(), 34), 40001);
    EXPECT_EQ(out[1].header.flags, live::vnet::flag_needs_checksum);  // pending: the kernel sums
    EXPECT_EQ(out[3].header.flags, 0);                                // summed already
    EXPECT_EQ(out[7].bytes.size(), 42u);
    EXPECT_EQ(out[7].header.flags, 0);
}

TEST(Tso, ARunStopsAtTheLargestIpPacket) {
    base::BufferPool pool({.block_size = 70000});
    std::vector<base::PacketBuffer> in;
    for (uint32_t i = 0; i < 50; ++i)
        in.push_back(frame(pool, {.seq = 1448 * i, .id = static_cast<uint16_t>(i)}));
    const auto out = live::tso::coalesce(std::move(in), pool);
    ASSERT_EQ(out.size(), 2u);
    // 20 + 32 + 45 × 1448 = 65,212 bytes of IP packet; a 46th would not fit.
    EXPECT_EQ(out[0].segments, 45u);
    EXPECT_EQ(out[1].segments, 5u);
    EXPECT_LE(out[0].bytes.size() - 14, 65535u);
    EXPECT_EQ(base::load_be32(out[1].bytes.bytes(), 34 + 4), 1448u * 45);
}

// Software GSO, the way in for the hybrid mode: a large segment cut into the
// segments it was made of, every checksum made — the run coalesced above,
// and what the independent reference cuts.
TEST(Tso, SoftwareSegmentationGivesBackTheSegments) {
    base::BufferPool pool({.block_size = 70000});
    std::vector<base::PacketBuffer> in;
    std::vector<std::vector<std::byte>> expected;
    for (uint32_t i = 0; i < 7; ++i) {
        Spec s{.seq = 500 + 1448 * i, .id = static_cast<uint16_t>(40 + i)};
        if (i == 6) s.flags = wire::TcpFlags::ack | wire::TcpFlags::fin;
        in.push_back(frame(pool, s));
        s.pending = false;
        expected.push_back(bytes_of(frame(pool, s)));
    }
    auto merged = live::tso::coalesce(std::move(in), pool);
    ASSERT_EQ(merged.size(), 1u);
    EXPECT_EQ(cut(merged[0]), expected);
    const live::vnet::Header header = merged[0].header;
    auto pieces = live::tso::segment(std::move(merged[0].bytes), header, pool);
    ASSERT_TRUE(pieces);
    std::vector<std::vector<std::byte>> got;
    for (const base::PacketBuffer& p : *pieces)
        got.push_back(bytes_of(p));
    EXPECT_EQ(got, expected);
}

// A frame with a partial checksum and no segmentation comes out completed;
// a GSO header on something that is not a TCP segment is refused.
TEST(Tso, SoftwareSegmentationCompletesOrRefuses) {
    base::BufferPool pool({.block_size = 70000});
    base::PacketBuffer p = frame(pool, {.payload = 100});
    const std::vector<std::byte> full = bytes_of(frame(pool, {.payload = 100, .pending = false}));
    const live::vnet::Header partial{
        .flags = live::vnet::flag_needs_checksum, .csum_start = 34, .csum_offset = 16};
    auto one = live::tso::segment(std::move(p), partial, pool);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ(bytes_of((*one)[0]), full);

    base::PacketBuffer arp = pool.acquire();
    arp.append(60);
    const live::vnet::Header gso{.gso_type = live::vnet::gso_tcpv4, .gso_size = 1448};
    auto refused = live::tso::segment(std::move(arp), gso, pool);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), live::vnet::Problem::not_tcp);
}

TEST(Tso, ARunOverIpv6BecomesOneSegmentTheKernelCutsBackIntoTheSame) {
    base::BufferPool pool({.block_size = 70000});
    std::vector<base::PacketBuffer> in;
    std::vector<std::vector<std::byte>> expected;
    for (uint32_t i = 0; i < 9; ++i) {
        Spec s{.seq = 3000 + 1428 * i, .payload = 1428, .ipv6 = true};
        if (i == 8) {
            s.payload = 500;
            s.flags = wire::TcpFlags::ack | wire::TcpFlags::psh | wire::TcpFlags::fin;
        }
        in.push_back(frame(pool, s));
        s.pending = false;
        expected.push_back(bytes_of(frame(pool, s)));
    }
    // An IPv4 segment that would continue the run by its numbers does not.
    in.push_back(frame(pool, {.seq = 3000 + 1428 * 8 + 500}));
    auto out = live::tso::coalesce(std::move(in), pool);
    ASSERT_EQ(out.size(), 2u);
    const live::tso::Frame& f = out[0];
    EXPECT_EQ(f.segments, 9u);
    EXPECT_EQ(f.header.gso_type, live::vnet::gso_tcpv6);
    EXPECT_EQ(f.header.flags, live::vnet::flag_needs_checksum);
    EXPECT_EQ(f.header.gso_size, 1428);
    EXPECT_EQ(f.header.hdr_len, 14 + 40 + 32);
    EXPECT_EQ(f.header.csum_start, 54);
    EXPECT_EQ(f.header.csum_offset, 16);
    base::PacketBuffer whole = f.bytes.clone();
    wire::checksum::complete_pending(whole);
    EXPECT_EQ(base::load_be16(whole.bytes(), 14 + 4), whole.size() - 54);
    EXPECT_EQ(wire::checksum::transport(whole.bytes().subspan(54), ours6, kernel6, 6), 0);
    EXPECT_EQ(cut6(f), expected);
    EXPECT_EQ(out[1].segments, 1u);
    EXPECT_EQ(out[1].header.gso_type, live::vnet::gso_none);

    // And the software way back gives the same segments.
    const live::vnet::Header header = f.header;
    auto pieces = live::tso::segment(std::move(out[0].bytes), header, pool);
    ASSERT_TRUE(pieces);
    std::vector<std::vector<std::byte>> got;
    for (const base::PacketBuffer& p : *pieces)
        got.push_back(bytes_of(p));
    EXPECT_EQ(got, expected);
}

}  // namespace
