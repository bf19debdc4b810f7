// Writes pcap files of frames built by the wire encoders, for tshark to judge.
//
//   wire_samples GOOD.pcap CORRUPT.pcap
//
// GOOD holds several frames of every kind the codecs emit (ARP, ICMP echo and
// errors, UDP, TCP with every option, IPv4 fragments), from fixed and random
// field values. CORRUPT holds copies of some of them with one bit flipped inside
// a checksummed region, so the check can prove tshark notices. Prints the frame
// counts as "good=N corrupt=M" for the test to pass on.
#include <cstdio>
#include <fstream>
#include <vector>

#include "base/buffer.hpp"
#include "base/random.hpp"
#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/ipv4.hpp"
#include "wire/pcap.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace {

using base::ByteSpan;
using wire::Ipv4Address;
using wire::MacAddress;

constexpr MacAddress mac_a{{0x02, 0, 0, 0, 0, 0x0a}};
constexpr MacAddress mac_b{{0x02, 0, 0, 0, 0, 0x0b}};
constexpr Ipv4Address ip_a{10, 0, 0, 1};
constexpr Ipv4Address ip_b{10, 0, 0, 2};

class SampleWriter {
  public:
    explicit SampleWriter(base::BufferPool& pool) : pool_(pool) {
        wire::pcap::append_file_header(file_);
    }

    void add(ByteSpan frame) {
        wire::pcap::append_record(file_, time_ns_, frame);
        time_ns_ += 1'000'000;
        ++frames_;
    }

    // Ethernet + IPv4 around an already-emitted transport payload.
    base::PacketBuffer ip_frame(wire::Ipv4Repr ip, ByteSpan l4, MacAddress src = mac_a,
                                MacAddress dst = mac_b) {
        base::PacketBuffer p = pool_.acquire();
        p.append(l4);
        ip.payload_len = static_cast<uint16_t>(l4.size());
        ip.emit(p.prepend(wire::Ipv4Repr::buffer_len()));
        wire::EthernetRepr{.dst = dst, .src = src, .ethertype = wire::EtherType::ipv4}.emit(
            p.prepend(wire::EthernetRepr::buffer_len()));
        return p;
    }

    bool write(const char* path) const {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(file_.data()),
                static_cast<std::streamsize>(file_.size()));
        return static_cast<bool>(f);
    }
    int frames() const { return frames_; }

  private:
    base::BufferPool& pool_;
    std::vector<std::byte> file_;
    int64_t time_ns_ = 1'700'000'000'000'000'000;
    int frames_ = 0;
};

std::vector<std::byte> emit_tcp(const wire::TcpRepr& r, Ipv4Address src, Ipv4Address dst) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    return b;
}

std::vector<std::byte> emit_udp(const wire::UdpRepr& r, Ipv4Address src, Ipv4Address dst) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    return b;
}

