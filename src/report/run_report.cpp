#include "report/run_report.hpp"

#include <fstream>

#include <fmt/format.h>

#include "base/text.hpp"
#include "report/assets.hpp"
#include "report/captures.hpp"
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
constexpr size_t packets_with_layers = 10'000;
constexpr size_t packets_listed = 50'000;

// The same IP packet (or fragment) wherever it is: sent, forwarded, dropped,
// received.
std::string ip_key(const nlohmann::json& f) {
    return fmt::format("{}|{}|{}|{}|{}", field_str(f, "src"), field_str(f, "dst"),
                       field_str(f, "proto"), field_num(f, "id"), field_num(f, "frag_offset"));
}

bool has_flag(const std::string& flags, std::string_view flag) {
    return flags.find(flag) != std::string::npos;
}

std::string percent(double p) {
    return fmt::format("{:g}%", p * 100);
}

std::string impairments_text(const sim::Impairments& i) {
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

}  // namespace

struct RunReport::Packet {
    base::Time t;
    std::string node;
    std::string iface;
    uint64_t frame_index = 0;  // in node-iface's capture
    nlohmann::json fields;     // the event's, as the log has them
    std::string label;
    bool e2e = false;
    std::string to;    // the node owning the destination address (its sender is `node`)
    std::string conn;  // the sender's key, TCP
    bool retransmission = false;
    bool reordered = false;
    std::vector<std::string> path;
    std::optional<base::Time> arrived;
    struct Loss {
        std::string link, node, reason;
        base::Time t;
    };
    std::optional<Loss> lost;
};

// A tcp_send event waiting for its frame (which may wait for ARP).
struct RunReport::PendingSegment {
    std::string conn;
    std::string why;
    std::string flags;
    uint64_t seq = 0;
    uint64_t sport = 0, dport = 0;
    std::string data;  // the start of its text
    bool data_cut = false;
    std::vector<size_t> lines;  // the timeline's lines about it
};

struct RunReport::Side {
    std::string node;
    std::string endpoint;  // "address:port"
    std::string peer;      // the other end's
    bool syn_sent = false;
    bool syn_ack_sent = false;
    struct Segment {
        base::Time t;
        uint32_t seq;  // relative
        uint64_t len;
        std::string flags;
        bool retransmission;
        size_t packet;  // packets_ index
    };
    struct Ack {
        base::Time t;
        uint32_t ack;  // relative to this side's first sequence number
        std::optional<size_t> packet;
    };
    struct Window {
        base::Time t;
        uint64_t cwnd, ssthresh;
        int64_t srtt_ns;  // -1: no sample yet
    };
    std::vector<Segment> segments;
    std::vector<Ack> acks;
    std::vector<Window> window;
};

struct RunReport::Connection {
    std::string name;  // "opener -> listener"
    std::vector<Side> sides;
};

RunReport::RunReport(const sim::Network& network) : network_(network) {
    for (const auto& n : network.nodes()) {
        for (const stack::InterfaceConfig& i : n->config().interfaces)
            owner_[i.address.address.to_string()] = n->name();
    }
}

RunReport::~RunReport() = default;

// The timeline hears each event before the report does (cli/sim_commands.cpp
// feeds both), so the lines it made of an event wait here for the report to
// read the same event and say which packet they tell of.
void RunReport::line(const TimelineLine& l) {
    lines_.push_back(l);
    line_packet_.emplace_back();
}

void RunReport::link_lines(std::optional<size_t> packet) {
    for (; lines_linked_ < lines_.size(); ++lines_linked_) {
        // "… N more routine lines" tells of no packet in particular.
        if (!lines_[lines_linked_].node.empty()) line_packet_[lines_linked_] = packet;
    }
}

void RunReport::add_lane(const std::string& node) {
    if (std::find(lanes_.begin(), lanes_.end(), node) == lanes_.end()) lanes_.push_back(node);
}

std::optional<size_t> RunReport::in_flight(const nlohmann::json& f) const {
    const auto it = in_flight_.find(ip_key(f));
    return it == in_flight_.end() ? std::nullopt : std::optional(it->second);
}

