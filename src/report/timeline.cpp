#include "report/timeline.hpp"

#include <fmt/format.h>

#include "report/event_fields.hpp"
#include "sim/frame_summary.hpp"
#include "sim/network.hpp"

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
    std::optional<size_t> summary_index;
};

namespace {
constexpr int routine_lines_shown = 6;  // of a run, before the rest is counted
// First sequence numbers remembered, for relative numbers; the oldest go
// beyond this (a long run opens connections without end).
constexpr size_t isn_kept = 1 << 16;
}  // namespace

Timeline::Timeline(const sim::Network& network, Sink sink, bool every_line)
    : network_(network), sink_(std::move(sink)), every_line_(every_line) {
    for (const auto& n : network.nodes())
        router_.push_back(n->config().host.forwarding);
}

Timeline::~Timeline() = default;

sim::EventMask Timeline::wants() const {
    using namespace sim::ev;
    return sim::EventMask::of<TcpSegment, TcpState, FrameSent, Dropped, LinkDropped, LinkReordered,
                              LinkDuplicated, LinkCorrupted, IcmpSent, LinkState, NodeCrashed,
                              NodeRestarted, RoutesRecomputed, Reassembled, Icmpv6Sent>();
}

const std::string& Timeline::name(sim::NodeIndex node) const {
    return network_.nodes()[node]->name();
}

void Timeline::emit(base::Time t, std::string_view node, Layer layer, std::string text,
                    bool notable, bool routine) {
    if (!sink_) return;
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
    if (left_out_ == 0 || !sink_) return;
    sink_(TimelineLine{left_out_until_, "", Layer::tcp,
                       fmt::format("… {} more routine lines until here (segments in order, "
                                   "packets into a crashed node); --all shows every one",
                                   left_out_),
                       false});
    left_out_ = 0;
}

Timeline::Conn& Timeline::conn(sim::NodeIndex node, const tcp::Tuple& c) {
    return conns_[{node, c}];
}

void Timeline::event(const sim::Event& e) {
    using namespace sim::ev;
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, TcpSegment>) {
                tcp_segment(x);
            } else if constexpr (std::is_same_v<T, TcpState>) {
                tcp_state(x);
            } else if constexpr (std::is_same_v<T, FrameSent>) {
                if (!router_[x.node]) frame_sent(x);
            } else if constexpr (std::is_same_v<T, Dropped>) {
                const sim::FrameSummary f = x.layer == stack::Layer::ipv4
                                                ? sim::summarize_packet(x.bytes)
                                                : sim::summarize_frame(x.bytes);
                if (x.layer == stack::Layer::arp || f.kind == sim::FrameSummary::Kind::arp) return;
                // Into a crashed node: the crash line said it; the rest is routine.
                const bool into_crashed = x.reason == stack::DropReason::node_down;
                emit(x.t, name(x.node), Layer::ip,
                     fmt::format("drops {}: {}", describe_packet(f), stack::to_string(x.reason)),
                     !into_crashed, into_crashed);
            } else if constexpr (std::is_same_v<T, LinkDropped>) {
                const sim::Link& l = *network_.links()[x.link];
                const sim::FrameSummary f = sim::summarize_frame(x.frame);
                ++summary_.lost;
                emit(x.t, l.end(x.direction).node, Layer::link,
                     x.reason == stack::DropReason::loss
                         ? fmt::format("{} lost on link {}", describe_packet(f), l.name())
                         : fmt::format("{} lost on link {}: {}", describe_packet(f), l.name(),
                                       stack::to_string(x.reason)),
                     true);
            } else if constexpr (std::is_same_v<T, LinkReordered>) {
                const sim::Link& l = *network_.links()[x.link];
                ++summary_.reordered;
                emit(x.t, l.end(x.direction).node, Layer::link,
                     fmt::format("{} overtakes the frames ahead of it on link {} (reordering)",
                                 describe_packet(sim::summarize_frame(x.frame)), l.name()),
                     true);
            } else if constexpr (std::is_same_v<T, LinkDuplicated>) {
                const sim::Link& l = *network_.links()[x.link];
                ++summary_.duplicated;
                emit(x.t, l.end(x.direction).node, Layer::link,
                     fmt::format("{} duplicated on link {}",
                                 describe_packet(sim::summarize_frame(x.frame)), l.name()),
                     true);
            } else if constexpr (std::is_same_v<T, LinkCorrupted>) {
                const sim::Link& l = *network_.links()[x.link];
                emit(x.t, l.end(x.direction).node, Layer::link,
                     fmt::format("{} damaged on link {} (bit {} flipped)",
                                 describe_packet(sim::summarize_frame(x.frame)), l.name(), x.bit),
                     true);
            } else if constexpr (std::is_same_v<T, IcmpSent>) {
                const auto type = static_cast<uint8_t>(x.type);
                if (type != 0 && type != 8)
                    emit(x.t, name(x.node), Layer::icmp,
                         fmt::format("{} -> {}", wire::to_string(x.type), x.to), true);
            } else if constexpr (std::is_same_v<T, Icmpv6Sent>) {
                // Errors, as for ICMP; echoes are ping's to tell.
                if (stack::icmp_error_kind(x.type, x.code))
                    emit(x.t, name(x.node), Layer::icmp,
                         fmt::format("ICMPv6 {} -> {}", wire::to_string(x.type), x.to), true);
            } else if constexpr (std::is_same_v<T, LinkState>) {
                const std::string& link = network_.links()[x.link]->name();
                emit(x.t, link, Layer::link,
                     fmt::format("link {} goes {}", link, x.up ? "up" : "down"), true);
            } else if constexpr (std::is_same_v<T, NodeCrashed>) {
                emit(x.t, name(x.node), Layer::node, "crashes", true);
            } else if constexpr (std::is_same_v<T, NodeRestarted>) {
                emit(x.t, name(x.node), Layer::node, "restarts", true);
            } else if constexpr (std::is_same_v<T, RoutesRecomputed>) {
                emit(x.t, "network", Layer::ip,
                     "routes computed again around what failed: packets take the new paths", true);
            } else if constexpr (std::is_same_v<T, Reassembled>) {
                emit(x.t, name(x.node), Layer::ip,
                     fmt::format("reassembles {} from {} fragments",
                                 describe_packet(sim::summarize_packet(x.packet)), x.fragments));
            }
        },
        e);
}

