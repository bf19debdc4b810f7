#include "report/timeline.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/event_fields.hpp"

namespace report {

std::string_view to_string(Layer l) {
    switch (l) {
        case Layer::app:
            return "APP";
        case Layer::dns:
            return "DNS";
        case Layer::tcp:
            return "TCP";
        case Layer::udp:
            return "UDP";
        case Layer::ip:
            return "IP";
        case Layer::icmp:
            return "ICMP";
        case Layer::link:
            return "LINK";
        case Layer::node:
            return "NODE";
    }
    return "?";
}

// What the timeline remembers of one connection, at one of its ends.
struct Timeline::Conn {
    std::optional<base::Time> syn_sent;  // we opened it
    std::optional<base::Time> first_data;
    bool handshake_done = false;
    bool third_step_shown = false;
    size_t summary_index = 0;
    bool in_summary = false;
};

namespace {
constexpr int routine_lines_shown = 6;  // of a run, before the rest is counted
}  // namespace

Timeline::Timeline(std::set<std::string> routers, Sink sink, bool every_line)
    : routers_(std::move(routers)), sink_(std::move(sink)), every_line_(every_line) {}

Timeline::~Timeline() = default;

void Timeline::emit(base::Time t, std::string_view node, Layer layer, std::string text,
                    bool notable, bool routine) {
    if (routine && !every_line_) {
        if (routine_run_ >= routine_lines_shown) {
            ++left_out_;
            left_out_until_ = t;
            return;
        }
        ++routine_run_;
    } else {
        flush();
        routine_run_ = 0;
    }
    sink_(TimelineLine{t, std::string(node), layer, std::move(text), notable});
}

void Timeline::flush() {
    if (left_out_ == 0) return;
    sink_(TimelineLine{left_out_until_, "", Layer::tcp,
                       fmt::format("… {} more routine lines until here (segments in order, "
                                   "packets into a crashed node); --all shows every one",
                                   left_out_),
                       false});
    left_out_ = 0;
}

Timeline::Conn& Timeline::conn(std::string_view node, const std::string& key) {
    return conns_[fmt::format("{} {}", node, key)];
}

void Timeline::event(base::Time t, std::string_view node, std::string_view event,
                     std::string_view fields_json) {
    const nlohmann::json f =
        nlohmann::json::parse(fmt::format("{{{}}}", fields_json), nullptr, false);
    if (!f.is_discarded()) parsed_event(t, node, event, f);
}

void Timeline::parsed_event(base::Time t, std::string_view node, std::string_view event,
                            const nlohmann::json& f) {
    const bool host = !routers_.contains(std::string(node));
    if (event == "tcp_send" || event == "tcp_receive") {
        tcp_segment(t, node, event == "tcp_send", f);
    } else if (event == "tcp_state") {
        tcp_state(t, node, f);
    } else if (event == "send") {
        if (host) frame_sent(t, node, f);
    } else if (event == "drop") {
        const std::string link = field_str(f, "link");
        const std::string reason = field_str(f, "reason");
        if (!link.empty()) {
            ++summary_.lost;
            emit(t, node, Layer::link,
                 reason == "lost"
                     ? fmt::format("{} lost on link {}", describe_packet(f), link)
                     : fmt::format("{} lost on link {}: {}", describe_packet(f), link, reason),
                 true);
        } else if (field_str(f, "proto") != "ARP") {
            // Into a crashed node: the crash line said it; the rest is routine.
            const bool into_crashed = reason == "node down";
            emit(t, node, Layer::ip, fmt::format("drops {}: {}", describe_packet(f), reason),
                 !into_crashed, into_crashed);
        }
    } else if (event == "reorder") {
        ++summary_.reordered;
        emit(t, node, Layer::link,
             fmt::format("{} overtakes the frames ahead of it on link {} (reordering)",
                         describe_packet(f), field_str(f, "link")),
             true);
    } else if (event == "duplicate") {
        ++summary_.duplicated;
        emit(t, node, Layer::link,
             fmt::format("{} duplicated on link {}", describe_packet(f), field_str(f, "link")),
             true);
    } else if (event == "corrupt") {
        emit(t, node, Layer::link,
             fmt::format("{} damaged on link {} (bit {} flipped)", describe_packet(f),
                         field_str(f, "link"), field_num(f, "bit")),
             true);
    } else if (event == "icmp_sent") {
        const uint64_t type = field_num(f, "type");
        if (type != 0 && type != 8)
            emit(t, node, Layer::icmp,
                 fmt::format("{} -> {}", field_str(f, "what"), field_str(f, "to")), true);
    } else if (event == "link_down" || event == "link_up") {
        emit(t, node, Layer::link,
             fmt::format("link {} goes {}", node, event == "link_down" ? "down" : "up"), true);
    } else if (event == "node_crash" || event == "node_restart") {
        emit(t, node, Layer::node, event == "node_crash" ? "crashes" : "restarts", true);
    } else if (event == "routes_recomputed") {
        emit(t, node, Layer::ip,
             "routes computed again around what failed: packets take the new paths", true);
    } else if (event == "reassembled") {
        emit(t, node, Layer::ip,
             fmt::format("reassembles {} from {} fragments", describe_packet(f),
                         field_num(f, "fragments")));
    }
}

void Timeline::frame_sent(base::Time t, std::string_view node, const nlohmann::json& f) {
    const std::string proto = field_str(f, "proto");
    if (proto == "ARP" || field_str(f, "src").empty()) return;
    ++summary_.packets;
    if (proto != "UDP") return;  // TCP has its own events; ICMP echoes are ping's
    if (const std::string dns = field_str(f, "dns_hex"); !dns.empty()) {
        emit(t, node, Layer::dns,
             fmt::format("{} -> {}:{}", describe_dns(dns), field_str(f, "dst"),
                         field_num(f, "dport")));
        return;
    }
    emit(t, node, Layer::udp,
         fmt::format("datagram, {} bytes, {}:{} -> {}:{}", field_num(f, "payload"),
                     field_str(f, "src"), field_num(f, "sport"), field_str(f, "dst"),
                     field_num(f, "dport")));
}

void Timeline::tcp_segment(base::Time t, std::string_view node, bool sent,
                           const nlohmann::json& f) {
    const std::string key = field_str(f, "conn");
    const auto [local, remote] = ends_of(key);
    const std::string why = field_str(f, "why");
    const std::string flags = field_str(f, "flags");
    const uint32_t seq = static_cast<uint32_t>(field_num(f, "seq"));
    const uint32_t ack = static_cast<uint32_t>(field_num(f, "ack"));
    const uint64_t len = field_num(f, "len");
    const bool syn = flags.find("SYN") != std::string::npos;
    if (syn) isn_[sent ? local : remote] = seq;
    const std::string& from = sent ? local : remote;
    const std::string& to = sent ? remote : local;
    // Relative to each side's first number when the timeline saw it (a
    // SYN from outside the simulation, as in hybrid mode, is not an event).
    const uint32_t rel_seq = isn_.contains(from) ? seq - isn_[from] : seq;
    const uint32_t rel_ack = isn_.contains(to) ? ack - isn_[to] : ack;
    Conn& c = conn(node, key);

    if (!sent) {
        if (why == "out of order") {
            ++summary_.out_of_order;
            emit(t, node, Layer::tcp,
                 fmt::format("{} bytes seq={} arrive out of order: a segment before them is "
                             "missing",
                             len, rel_seq),
                 true);
        } else if (why == "duplicate") {
            emit(t, node, Layer::tcp,
                 fmt::format("seq={} arrives again: a duplicate, already received", rel_seq));
        }
        return;
    }

    std::string what;
    bool notable = false;
    bool routine = false;  // in order and unremarkable: may be counted, not shown
    const std::string data =
        len == 0 ? std::string{}
                 : (f.contains("data")
                        ? fmt::format(" {} bytes \"{}{}\"", len, one_line(field_str(f, "data")),
                                      f.contains("data_cut") ? "…" : "")
                        : fmt::format(" {} bytes", len));
    if (why == "SYN" && c.syn_sent) {
        ++summary_.retransmitted;
        notable = true;
        what =
            fmt::format("SYN again -> {} (no SYN+ACK came: the retransmission timer ran out)", to);
    } else if (why == "SYN") {
        c.syn_sent = t;
        what = fmt::format("SYN -> {} seq=0 (3-way handshake 1/3)", to);
    } else if (why == "SYN+ACK") {
        what = fmt::format("SYN+ACK -> {} seq=0 ack={} (3-way handshake 2/3)", to, rel_ack);
    } else if (why == "fast retransmit" || why == "retransmission after RTO") {
        ++summary_.retransmitted;
        notable = true;
        what = fmt::format("resends seq={}{} -> {} ({})", rel_seq, data, to,
                           why == "fast retransmit" ? "fast retransmit: the receiver asked again"
                                                    : "the retransmission timer ran out");
    } else if (why == "duplicate ACK") {
        notable = true;
        what = fmt::format("duplicate ACK -> {} ack={}: asks again from byte {}", to, rel_ack,
                           rel_ack);
    } else if (flags.find("FIN") != std::string::npos) {
        what = fmt::format("FIN{} -> {} seq={} ack={} (closing: 4-way close)",
                           data.empty() ? "" : " with" + data, to, rel_seq, rel_ack);
    } else if (len > 0) {
        if (!c.first_data) c.first_data = t;
        routine = true;
        what = fmt::format("data{} -> {} seq={} ack={}", data, to, rel_seq, rel_ack);
    } else if (c.syn_sent && c.handshake_done && !c.third_step_shown) {
        c.third_step_shown = true;
        what = fmt::format("ACK -> {} ack={} (3-way handshake 3/3)", to, rel_ack);
    } else if (why == "window probe") {
        what = fmt::format("window probe -> {} seq={}", to, rel_seq);
    } else if (why == "keep-alive") {
        what = fmt::format("keep-alive -> {}", to);
    } else if (why == "RST") {
        notable = true;
        what = fmt::format("RST -> {}: the connection is reset", to);
    } else {
        routine = true;
        what = fmt::format("ACK -> {} ack={}{}", to, rel_ack,
                           why == "delayed ACK" ? " (delayed)" : "");
    }
    emit(t, node, Layer::tcp, std::move(what), notable, routine);
}

void Timeline::tcp_state(base::Time t, std::string_view node, const nlohmann::json& f) {
    const std::string key = field_str(f, "conn");
    const std::string to = field_str(f, "to");
    Conn& c = conn(node, key);
    if (to == "ESTABLISHED" && !c.handshake_done) {
        c.handshake_done = true;
        if (c.syn_sent) {
            const auto [local, remote] = ends_of(key);
            c.summary_index = summary_.connections.size();
            c.in_summary = true;
            summary_.connections.push_back(
                {fmt::format("{} -> {}", local, remote), t - *c.syn_sent, std::nullopt});
            emit(t, node, Layer::tcp,
                 fmt::format("connected to {} (handshake {:.1f} ms)", remote,
                             (t - *c.syn_sent).seconds_f() * 1000));
        }
    } else if (to == "FIN-WAIT-1" || to == "LAST-ACK") {
        if (c.in_summary && c.first_data && !summary_.connections[c.summary_index].transfer)
            summary_.connections[c.summary_index].transfer = t - *c.first_data;
    } else if (to == "CLOSED" || to == "TIME-WAIT") {
        if (c.handshake_done)
            emit(t, node, Layer::tcp,
                 fmt::format("connection with {} {}", ends_of(key).second,
                             to == "CLOSED" ? "closed"
                                            : "closed (TIME-WAIT: 2 MSL before the "
                                              "numbers are free)"));
    }
}

}  // namespace report
