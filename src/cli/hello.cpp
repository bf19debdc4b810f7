#include "cli/hello.hpp"

#include <fstream>

#include <fmt/format.h>

#include "base/buffer.hpp"
#include "report/dissect.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/pcap.hpp"
#include "wire/tcp.hpp"

namespace cli {
namespace {

constexpr wire::Ipv4Address client_ip{100, 100, 100, 1};
constexpr wire::Ipv4Address server_ip{200, 200, 200, 2};
constexpr wire::MacAddress client_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
constexpr wire::MacAddress router_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};

void print_layer(std::FILE* out, const report::DissectedLayer& layer) {
    fmt::print(out, "  {} — {}\n", layer.name, layer.summary);
    for (const report::Field& f : layer.fields)
        fmt::print(out, "    {:<22} {}\n", f.name, f.value);
    if (!layer.problem.empty()) fmt::print(out, "    !! {}\n", layer.problem);
}

}  // namespace

int run_hello(const HelloOptions& options, std::FILE* out) {
    base::BufferPool pool;
    base::PacketBuffer packet = pool.acquire();
    const base::ByteSpan message = base::as_bytes(options.message);
    if (message.size() > 1400) {
        fmt::print(stderr,
                   "minternet hello: the message is {} bytes; at most 1400 fit in one frame\n",
                   message.size());
        return 2;
    }

    fmt::print(out, "How \"{}\" travels: each layer wraps the one above it.\n\n", options.message);

    // 1. The application's data.
    packet.append(message);
    fmt::print(out, "1. Application data, {} bytes\n{}\n", packet.size(),
               report::hexdump(packet.bytes(), "   "));

    // 2. TCP prepends its header: ports tell the programs apart, the sequence
    //    number orders the bytes. This is the third segment of the handshake,
    //    carrying data (the seeds' "data may ride on the third segment").
    const wire::TcpRepr tcp{
        .src_port = 49152,
        .dst_port = 80,
        .seq = wire::SeqNum{1000001},
        .ack = wire::SeqNum{3000001},
        .flags = wire::TcpFlags{wire::TcpFlags::ack | wire::TcpFlags::psh},
        .window = 64240,
        .payload = packet.bytes(),
    };
    const size_t tcp_header_len = tcp.header_len();
    packet.prepend(tcp_header_len);
    tcp.emit(packet.bytes(), client_ip, server_ip);
    fmt::print(out, "2. TCP segment = {}-byte header + data, {} bytes\n{}\n", tcp_header_len,
               packet.size(), report::hexdump(packet.bytes(), "   "));

    // 3. IP prepends its header: addresses carry the packet across routers.
    const wire::Ipv4Repr ip{
        .src = client_ip,
        .dst = server_ip,
        .protocol = wire::IpProtocol::tcp,
        .ttl = 64,
        .identification = 0x1234,
        .dont_fragment = true,
        .payload_len = static_cast<uint16_t>(packet.size()),
    };
    ip.emit(packet.prepend(wire::Ipv4Repr::buffer_len()));
    fmt::print(out, "3. IP packet = 20-byte header + TCP segment, {} bytes\n{}\n", packet.size(),
               report::hexdump(packet.bytes(), "   "));

    // 4. Ethernet prepends its header: MAC addresses carry the frame one hop, to
    //    the first router.
    const wire::EthernetRepr eth{
        .dst = router_mac, .src = client_mac, .ethertype = wire::EtherType::ipv4};
    eth.emit(packet.prepend(wire::EthernetRepr::buffer_len()));
    fmt::print(out, "4. Ethernet frame = 14-byte header + IP packet, {} bytes\n{}\n", packet.size(),
               report::hexdump(packet.bytes(), "   "));

    // 5. The receiver undoes it: each layer parses and checks its header.
    fmt::print(out, "5. Parsed back, layer by layer:\n");
    bool ok = true;
    for (const report::DissectedLayer& layer : report::dissect(packet.bytes())) {
        print_layer(out, layer);
        ok = ok && layer.problem.empty();
    }

    // The checked parse the stack itself will use: any failure is an error.
    auto eth_view = wire::EthernetView::parse(packet.bytes());
    auto ip_view =
        eth_view ? wire::Ipv4View::parse(eth_view->payload()) : base::fail(eth_view.error());
    auto ip_repr = ip_view ? wire::Ipv4Repr::parse(*ip_view) : base::fail(ip_view.error());
    auto tcp_view =
        ip_repr ? wire::TcpView::parse(ip_view->payload()) : base::fail(ip_repr.error());
    auto tcp_repr = tcp_view ? wire::TcpRepr::parse(*tcp_view, ip_repr->src, ip_repr->dst)
                             : base::fail(tcp_view.error());
    if (!tcp_repr) {
        fmt::print(out, "\nParse failed: {}\n", wire::to_string(tcp_repr.error()));
        return 1;
    }
    const bool same =
        *ip_repr == ip && *tcp_repr == tcp && base::as_chars(tcp_repr->payload) == options.message;
    fmt::print(out, "\nThe receiver gets \"{}\" back: {}\n", base::as_chars(tcp_repr->payload),
               same && ok ? "every field and the data are as sent" : "MISMATCH");

    if (!options.pcap_path.empty()) {
        std::vector<std::byte> file;
        wire::pcap::append_file_header(file);
        wire::pcap::append_record(file, 0, packet.bytes());
        std::ofstream f(options.pcap_path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(file.data()),
                static_cast<std::streamsize>(file.size()));
        if (!f) {
            fmt::print(stderr, "minternet hello: cannot write {}\n", options.pcap_path);
            return 1;
        }
        fmt::print(out, "Wrote the frame to {} (open it in Wireshark).\n", options.pcap_path);
    }
    return same && ok ? 0 : 1;
}

}  // namespace cli
