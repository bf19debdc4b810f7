#include "report/run_report.hpp"

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>

#include "base/text.hpp"
#include "report/assets.hpp"
#include "report/dissect.hpp"
#include "report/event_fields.hpp"
#include "sim/network.hpp"

namespace report {

namespace {

// What a report holds, so that a long run's page stays one that a browser
// opens: the data layer's bytes are cut to 64 (the headers' are whole); the
// first 10,000 packets have their layers, the first 50,000 are listed. The
// captures and `minternet explain` have everything.
constexpr size_t data_bytes_shown = 64;
constexpr size_t packets_with_layers = PacketTrail::max_with_bytes;
constexpr size_t packets_listed = PacketTrail::max_kept;

std::string percent(double p) {
    return fmt::format("{:g}%", p * 100);
}

std::string impairments_text(const netem::Impairments& i) {
    std::vector<std::string> parts;
    if (i.gilbert_elliott) {
        parts.push_back("bursty loss");
    } else if (i.loss > 0) {
        parts.push_back("loss " + percent(i.loss));
    }
    if (i.jitter > base::Duration::zero())
        parts.push_back(fmt::format("jitter {:g} ms", i.jitter.seconds_f() * 1000));
    if (i.reorder > 0) parts.push_back("reorder " + percent(i.reorder));
    if (i.duplicate > 0) parts.push_back("duplicate " + percent(i.duplicate));
    if (i.corrupt > 0) parts.push_back("corrupt " + percent(i.corrupt));
    return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json optional_ns(const std::optional<base::Duration>& d) {
    return d ? nlohmann::json(d->ns()) : nlohmann::json(nullptr);
}

nlohmann::json layers_json(base::ByteSpan frame) {
    nlohmann::json layers = nlohmann::json::array();
    for (const DissectedLayer& l : dissect(frame)) {
        nlohmann::json fields = nlohmann::json::array();
        for (const Field& f : l.fields)
            fields.push_back({f.name, f.value});
        base::ByteSpan bytes = l.header;
        std::string cut;
        if (l.name == "Data" && bytes.size() > data_bytes_shown) {
            cut = fmt::format("… {} more bytes (the capture has them all)\n",
                              bytes.size() - data_bytes_shown);
            bytes = bytes.first(data_bytes_shown);
        }
        layers.push_back({{"name", l.name},
                          {"summary", l.summary},
                          {"fields", std::move(fields)},
                          {"hex", hexdump(bytes) + cut},
                          {"problem", l.problem}});
    }
    return layers;
}

// Which node has each address: IPv4, configured IPv6, and the link-local
// IPv6 address each IPv6 interface makes from its MAC.
std::unordered_map<wire::IpAddress, sim::NodeIndex> address_owners(const sim::Network& network) {
    std::unordered_map<wire::IpAddress, sim::NodeIndex> owner;
    for (size_t n = 0; n < network.nodes().size(); ++n) {
        const auto node = static_cast<sim::NodeIndex>(n);
        for (const stack::InterfaceConfig& i : network.nodes()[n]->config().interfaces) {
            if (!i.address.address.is_unspecified()) owner[i.address.address] = node;
            for (const wire::Ipv6Cidr& a : i.ipv6_addresses)
                owner[a.address] = node;
            if (i.ipv6 || !i.ipv6_addresses.empty())
                owner[wire::Ipv6Address::eui64(wire::Ipv6Address::link_local_prefix(), i.mac)] =
                    node;
        }
    }
    // Addresses hosts form from router advertisements (`auto` ends).
    for (const sim::LinkSpec& l : network.topology().links) {
        for (int e = 0; e < 2; ++e) {
            if (l.autoconf6[e]) owner[(*l.addresses6)[e].address] = *network.index_of(l.ends[e]);
        }
    }
    return owner;
}

std::string_view proto_text(const Packet& p) {
    switch (p.kind) {
        case sim::FrameSummary::Kind::arp:
            return "ARP";
        case sim::FrameSummary::Kind::ipv4:
        case sim::FrameSummary::Kind::ipv6:
            return wire::to_string(p.proto);
        default:
            return "";
    }
}

}  // namespace

RunReport::RunReport(const sim::Network& network)
    : network_(network), packets_(address_owners(network)) {}

RunReport::~RunReport() = default;

const std::string& RunReport::name(sim::NodeIndex n) const {
    return network_.nodes()[n]->name();
}

sim::EventMask RunReport::wants() const {
    using namespace sim::ev;
    // What it follows, and every kind the timeline makes lines of (to tie
    // them to their packets).
    return sim::EventMask::of<FrameSent, FrameReceived, Dropped, LinkDropped, LinkReordered,
                              LinkDuplicated, LinkCorrupted, TcpSegment, TcpWindow, TcpState,
                              IcmpSent, LinkState, NodeCrashed, NodeRestarted, RoutesRecomputed,
                              Reassembled>();
}

// The timeline hears each event before the report does (the run adds it to
// the tracer first), so the lines it made of an event wait here for the
// report to read the same event and say which packet they tell of.
void RunReport::line(const TimelineLine& l) {
    if (lines_.size() >= max_lines) {
        ++lines_not_kept_;
        return;
    }
    lines_.push_back(l);
    line_packet_.emplace_back();
}

void RunReport::link_lines(std::optional<size_t> packet) {
    for (; lines_linked_ < lines_.size(); ++lines_linked_) {
        // "… N more routine lines" tells of no packet in particular.
        if (!lines_[lines_linked_].node.empty()) line_packet_[lines_linked_] = packet;
    }
}

void RunReport::event(const sim::Event& e) {
    using namespace sim::ev;
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, FrameSent>) {
                link_lines(packets_.total());
                frame_sent(x);
            } else if constexpr (std::is_same_v<T, FrameReceived>) {
                const sim::FrameSummary f = sim::summarize_frame(x.frame);
                if (const auto index = packets_.received(x, f)) last_received_[x.node] = *index;
                link_lines(std::nullopt);
            } else if constexpr (std::is_same_v<T, Dropped>) {
                const bool packet = x.layer == stack::Layer::ipv4 || x.layer == stack::Layer::ipv6;
                const sim::FrameSummary f =
                    packet ? sim::summarize_packet(x.bytes) : sim::summarize_frame(x.bytes);
                const bool ip = x.layer != stack::Layer::arp && f.is_ip();
                link_lines(ip ? packets_.in_flight(f) : std::nullopt);
                if (ip) packets_.dropped(x.t, x.node, std::nullopt, x.reason, f);
            } else if constexpr (std::is_same_v<T, LinkDropped>) {
                const sim::FrameSummary f = sim::summarize_frame(x.frame);
                link_lines(packets_.in_flight(f));
                const sim::Link& l = *network_.links()[x.link];
                if (const auto node = network_.index_of(l.end(x.direction).node))
                    packets_.dropped(x.t, *node, x.link, x.reason, f);
            } else if constexpr (std::is_same_v<T, LinkReordered> ||
                                 std::is_same_v<T, LinkDuplicated> ||
                                 std::is_same_v<T, LinkCorrupted>) {
                const std::optional<size_t> p = packets_.in_flight(sim::summarize_frame(x.frame));
                link_lines(p);
                if (p && std::is_same_v<T, LinkReordered>) packets_.packet(*p).reordered = true;
            } else if constexpr (std::is_same_v<T, TcpSegment>) {
                if (x.sent) {
                    // Its lines wait for its frame.
                    std::vector<size_t> lines;
                    for (; lines_linked_ < lines_.size(); ++lines_linked_) {
                        if (!lines_[lines_linked_].node.empty()) lines.push_back(lines_linked_);
                    }
                    tcp_.segment_sent(x, std::move(lines));
                } else {
                    const auto last = last_received_.find(x.node);
                    const std::optional<size_t> packet =
                        last == last_received_.end() ? std::nullopt : std::optional(last->second);
                    link_lines(packet);
                    tcp_.ack_received(x, packet);
                }
            } else {
                link_lines(std::nullopt);
                if constexpr (std::is_same_v<T, TcpWindow>) tcp_.window(x);
            }
        },
        e);
}