std::vector<std::byte> emit_icmp(const wire::Icmpv4Repr& r) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b);
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: wire_samples GOOD.pcap CORRUPT.pcap\n");
        return 2;
    }
    base::BufferPool pool;
    SampleWriter good(pool);
    SampleWriter corrupt(pool);
    base::RandomStream rng{base::Seed{2026}};
    std::vector<std::vector<std::byte>> to_corrupt;  // frames to damage afterwards

    const wire::Ipv4Repr ip_tcp{
        .src = ip_a, .dst = ip_b, .protocol = wire::IpProtocol::tcp, .dont_fragment = true};
    const wire::Ipv4Repr ip_udp{.src = ip_a, .dst = ip_b, .protocol = wire::IpProtocol::udp};
    const wire::Ipv4Repr ip_icmp{.src = ip_b, .dst = ip_a, .protocol = wire::IpProtocol::icmp};

    // ARP request and reply (padded to the Ethernet minimum, as NICs do).
    for (auto op : {wire::ArpOperation::request, wire::ArpOperation::reply}) {
        std::vector<std::byte> frame(wire::ethernet::min_frame_len);
        const bool req = op == wire::ArpOperation::request;
        wire::EthernetRepr{.dst = req ? MacAddress::broadcast() : mac_a,
                           .src = req ? mac_a : mac_b,
                           .ethertype = wire::EtherType::arp}
            .emit(frame);
        wire::ArpRepr{.operation = op,
                      .sender_mac = req ? mac_a : mac_b,
                      .sender_ip = req ? ip_a : ip_b,
                      .target_mac = req ? MacAddress{} : mac_a,
                      .target_ip = req ? ip_b : ip_a}
            .emit(base::MutableByteSpan{frame}.subspan(wire::ethernet::header_len));
        good.add(frame);
    }

    // TCP: a handshake with every option, data with SACK blocks, FIN, RST.
    const std::string hello = "Hello!";
    const wire::TcpRepr syn{.src_port = 49152,
                            .dst_port = 80,
                            .seq = wire::SeqNum{1000},
                            .flags = wire::TcpFlags{wire::TcpFlags::syn},
                            .window = 64240,
                            .mss = 1460,
                            .window_scale = 7,
                            .sack_permitted = true,
                            .timestamps = wire::TcpTimestamps{12345, 0}};
    wire::TcpRepr syn_ack = syn;
    syn_ack.src_port = 80;
    syn_ack.dst_port = 49152;
    syn_ack.seq = wire::SeqNum{5000};
    syn_ack.ack = wire::SeqNum{1001};
    syn_ack.flags = wire::TcpFlags{wire::TcpFlags::syn | wire::TcpFlags::ack};
    syn_ack.timestamps = wire::TcpTimestamps{777, 12345};
    const wire::TcpRepr data{.src_port = 49152,
                             .dst_port = 80,
                             .seq = wire::SeqNum{1001},
                             .ack = wire::SeqNum{5001},
                             .flags = wire::TcpFlags{wire::TcpFlags::ack | wire::TcpFlags::psh},
                             .window = 502,
                             .timestamps = wire::TcpTimestamps{12400, 777},
                             .payload = base::as_bytes(hello)};
    wire::TcpRepr sack{.src_port = 80,
                       .dst_port = 49152,
                       .seq = wire::SeqNum{5001},
                       .ack = wire::SeqNum{1007},
                       .flags = wire::TcpFlags{wire::TcpFlags::ack},
                       .window = 509,
                       .timestamps = wire::TcpTimestamps{800, 12400}};
    sack.sack_blocks.push_back({wire::SeqNum{3927}, wire::SeqNum{5387}});
    sack.sack_blocks.push_back({wire::SeqNum{2467}, wire::SeqNum{2927}});
    wire::TcpRepr fin = data;
    fin.seq = wire::SeqNum{1007};
    fin.flags = wire::TcpFlags{wire::TcpFlags::fin | wire::TcpFlags::ack};
    fin.payload = {};
    const wire::TcpRepr rst{.src_port = 80,
                            .dst_port = 49153,
                            .seq = wire::SeqNum{0},
                            .ack = wire::SeqNum{77},
                            .flags = wire::TcpFlags{wire::TcpFlags::rst | wire::TcpFlags::ack}};
    for (const wire::TcpRepr* t :
         std::initializer_list<const wire::TcpRepr*>{&syn, &syn_ack, &data, &sack, &fin, &rst}) {
        const bool from_server = t->src_port == 80;
        wire::Ipv4Repr ip = ip_tcp;
        if (from_server) std::swap(ip.src, ip.dst);
        const auto seg = emit_tcp(*t, ip.src, ip.dst);
        auto frame =
            good.ip_frame(ip, seg, from_server ? mac_b : mac_a, from_server ? mac_a : mac_b);
        good.add(frame.bytes());
        to_corrupt.emplace_back(frame.bytes().begin(), frame.bytes().end());
    }

    // Random TCP segments: random fields and payloads (options as Linux sends).
    for (int i = 0; i < 20; ++i) {
        std::vector<std::byte> payload(rng.uniform(1400));
        rng.fill(payload);
        wire::TcpRepr t{.src_port = static_cast<uint16_t>(rng.uniform_in(50000, 59999)),
                        .dst_port = static_cast<uint16_t>(rng.uniform_in(50000, 59999)),
                        .seq = wire::SeqNum{rng.next_u32()},
                        .ack = wire::SeqNum{rng.next_u32()},
                        .flags = wire::TcpFlags{static_cast<uint16_t>(
                            wire::TcpFlags::ack | (rng.chance(0.5) ? wire::TcpFlags::psh : 0))},
                        .window = static_cast<uint16_t>(rng.next_u32()),
                        .payload = payload};
        if (rng.chance(0.5)) t.timestamps = wire::TcpTimestamps{rng.next_u32(), rng.next_u32()};
        good.add(good.ip_frame(ip_tcp, emit_tcp(t, ip_a, ip_b)).bytes());
    }

    // UDP of several sizes, one with the "no checksum" zero. Random payloads go
    // between dynamic ports, where no application dissector claims them (tshark
    // would call random bytes on port 53 malformed DNS).
    for (size_t len : {0, 1, 64, 512, 1472}) {
        std::vector<std::byte> payload(len);
        rng.fill(payload);
        const auto d =
            emit_udp({.src_port = 50000, .dst_port = 50001, .payload = payload}, ip_a, ip_b);
        auto frame = good.ip_frame(ip_udp, d);
        good.add(frame.bytes());
        if (len == 64) to_corrupt.emplace_back(frame.bytes().begin(), frame.bytes().end());
    }
    {
        // A real DNS query for kiminje.shop/A, to port 53.
        const std::string query =
            std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) +
            std::string("\x07kiminje\x04shop\x00\x00\x01\x00\x01", 18);
        const auto d = emit_udp(
            {.src_port = 40000, .dst_port = 53, .payload = base::as_bytes(query)}, ip_a, ip_b);
        good.add(good.ip_frame(ip_udp, d).bytes());
    }
    {
        auto d = emit_udp({.src_port = 9, .dst_port = 9, .payload = base::as_bytes("no checksum")},
                          ip_a, ip_b);
        base::store_be16(d, wire::udp::field::checksum, 0);
        good.add(good.ip_frame(ip_udp, d).bytes());
    }

    // ICMP: echo request and reply, port unreachable, fragmentation needed, time
    // exceeded; errors quote the offending datagram's header and 8 bytes.
    std::vector<std::byte> ping_data(56);
    rng.fill(ping_data);
    for (auto type : {wire::Icmpv4Type::echo_request, wire::Icmpv4Type::echo_reply}) {
        const auto m =
            emit_icmp({.type = type, .identifier = 0x4242, .sequence = 1, .data = ping_data});
        wire::Ipv4Repr ip = ip_icmp;
        if (type == wire::Icmpv4Type::echo_request) std::swap(ip.src, ip.dst);
        auto frame = good.ip_frame(ip, m);
        good.add(frame.bytes());
        if (type == wire::Icmpv4Type::echo_reply)
            to_corrupt.emplace_back(frame.bytes().begin(), frame.bytes().end());
    }
    const auto offending = good.ip_frame(
        ip_udp, emit_udp({.src_port = 40000, .dst_port = 33434, .payload = base::as_bytes("probe")},
                         ip_a, ip_b));
    const ByteSpan quoted = offending.bytes().subspan(14, 20 + 8);
    struct Err {
        wire::Icmpv4Type type;
        uint8_t code;
        uint16_t mtu;
    };
    for (const Err& e : {Err{wire::Icmpv4Type::dest_unreachable, 3, 0},
                         Err{wire::Icmpv4Type::dest_unreachable, 1, 0},
                         Err{wire::Icmpv4Type::dest_unreachable, 4, 1280},
                         Err{wire::Icmpv4Type::time_exceeded, 0, 0}}) {
        const auto m =
            emit_icmp({.type = e.type, .code = e.code, .next_hop_mtu = e.mtu, .data = quoted});
        good.add(good.ip_frame(ip_icmp, m).bytes());
    }

    // A 3000-byte UDP datagram split into three IPv4 fragments (1480, 1480, 48).
    {
        std::vector<std::byte> payload(2992);
        rng.fill(payload);
        const auto d =
            emit_udp({.src_port = 7000, .dst_port = 7001, .payload = payload}, ip_a, ip_b);
        for (size_t off = 0; off < d.size(); off += 1480) {
            const size_t len = std::min<size_t>(1480, d.size() - off);
            wire::Ipv4Repr ip = ip_udp;
            ip.identification = 0x5151;
            ip.fragment_offset = static_cast<uint16_t>(off);
            ip.more_fragments = off + len < d.size();
            good.add(good.ip_frame(ip, ByteSpan{d}.subspan(off, len)).bytes());
        }
    }

    // The damaged copies: flip one bit in the frame's last byte (data, options or
    // urgent pointer: covered by the TCP/UDP/ICMP checksum, no length field) or,
    // for every other one, in the IPv4 TTL (covered by the header checksum).
    int flip = 0;
    for (auto& frame : to_corrupt) {
        const size_t at = (flip % 2 == 0) ? frame.size() - 1 : 14 + 8;
        frame[at] ^= std::byte{0x10};
        corrupt.add(frame);
        ++flip;
    }

    if (!good.write(argv[1]) || !corrupt.write(argv[2])) {
        std::fprintf(stderr, "wire_samples: cannot write output files\n");
        return 1;
    }
    std::printf("good=%d corrupt=%d\n", good.frames(), corrupt.frames());
    return 0;
}