void RunReport::event(base::Time t, std::string_view node, std::string_view event,
                      std::string_view fields_json) {
    const nlohmann::json f =
        nlohmann::json::parse(fmt::format("{{{}}}", fields_json), nullptr, false);
    if (!f.is_discarded()) parsed_event(t, node, event, f);
}

void RunReport::parsed_event(base::Time t, std::string_view node_view, std::string_view event,
                             const nlohmann::json& f) {
    const std::string node(node_view);
    if (event == "send") {
        link_lines(packets_.size());
        frame_sent(t, node, f);
    } else if (event == "receive") {
        frame_received(t, node, f);
        link_lines(std::nullopt);
    } else if (event == "drop") {
        link_lines(in_flight(f));
        frame_dropped(t, node, f);
    } else if (event == "reorder" || event == "duplicate" || event == "corrupt") {
        const std::optional<size_t> p = in_flight(f);
        link_lines(p);
        if (p && event == "reorder") packets_[*p].reordered = true;
    } else if (event == "tcp_send") {
        tcp_sent(t, node, f);  // its lines wait for its frame
    } else if (event == "tcp_receive") {
        const auto last = last_received_.find(node);
        link_lines(last == last_received_.end() ? std::nullopt : std::optional(last->second));
        tcp_received(t, node, f);
    } else {
        link_lines(std::nullopt);
        if (event == "tcp_window") tcp_window(t, node, f);
    }
}

void RunReport::frame_sent(base::Time t, const std::string& node, const nlohmann::json& fields) {
    nlohmann::json f = fields;  // kept with the packet, with its data's text added
    Packet p;
    p.t = t;
    p.node = node;
    p.iface = field_str(f, "iface");
    p.frame_index = frames_on_[node + "-" + p.iface]++;
    const std::string src = field_str(f, "src");
    const size_t index = packets_.size();
    if (!src.empty()) {
        const auto owner = owner_.find(src);
        if (owner != owner_.end() && owner->second == node) {
            // Sent by its source: a packet of the conversation.
            p.e2e = true;
            if (const auto to = owner_.find(field_str(f, "dst")); to != owner_.end())
                p.to = to->second;
            p.path.push_back(node);
            add_lane(node);
            if (!p.to.empty()) add_lane(p.to);
            in_flight_[ip_key(f)] = index;
        } else if (const auto original = in_flight(f)) {
            std::vector<std::string>& path = packets_[*original].path;
            if (path.back() != node) path.push_back(node);
        }
    }
    if (p.e2e && field_str(f, "proto") == "TCP") {
        const std::string flags = field_str(f, "flags");
        if (has_flag(flags, "SYN"))
            isn_[fmt::format("{}:{}", src, field_num(f, "sport"))] =
                static_cast<uint32_t>(field_num(f, "seq"));
        auto& waiting = pending_[node];
        for (auto it = waiting.begin(); it != waiting.end(); ++it) {
            if (it->sport != field_num(f, "sport") || it->dport != field_num(f, "dport") ||
                it->seq != field_num(f, "seq") || it->flags != flags)
                continue;
            p.conn = it->conn;
            if (!it->data.empty()) {
                f["data"] = it->data;
                if (it->data_cut) f["data_cut"] = true;
            }
            Side& s = side(node, it->conn);
            const bool syn = has_flag(flags, "SYN");
            p.retransmission = it->why == "fast retransmit" ||
                               it->why == "retransmission after RTO" ||
                               (syn && !has_flag(flags, "ACK") && s.syn_sent) ||
                               (syn && has_flag(flags, "ACK") && s.syn_ack_sent);
            if (syn) (has_flag(flags, "ACK") ? s.syn_ack_sent : s.syn_sent) = true;
            const auto isn = isn_.find(s.endpoint);
            const uint32_t base = isn == isn_.end() ? 0 : isn->second;
            s.segments.push_back({t, static_cast<uint32_t>(it->seq) - base, field_num(f, "payload"),
                                  flags, p.retransmission, index});
            for (size_t line : it->lines)
                line_packet_[line] = index;
            waiting.erase(it);
            break;
        }
    }
    p.fields = std::move(f);
    p.label = label(p);
    packets_.push_back(std::move(p));
}