void RunReport::frame_sent(const sim::ev::FrameSent& e) {
    const sim::FrameSummary f = sim::summarize_frame(e.frame);
    const PacketTrail::Sent sent = packets_.sent(e, f);
    Packet* p = sent.packet;
    std::optional<sim::TextPreview> data;
    const bool e2e = f.is_ip() && p ? p->e2e : false;
    // Beyond what the report keeps, a segment waiting for its frame still
    // goes (its lines are linked, to a packet the page does not list).
    const bool from_source = p ? e2e : f.is_ip() && f.proto == wire::IpProtocol::tcp;
    if (from_source && f.proto == wire::IpProtocol::tcp) {
        if (auto matched = tcp_.frame_sent(e.t, e.node, f, sent.index, p)) {
            for (size_t line : matched->lines)
                if (line < line_packet_.size()) line_packet_[line] = sent.index;
            data = std::move(matched->data);
        }
    }
    if (p) p->label = label(*p, f, data);
    if (!p && tcp_.sampling()) tcp_.stop_sampling();  // the packets are no longer kept
}

// "SYN, ACK seq=0 ack=1", "PSH, ACK seq=1 ack=1 6 bytes "Hello!"", "DNS query
// kiminje.shop. A": what the packet is, in the sequence diagram's words.
std::string RunReport::label(const Packet& p, const sim::FrameSummary& f,
                             const std::optional<sim::TextPreview>& data) const {
    if (f.kind == sim::FrameSummary::Kind::arp)
        return f.arp_parsed && f.arp_request
                   ? fmt::format("ARP who has {}?", f.target_ip)
                   : fmt::format("ARP {} is here",
                                 f.arp_parsed ? f.sender_ip.to_string() : std::string());
    if (f.fragment)
        return fmt::format("{} fragment at byte {}{}",
                           f.kind == sim::FrameSummary::Kind::ipv6 ? "IPv6" : "IPv4", f.frag_offset,
                           f.more_fragments ? ", more follow" : ", the last");
    if (f.dns && !f.dns_message.empty()) return "DNS " + describe_dns(f.dns_message);
    if (f.is_ip() && f.proto == wire::IpProtocol::tcp) {
        std::string s =
            fmt::format("{} seq={}", flags_text(f), tcp_.relative(f.src, f.sport, f.seq));
        if (f.tcp && f.flags.has(wire::TcpFlags::ack))
            s += fmt::format(" ack={}", tcp_.relative(f.dst, f.dport, f.ack));
        if (f.payload > 0) {
            s += fmt::format(" {} bytes", f.payload);
            if (data) s += fmt::format(" \"{}{}\"", one_line(data->text), data->cut ? "…" : "");
        }
        return s;
    }
    if (f.is_ip() && f.proto == wire::IpProtocol::udp)
        return fmt::format("UDP {} bytes, port {} -> {}", f.payload, f.sport, f.dport);
    if (f.is_ip() && f.proto == wire::IpProtocol::icmp) {
        switch (f.icmp_type) {
            case 0:
                return fmt::format("ICMP echo reply seq={}", f.icmp_seq);
            case 8:
                return fmt::format("ICMP echo request seq={}", f.icmp_seq);
            case 3:
                return fmt::format("ICMP destination unreachable (code {})", f.icmp_code);
            case 11:
                return "ICMP time exceeded";
            default:
                return fmt::format("ICMP type {}", f.icmp_type);
        }
    }
    if (f.is_ip() && f.proto == wire::IpProtocol::icmpv6 && f.icmp) return icmpv6_text(f);
    (void)p;
    return describe_packet(f);
}