void Timeline::frame_sent(const sim::ev::FrameSent& e) {
    const sim::FrameSummary f = sim::summarize_frame(e.frame);
    if (!f.is_ip()) return;
    ++summary_.packets;
    if (!sink_) return;
    if (f.proto != wire::IpProtocol::udp) return;  // TCP has its own events; ICMP echoes are ping's
    if (f.dns) {
        emit(e.t, name(e.node), Layer::dns,
             fmt::format("{} -> {}:{}", describe_dns(f.dns_message), f.dst, f.dport));
        return;
    }
    emit(e.t, name(e.node), Layer::udp,
         fmt::format("datagram, {} bytes, {}:{} -> {}:{}", f.payload, f.src, f.sport, f.dst,
                     f.dport));
}

void Timeline::tcp_segment(const sim::ev::TcpSegment& e) {
    const wire::TcpRepr& seg = *e.segment;
    const Endpoint local{e.conn.local_address, e.conn.local_port};
    const Endpoint remote{e.conn.remote_address, e.conn.remote_port};
    const uint32_t seq = seg.seq.value();
    const uint32_t ack = seg.ack.value();
    const size_t len = seg.payload.size();
    using wire::TcpFlags;
    if (seg.flags.has(TcpFlags::syn)) {
        if (isn_.size() >= isn_kept && !isn_.contains(e.sent ? local : remote)) isn_.clear();
        isn_[e.sent ? local : remote] = seq;
    }
    const Endpoint& from = e.sent ? local : remote;
    const Endpoint& to_end = e.sent ? remote : local;
    // Relative to each side's first number when the timeline saw it (a
    // SYN from outside the simulation, as in hybrid mode, is not an event).
    const auto rel = [&](const Endpoint& side, uint32_t n) {
        const auto it = isn_.find(side);
        return it == isn_.end() ? n : n - it->second;
    };
    Conn& c = conn(e.node, e.conn);
    if (!sink_) return count_segment(e, c);
    const uint32_t rel_seq = rel(from, seq);
    const uint32_t rel_ack = rel(to_end, ack);
    const std::string to = e.sent ? remote_text(e.conn) : local_text(e.conn);
    const std::string& node = name(e.node);
    using tcp::Reason;

    if (!e.sent) {
        if (e.why == Reason::out_of_order) {
            ++summary_.out_of_order;
            emit(e.t, node, Layer::tcp,
                 fmt::format("{} bytes seq={} arrive out of order: a segment before them is "
                             "missing",
                             len, rel_seq),
                 true);
        } else if (e.why == Reason::duplicate) {
            emit(e.t, node, Layer::tcp,
                 fmt::format("seq={} arrives again: a duplicate, already received", rel_seq));
        }
        return;
    }

    std::string what;
    bool notable = false;
    bool routine = false;  // in order and unremarkable: may be counted, not shown
    std::string data;
    if (len > 0) {
        const auto preview = sim::text_preview(seg.payload);
        data = preview ? fmt::format(" {} bytes \"{}{}\"", len, one_line(preview->text),
                                     preview->cut ? "…" : "")
                       : fmt::format(" {} bytes", len);
    }
    if (e.why == Reason::syn && c.syn_sent) {
        ++summary_.retransmitted;
        notable = true;
        what =
            fmt::format("SYN again -> {} (no SYN+ACK came: the retransmission timer ran out)", to);
    } else if (e.why == Reason::syn) {
        c.syn_sent = e.t;
        what = fmt::format("SYN -> {} seq=0 (3-way handshake 1/3)", to);
    } else if (e.why == Reason::syn_ack) {
        what = fmt::format("SYN+ACK -> {} seq=0 ack={} (3-way handshake 2/3)", to, rel_ack);
    } else if (tcp::is_retransmission(e.why)) {
        ++summary_.retransmitted;
        notable = true;
        what = fmt::format(
            "resends seq={}{} -> {} ({})", rel_seq, data, to,
            e.why == Reason::fast_retransmit ? "fast retransmit: the receiver asked again"
            : e.why == Reason::loss_probe    ? "tail loss probe: no ACK for two round trips"
            : e.why == Reason::path_mtu      ? "smaller: the path's MTU is less than it was"
                                             : "the retransmission timer ran out");
    } else if (e.why == Reason::duplicate_ack) {
        notable = true;
        what = fmt::format("duplicate ACK -> {} ack={}: asks again from byte {}", to, rel_ack,
                           rel_ack);
    } else if (seg.flags.has(TcpFlags::fin)) {
        what = fmt::format("FIN{} -> {} seq={} ack={} (closing: 4-way close)",
                           data.empty() ? "" : " with" + data, to, rel_seq, rel_ack);
    } else if (len > 0) {
        if (!c.first_data) c.first_data = e.t;
        routine = true;
        what = fmt::format("data{} -> {} seq={} ack={}", data, to, rel_seq, rel_ack);
    } else if (c.syn_sent && c.handshake_done && !c.third_step_shown) {
        c.third_step_shown = true;
        what = fmt::format("ACK -> {} ack={} (3-way handshake 3/3)", to, rel_ack);
    } else if (e.why == Reason::window_probe) {
        what = fmt::format("window probe -> {} seq={}", to, rel_seq);
    } else if (e.why == Reason::keepalive) {
        what = fmt::format("keep-alive -> {}", to);
    } else if (e.why == Reason::rst) {
        notable = true;
        what = fmt::format("RST -> {}: the connection is reset", to);
    } else {
        routine = true;
        what = fmt::format("ACK -> {} ack={}{}", to, rel_ack,
                           e.why == Reason::delayed_ack ? " (delayed)" : "");
    }
    emit(e.t, node, Layer::tcp, std::move(what), notable, routine);
}