void RunReport::frame_received(base::Time t, const std::string& node, const nlohmann::json& f) {
    ++frames_on_[node + "-" + field_str(f, "iface")];
    if (field_str(f, "src").empty()) return;
    const auto index = in_flight(f);
    if (!index) return;
    Packet& p = packets_[*index];
    if (node != p.to) return;
    if (!p.arrived) p.arrived = t;
    if (p.path.back() != node) p.path.push_back(node);
    last_received_[node] = *index;
}

void RunReport::frame_dropped(base::Time t, const std::string& node, const nlohmann::json& f) {
    if (field_str(f, "src").empty()) return;
    const auto index = in_flight(f);
    if (!index) return;
    Packet& p = packets_[*index];
    if (p.lost || p.arrived) return;
    if (p.path.back() != node) p.path.push_back(node);
    p.lost = Packet::Loss{field_str(f, "link"), node, field_str(f, "reason"), t};
}

RunReport::Side& RunReport::side(const std::string& node, const std::string& conn) {
    const std::string key = node + " " + conn;
    if (const auto it = side_of_.find(key); it != side_of_.end())
        return connections_[it->second.first].sides[static_cast<size_t>(it->second.second)];
    const auto [local, remote] = ends_of(conn);
    // The other end may have been seen already, at its node.
    size_t index = connections_.size();
    for (size_t i = 0; i < connections_.size(); ++i) {
        const auto& sides = connections_[i].sides;
        if (sides.size() == 1 && sides[0].endpoint == remote && sides[0].peer == local) {
            index = i;
            break;
        }
    }
    if (index == connections_.size())
        connections_.push_back({fmt::format("{} -> {}", local, remote), {}});
    Connection& c = connections_[index];
    c.sides.push_back(Side{.node = node, .endpoint = local, .peer = remote});
    side_of_[key] = {index, static_cast<int>(c.sides.size() - 1)};
    return c.sides.back();
}

void RunReport::tcp_sent(base::Time, const std::string& node, const nlohmann::json& f) {
    const std::string conn = field_str(f, "conn");
    side(node, conn);  // the connection is known from its first segment on
    const auto [local, remote] = ends_of(conn);
    auto port = [](const std::string& endpoint) -> uint64_t {
        const size_t colon = endpoint.rfind(':');
        return colon == std::string::npos ? 0 : std::stoull(endpoint.substr(colon + 1));
    };
    PendingSegment pending{.conn = conn,
                           .why = field_str(f, "why"),
                           .flags = field_str(f, "flags"),
                           .seq = field_num(f, "seq"),
                           .sport = port(local),
                           .dport = port(remote),
                           .data = field_str(f, "data"),
                           .data_cut = f.contains("data_cut")};
    for (; lines_linked_ < lines_.size(); ++lines_linked_) {
        if (!lines_[lines_linked_].node.empty()) pending.lines.push_back(lines_linked_);
    }
    pending_[node].push_back(std::move(pending));
}

void RunReport::tcp_received(base::Time t, const std::string& node, const nlohmann::json& f) {
    if (!has_flag(field_str(f, "flags"), "ACK")) return;
    Side& s = side(node, field_str(f, "conn"));
    const auto isn = isn_.find(s.endpoint);
    if (isn == isn_.end()) return;
    std::optional<size_t> packet;
    if (const auto it = last_received_.find(node); it != last_received_.end()) packet = it->second;
    s.acks.push_back({t, static_cast<uint32_t>(field_num(f, "ack")) - isn->second, packet});
}

void RunReport::tcp_window(base::Time t, const std::string& node, const nlohmann::json& f) {
    Side& s = side(node, field_str(f, "conn"));
    const auto srtt = f.find("srtt_ns");
    s.window.push_back({t, field_num(f, "cwnd"), field_num(f, "ssthresh"),
                        srtt != f.end() && srtt->is_number_integer() ? srtt->get<int64_t>() : -1});
}

