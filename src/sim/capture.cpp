#include "sim/capture.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "wire/arp.hpp"
#include "wire/ethernet.hpp"
#include "wire/icmpv4.hpp"
#include "wire/ipv4.hpp"
#include "wire/pcap.hpp"
#include "wire/services.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace sim {

base::Expected<std::unique_ptr<PcapWriter>, std::string> PcapWriter::open(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return base::fail(fmt::format("cannot create capture file {}", path));
    std::unique_ptr<PcapWriter> w(new PcapWriter(f, path));
    wire::pcap::append_file_header(w->buffer_);
    return w;
}

PcapWriter::~PcapWriter() {
    flush();
    std::fclose(file_);
}

void PcapWriter::write(base::Time t, base::ByteSpan frame) {
    wire::pcap::append_record(buffer_, t.ns(), frame);
    ++frames_;
    if (buffer_.size() >= 1 << 16) flush();
}

void PcapWriter::flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
    std::fflush(file_);
}

void EventLog::write(base::Time t, std::string_view node, std::string_view event,
                     const std::string& fields_json) {
    out_ << fmt::format("{{\"t_ns\":{},\"node\":{},\"event\":{}{}{}}}\n", t.ns(),
                        nlohmann::json(node).dump(), nlohmann::json(event).dump(),
                        fields_json.empty() ? "" : ",", fields_json);
    ++lines_;
    if (listener_) listener_(t, node, event, fields_json);
}

namespace {

std::string hex(base::ByteSpan bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::byte b : bytes) {
        out += digits[std::to_integer<unsigned>(b) >> 4];
        out += digits[std::to_integer<unsigned>(b) & 15];
    }
    return out;
}

// Ports with their service names where the registry knows them.
void port_fields(nlohmann::json& j, uint16_t sport, uint16_t dport, wire::IpProtocol p) {
    j["sport"] = sport;
    j["dport"] = dport;
    if (const auto s = wire::service_name(sport, p); !s.empty()) j["sservice"] = std::string(s);
    if (const auto d = wire::service_name(dport, p); !d.empty()) j["dservice"] = std::string(d);
}

void transport_fields(nlohmann::json& j, const wire::Ipv4View& ip) {
    if (ip.fragment_offset() != 0) return;
    switch (ip.protocol()) {
        case wire::IpProtocol::tcp:
            if (auto t = wire::TcpView::parse(ip.payload())) {
                port_fields(j, t->src_port(), t->dst_port(), wire::IpProtocol::tcp);
                j["flags"] = t->flags().to_string();
                j["seq"] = t->seq().value();
                j["ack"] = t->ack().value();
                j["win"] = t->window();
                j["payload"] = t->payload().size();
            }
            break;
        case wire::IpProtocol::udp:
            if (auto u = wire::UdpView::parse(ip.payload())) {
                port_fields(j, u->src_port(), u->dst_port(), wire::IpProtocol::udp);
                j["payload"] = u->payload().size();
                // DNS messages whole, so a reader of the log (the timeline)
                // can say which name was asked and what came back.
                if (u->src_port() == 53 || u->dst_port() == 53) j["dns_hex"] = hex(u->payload());
            }
            break;
        case wire::IpProtocol::icmp:
            if (auto i = wire::Icmpv4View::parse(ip.payload())) {
                j["icmp_type"] = i->type();
                j["icmp_code"] = i->code();
                if (i->type() == 0 || i->type() == 8) {
                    j["icmp_id"] = i->identifier();
                    j["icmp_seq"] = i->sequence();
                }
            }
            break;
    }
}

nlohmann::json ipv4_json(base::ByteSpan packet) {
    nlohmann::json j;
    auto ip = wire::Ipv4View::parse(packet);
    if (!ip) {
        j["malformed"] = std::string(wire::to_string(ip.error()));
        return j;
    }
    j["src"] = ip->src().to_string();
    j["dst"] = ip->dst().to_string();
    j["proto"] = std::string(wire::to_string(ip->protocol()));
    j["ttl"] = ip->ttl();
    j["id"] = ip->identification();
    if (ip->is_fragment()) {
        j["frag_offset"] = ip->fragment_offset();
        j["more_fragments"] = ip->more_fragments();
    }
    transport_fields(j, *ip);
    return j;
}

std::string members(const nlohmann::json& j) {
    std::string s = j.dump();
    return s.size() >= 2 ? s.substr(1, s.size() - 2) : std::string{};
}

}  // namespace

std::string packet_fields(base::ByteSpan packet) {
    nlohmann::json j = ipv4_json(packet);
    j["len"] = packet.size();
    return members(j);
}

std::string frame_fields(base::ByteSpan frame) {
    nlohmann::json j;
    auto eth = wire::EthernetView::parse(frame);
    if (!eth) {
        j["malformed"] = "ethernet";
    } else if (eth->ethertype() == wire::EtherType::ipv4) {
        j = ipv4_json(eth->payload());
    } else if (eth->ethertype() == wire::EtherType::arp) {
        j["proto"] = "ARP";
        if (auto a = wire::ArpView::parse(eth->payload())) {
            j["arp_op"] = a->operation() == 1 ? "request" : "reply";
            j["sender_ip"] = a->sender_ip().to_string();
            j["target_ip"] = a->target_ip().to_string();
        }
    } else {
        j["ethertype"] = static_cast<uint16_t>(eth->ethertype());
    }
    j["len"] = frame.size();
    return members(j);
}

}  // namespace sim