nlohmann::json RunReport::packet_json(size_t i) const {
    const std::vector<Packet>& kept = packets_.packets();
    const Packet& p = kept[i];
    const std::string& node = name(p.node);
    const sim::Link* on = network_.nodes()[p.node]->link_of(p.iface);
    nlohmann::json path = nlohmann::json::array();
    for (sim::NodeIndex n : p.path)
        path.push_back(name(n));
    nlohmann::json j = {
        {"n", i + 1},
        {"t_ns", p.t.ns()},
        {"node", node},
        {"iface", network_.nodes()[p.node]->config().interfaces.at(p.iface).name},
        {"link", on ? nlohmann::json(on->name()) : nlohmann::json(nullptr)},
        {"proto", proto_text(p)},
        {"label", p.label},
        {"from", p.e2e ? nlohmann::json(node) : nlohmann::json(nullptr)},
        {"to", p.to ? nlohmann::json(name(*p.to)) : nlohmann::json(nullptr)},
        {"e2e", p.e2e},
        {"conn",
         p.conn ? nlohmann::json(fmt::format("{}-{}", local_text(*p.conn), remote_text(*p.conn)))
                : nlohmann::json(nullptr)},
        {"retransmission", p.retransmission},
        {"reordered", p.reordered},
        {"path", std::move(path)},
        {"fate", !p.e2e      ? "unknown"
                 : p.arrived ? "delivered"
                 : p.lost    ? "lost"
                             : "unknown"},
        {"arrived_ns", p.arrived ? nlohmann::json(p.arrived->ns()) : nlohmann::json(nullptr)},
        {"lost", nullptr}};
    if (p.lost && !p.arrived)
        j["lost"] = {{"link", p.lost->link ? nlohmann::json(network_.links()[*p.lost->link]->name())
                                           : nlohmann::json(nullptr)},
                     {"node", name(p.lost->node)},
                     {"reason", stack::to_string(p.lost->reason)},
                     {"t_ns", p.lost->t.ns()}};
    j["layers"] = nlohmann::json::array();
    if (i < packets_with_layers) j["layers"] = layers_json(p.frame);
    return j;
}