// "SYN, ACK seq=0 ack=1", "PSH, ACK seq=1 ack=1 6 bytes "Hello!"", "DNS query
// kiminje.shop. A": what the packet is, in the sequence diagram's words.
std::string RunReport::label(const Packet& p) const {
    const nlohmann::json& f = p.fields;
    const std::string proto = field_str(f, "proto");
    if (proto == "ARP")
        return field_str(f, "arp_op") == "request"
                   ? fmt::format("ARP who has {}?", field_str(f, "target_ip"))
                   : fmt::format("ARP {} is here", field_str(f, "sender_ip"));
    if (f.contains("frag_offset") &&
        (field_num(f, "frag_offset") != 0 || f.value("more_fragments", false)))
        return fmt::format("IPv4 fragment at byte {}{}", field_num(f, "frag_offset"),
                           f.value("more_fragments", false) ? ", more follow" : ", the last");
    if (const std::string dns = field_str(f, "dns_hex"); !dns.empty())
        return "DNS " + describe_dns(dns);
    if (proto == "TCP") {
        const std::string flags = field_str(f, "flags");
        auto relative = [&](const std::string& endpoint, const char* key) {
            const auto isn = isn_.find(endpoint);
            const auto n = static_cast<uint32_t>(field_num(f, key));
            return isn == isn_.end() ? n : n - isn->second;
        };
        const std::string src = fmt::format("{}:{}", field_str(f, "src"), field_num(f, "sport"));
        const std::string dst = fmt::format("{}:{}", field_str(f, "dst"), field_num(f, "dport"));
        std::string s = fmt::format("{} seq={}", flags, relative(src, "seq"));
        if (has_flag(flags, "ACK")) s += fmt::format(" ack={}", relative(dst, "ack"));
        if (const uint64_t len = field_num(f, "payload"); len > 0) {
            s += fmt::format(" {} bytes", len);
            if (f.contains("data"))
                s += fmt::format(" \"{}{}\"", one_line(field_str(f, "data")),
                                 f.contains("data_cut") ? "…" : "");
        }
        return s;
    }
    if (proto == "UDP")
        return fmt::format("UDP {} bytes, port {} -> {}", field_num(f, "payload"),
                           field_num(f, "sport"), field_num(f, "dport"));
    if (proto == "ICMP") {
        switch (field_num(f, "icmp_type")) {
            case 0:
                return fmt::format("ICMP echo reply seq={}", field_num(f, "icmp_seq"));
            case 8:
                return fmt::format("ICMP echo request seq={}", field_num(f, "icmp_seq"));
            case 3:
                return fmt::format("ICMP destination unreachable (code {})",
                                   field_num(f, "icmp_code"));
            case 11:
                return "ICMP time exceeded";
            default:
                return fmt::format("ICMP type {}", field_num(f, "icmp_type"));
        }
    }
    return describe_packet(f);
}