// What tcp_segment counts, without the words: a summary-only timeline.
void Timeline::count_segment(const sim::ev::TcpSegment& e, Conn& c) {
    using tcp::Reason;
    if (!e.sent) {
        if (e.why == Reason::out_of_order) ++summary_.out_of_order;
        return;
    }
    if (e.why == Reason::syn) {
        if (c.syn_sent) {
            ++summary_.retransmitted;
        } else {
            c.syn_sent = e.t;
        }
    } else if (tcp::is_retransmission(e.why)) {
        ++summary_.retransmitted;
    } else if (e.why != Reason::syn_ack && e.why != Reason::duplicate_ack &&
               !e.segment->flags.has(wire::TcpFlags::fin) && !e.segment->payload.empty()) {
        if (!c.first_data) c.first_data = e.t;
    }
}

void Timeline::tcp_state(const sim::ev::TcpState& e) {
    using tcp::State;
    const auto key = std::make_pair(e.node, e.conn);
    Conn& c = conns_[key];
    const std::string& node = name(e.node);
    if (e.to == State::established && !c.handshake_done) {
        c.handshake_done = true;
        if (c.syn_sent) {
            const base::Duration handshake = e.t - *c.syn_sent;
            if (summary_.connections.size() < max_connections_listed) {
                c.summary_index = summary_.connections.size();
                summary_.connections.push_back(
                    {fmt::format("{} -> {}", local_text(e.conn), remote_text(e.conn)), handshake,
                     std::nullopt});
            } else {
                ++summary_.connections_not_listed;
            }
            emit(e.t, node, Layer::tcp,
                 fmt::format("connected to {} (handshake {:.1f} ms)", remote_text(e.conn),
                             handshake.seconds_f() * 1000));
        }
    } else if (e.to == State::fin_wait_1 || e.to == State::last_ack) {
        if (c.summary_index && c.first_data && !summary_.connections[*c.summary_index].transfer)
            summary_.connections[*c.summary_index].transfer = e.t - *c.first_data;
    } else if (e.to == State::closed || e.to == State::time_wait) {
        if (c.handshake_done)
            emit(e.t, node, Layer::tcp,
                 fmt::format("connection with {} {}", remote_text(e.conn),
                             e.to == State::closed ? "closed"
                                                   : "closed (TIME-WAIT: 2 MSL before the "
                                                     "numbers are free)"));
    }
    // Nothing more to say about a connection that is gone.
    if (e.to == State::closed) conns_.erase(key);
}

}  // namespace report