nlohmann::json RunReport::connection_json(const TcpConnection& c) const {
    const std::vector<Packet>& kept = packets_.packets();
    nlohmann::json sides = nlohmann::json::array();
    for (const TcpSide& side : c.sides) {
        nlohmann::json segments = nlohmann::json::array();
        for (const TcpSide::Segment& seg : side.segments)
            segments.push_back(
                {{"t_ns", seg.t.ns()},
                 {"seq", seg.seq},
                 {"len", seg.len},
                 {"flags", seg.flags},
                 {"retransmission", seg.retransmission},
                 {"lost", kept[seg.packet].lost.has_value() && !kept[seg.packet].arrived},
                 {"packet", seg.packet + 1}});
        nlohmann::json acks = nlohmann::json::array();
        for (const TcpSide::Ack& a : side.acks)
            acks.push_back(
                {{"t_ns", a.t.ns()},
                 {"ack", a.ack},
                 {"packet", a.packet ? nlohmann::json(*a.packet + 1) : nlohmann::json(nullptr)}});
        nlohmann::json window = nlohmann::json::array();
        for (const TcpSide::Window& w : side.window)
            window.push_back(
                {{"t_ns", w.t.ns()},
                 {"cwnd", w.cwnd},
                 {"ssthresh",
                  w.ssthresh >= 0xffffffffu ? nlohmann::json(nullptr) : nlohmann::json(w.ssthresh)},
                 {"srtt_ns", w.srtt_ns < 0 ? nlohmann::json(nullptr) : nlohmann::json(w.srtt_ns)}});
        sides.push_back({{"node", name(side.node)},
                         {"endpoint", local_text(side.conn)},
                         {"segments", std::move(segments)},
                         {"acks", std::move(acks)},
                         {"window", std::move(window)}});
    }
    return {{"name", c.name}, {"sides", std::move(sides)}};
}

nlohmann::json RunReport::line_json(size_t i) const {
    const TimelineLine& l = lines_[i];
    const std::optional<size_t> packet = line_packet_[i];
    return {{"t_ns", l.time.ns()},
            {"node", l.node},
            {"layer", to_string(l.layer)},
            {"text", l.text},
            {"notable", l.notable},
            {"packet", packet && *packet < packets_listed ? nlohmann::json(*packet + 1)
                                                          : nlohmann::json(nullptr)}};
}

// Everything but the three long lists (packets, connections, timeline),
// which are made one element at a time: the page of a long run need not be
// built whole in memory before it is written.
nlohmann::json RunReport::head(const RunInfo& run) const {
    nlohmann::json d;
    d["version"] = 1;
    d["name"] = run.name;
    d["seed"] = run.seed;
    d["duration_ns"] = run.end.ns();

    nlohmann::json conns = nlohmann::json::array();
    for (const auto& c : run.summary.connections)
        conns.push_back({{"name", c.name},
                         {"handshake_ns", optional_ns(c.handshake)},
                         {"transfer_ns", optional_ns(c.transfer)}});
    const TimelineSummary& s = run.summary;
    d["summary"] = {{"packets", s.packets},
                    {"lost", s.lost},
                    {"retransmitted", s.retransmitted},
                    {"reordered", s.reordered},
                    {"duplicated", s.duplicated},
                    {"out_of_order", s.out_of_order},
                    {"connections", std::move(conns)}};

    // Nodes and links.
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : network_.nodes()) {
        nlohmann::json addresses = nlohmann::json::array();
        const auto& ifaces = n->config().interfaces;
        for (const stack::InterfaceConfig& i : ifaces)
            addresses.push_back(i.address.to_string());
        nodes.push_back({{"name", n->name()},
                         {"router", n->config().host.forwarding},
                         {"addresses", std::move(addresses)}});
    }
    d["nodes"] = std::move(nodes);
    nlohmann::json links = nlohmann::json::array();
    for (const auto& l : network_.links()) {
        nlohmann::json stats = nlohmann::json::array();
        for (int dir = 0; dir < 2; ++dir) {
            const sim::Link::DirectionStats& st = l->stats(dir);
            stats.push_back({{"from", l->end(dir).node},
                             {"to", l->end(1 - dir).node},
                             {"offered", st.offered},
                             {"delivered", st.delivered},
                             {"bytes", st.bytes_delivered},
                             {"lost", st.dropped_loss},
                             {"queue_drops", st.dropped_queue},
                             {"down_drops", st.dropped_down},
                             {"other_drops", st.dropped_too_big + st.dropped_filtered},
                             {"corrupted", st.corrupted},
                             {"duplicated", st.duplicated},
                             {"reordered", st.reordered},
                             {"max_queue", st.max_queue}});
        }
        const sim::LinkParams& params = l->params();
        links.push_back({{"name", l->name()},
                         {"a", l->end(0).node},
                         {"b", l->end(1).node},
                         {"rate_bps", params.bandwidth_bps},
                         {"delay_ns", params.delay.ns()},
                         {"impairments", impairments_text(params.impairments)},
                         {"stats", std::move(stats)}});
    }
    d["links"] = std::move(links);
    nlohmann::json lanes = nlohmann::json::array();
    for (sim::NodeIndex n : packets_.lanes())
        lanes.push_back(name(n));
    d["lanes"] = std::move(lanes);

    d["packets_total"] = packets_.total();
    d["packets_with_layers"] = std::min(packets_.total(), packets_with_layers);
    d["packets"] = nlohmann::json::array();
    d["connections"] = nlohmann::json::array();
    d["timeline"] = nlohmann::json::array();
    return d;
}