nlohmann::json RunReport::data(const RunInfo& run) const {
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

    // Nodes, links, and which link each interface is on.
    std::map<std::string, std::string> link_of;  // "node-iface" -> link
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : network_.nodes()) {
        nlohmann::json addresses = nlohmann::json::array();
        const auto& ifaces = n->config().interfaces;
        for (size_t i = 0; i < ifaces.size(); ++i) {
            addresses.push_back(ifaces[i].address.to_string());
            if (const sim::Link* l = n->link_of(static_cast<stack::InterfaceId>(i)))
                link_of[n->name() + "-" + ifaces[i].name] = l->name();
        }
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
    d["lanes"] = lanes_;

    CaptureFrames captures(run.capture_dir);
    nlohmann::json packets = nlohmann::json::array();
    d["packets_total"] = packets_.size();
    d["packets_with_layers"] = std::min(packets_.size(), packets_with_layers);
    for (size_t i = 0; i < std::min(packets_.size(), packets_listed); ++i) {
        const Packet& p = packets_[i];
        const auto link = link_of.find(p.node + "-" + p.iface);
        nlohmann::json j = {
            {"n", i + 1},
            {"t_ns", p.t.ns()},
            {"node", p.node},
            {"iface", p.iface},
            {"link",
             link == link_of.end() ? nlohmann::json(nullptr) : nlohmann::json(link->second)},
            {"proto", field_str(p.fields, "proto")},
            {"label", p.label},
            {"from", p.e2e ? nlohmann::json(p.node) : nlohmann::json(nullptr)},
            {"to", p.to.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.to)},
            {"e2e", p.e2e},
            {"conn", p.conn.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.conn)},
            {"retransmission", p.retransmission},
            {"reordered", p.reordered},
            {"path", p.path},
            {"fate", !p.e2e      ? "unknown"
                     : p.arrived ? "delivered"
                     : p.lost    ? "lost"
                                 : "unknown"},
            {"arrived_ns", p.arrived ? nlohmann::json(p.arrived->ns()) : nlohmann::json(nullptr)},
            {"lost", nullptr}};
        if (p.lost && !p.arrived)
            j["lost"] = {{"link", p.lost->link.empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(p.lost->link)},
                         {"node", p.lost->node},
                         {"reason", p.lost->reason},
                         {"t_ns", p.lost->t.ns()}};
        j["layers"] = nlohmann::json::array();
        if (i < packets_with_layers) {
            const auto frame = captures.frame(p.node, p.iface, p.frame_index);
            if (frame) {
                j["layers"] = layers_json(*frame);
            } else {
                j["layers_error"] = frame.error();
            }
        }
        packets.push_back(std::move(j));
    }
    d["packets"] = std::move(packets);

    nlohmann::json connections = nlohmann::json::array();
    for (const Connection& c : connections_) {
        nlohmann::json sides = nlohmann::json::array();
        for (const Side& side : c.sides) {
            nlohmann::json segments = nlohmann::json::array();
            for (const Side::Segment& seg : side.segments)
                segments.push_back({{"t_ns", seg.t.ns()},
                                    {"seq", seg.seq},
                                    {"len", seg.len},
                                    {"flags", seg.flags},
                                    {"retransmission", seg.retransmission},
                                    {"lost", packets_[seg.packet].lost.has_value() &&
                                                 !packets_[seg.packet].arrived},
                                    {"packet", seg.packet + 1}});
            nlohmann::json acks = nlohmann::json::array();
            for (const Side::Ack& a : side.acks)
                acks.push_back({{"t_ns", a.t.ns()},
                                {"ack", a.ack},
                                {"packet", a.packet ? nlohmann::json(*a.packet + 1)
                                                    : nlohmann::json(nullptr)}});
            nlohmann::json window = nlohmann::json::array();
            for (const Side::Window& w : side.window)
                window.push_back(
                    {{"t_ns", w.t.ns()},
                     {"cwnd", w.cwnd},
                     {"ssthresh", w.ssthresh >= 0xffffffffu ? nlohmann::json(nullptr)
                                                            : nlohmann::json(w.ssthresh)},
                     {"srtt_ns",
                      w.srtt_ns < 0 ? nlohmann::json(nullptr) : nlohmann::json(w.srtt_ns)}});
            sides.push_back({{"node", side.node},
                             {"endpoint", side.endpoint},
                             {"segments", std::move(segments)},
                             {"acks", std::move(acks)},
                             {"window", std::move(window)}});
        }
        connections.push_back({{"name", c.name}, {"sides", std::move(sides)}});
    }
    d["connections"] = std::move(connections);

    nlohmann::json timeline = nlohmann::json::array();
    for (size_t i = 0; i < lines_.size(); ++i) {
        const TimelineLine& l = lines_[i];
        const std::optional<size_t> packet = line_packet_[i];
        timeline.push_back(
            {{"t_ns", l.time.ns()},
             {"node", l.node},
             {"layer", to_string(l.layer)},
             {"text", l.text},
             {"notable", l.notable},
             {"packet", packet && *packet < packets_listed ? nlohmann::json(*packet + 1)
                                                           : nlohmann::json(nullptr)}});
    }
    d["timeline"] = std::move(timeline);
    return d;
}

std::string html_page(const std::string& title, const nlohmann::json& data) {
    std::string json = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // Inside <script> "</" could end the element: JSON may write it "<\/".
    for (size_t at = json.find("</"); at != std::string::npos; at = json.find("</", at + 3))
        json.replace(at, 2, "<\\/");
    return fmt::format(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>minternet — {}</title>\n<style>{}</style></head>\n"
        "<body><div id=\"app\"></div>\n"
        "<script type=\"application/json\" id=\"run-data\">{}</script>\n"
        "<script>{}</script></body></html>\n",
        base::escape_html(title), report_style(), json, report_script());
}

base::Expected<void, std::string> RunReport::write_html(const std::string& path,
                                                        const RunInfo& run) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return base::fail(fmt::format("cannot write {}", path));
    out << html_page(run.name, data(run));
    out.close();
    if (!out) return base::fail(fmt::format("cannot write {}", path));
    return {};
}

}  // namespace report