nlohmann::json RunReport::data(const RunInfo& run) const {
    nlohmann::json d = head(run);
    for (size_t i = 0; i < packets_.packets().size(); ++i)
        d["packets"].push_back(packet_json(i));
    for (const TcpConnection& c : tcp_.connections())
        d["connections"].push_back(connection_json(c));
    for (size_t i = 0; i < lines_.size(); ++i)
        d["timeline"].push_back(line_json(i));
    return d;
}

namespace {

std::string dump(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "</" in a JSON text inside <script> could end the element; JSON may write
// it "<\/".
void guard_script_end(std::string& json, size_t from) {
    for (size_t at = json.find("</", from); at != std::string::npos; at = json.find("</", at + 3))
        json.replace(at, 2, "<\\/");
}

// The page around a run's data (as JSON text): its style, the data, its
// script. Written in pieces: the data of a long run is tens of MB, not worth
// another copy.
void write_page(std::ostream& out, const std::string& title, const std::string& json) {
    out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>minternet — "
        << base::escape_html(title) << "</title>\n<style>" << report_style()
        << "</style></head>\n<body><div id=\"app\"></div>\n"
           "<script type=\"application/json\" id=\"run-data\">"
        << json << "</script>\n<script>" << report_script() << "</script></body></html>\n";
}

}  // namespace

std::string RunReport::data_text(const RunInfo& run) const {
    const std::string head_text = dump(head(run));
    // Each long list goes where its empty place is in the head (object keys
    // are written in order, each once; a value that is text has its quotes
    // escaped, so it cannot look like a key), in the order they come.
    struct List {
        size_t at;  // just past its '['
        std::function<void(std::string&)> write;
    };
    std::vector<List> lists;
    auto add = [&](const char* key, size_t count, auto element) {
        const std::string empty = fmt::format("\"{}\":[]", key);
        lists.push_back({head_text.find(empty) + empty.size() - 1, [=](std::string& out) {
                             for (size_t i = 0; i < count; ++i) {
                                 if (i > 0) out += ',';
                                 out += dump(element(i));
                             }
                         }});
    };
    add("packets", packets_.packets().size(), [this](size_t i) { return packet_json(i); });
    add("connections", tcp_.connections().size(),
        [this](size_t i) { return connection_json(tcp_.connections()[i]); });
    add("timeline", lines_.size(), [this](size_t i) { return line_json(i); });
    std::sort(lists.begin(), lists.end(), [](const List& a, const List& b) { return a.at < b.at; });
    std::string text;
    size_t from = 0;
    for (const List& l : lists) {
        text.append(head_text, from, l.at - from);
        l.write(text);
        from = l.at;
    }
    text.append(head_text, from);
    guard_script_end(text, 0);
    return text;
}

std::string html_page(const std::string& title, const nlohmann::json& data) {
    std::string json = dump(data);
    guard_script_end(json, 0);
    std::ostringstream page;
    write_page(page, title, json);
    return page.str();
}

base::Expected<void, std::string> RunReport::write_html(const std::string& path,
                                                        const RunInfo& run) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return base::fail(fmt::format("cannot write {}", path));
    write_page(out, run.name, data_text(run));
    out.close();
    if (!out) return base::fail(fmt::format("cannot write {}", path));
    return {};
}

}  // namespace report
