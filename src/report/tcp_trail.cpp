#include "report/tcp_trail.hpp"

#include <fmt/format.h>

#include "report/event_fields.hpp"
#include "report/packet_trail.hpp"

namespace report {
namespace {

tcp::Tuple reversed(const tcp::Tuple& c) {
    return {c.remote_address, c.remote_port, c.local_address, c.local_port};
}

}  // namespace

uint32_t TcpTrail::relative(const wire::IpAddress& address, uint16_t port, uint32_t n) const {
    const auto it = isn_.find({address, port});
    return it == isn_.end() ? n : n - it->second;
}

TcpSide* TcpTrail::side(sim::NodeIndex node, const tcp::Tuple& conn) {
    const auto key = std::make_pair(node, conn);
    if (const auto it = side_of_.find(key); it != side_of_.end())
        return &connections_[it->second.first].sides[it->second.second];
    // The other end may have been seen already, at its node.
    size_t index = connections_.size();
    if (const auto other = one_sided_.find(reversed(conn)); other != one_sided_.end()) {
        index = other->second;
        one_sided_.erase(other);
    } else {
        if (connections_.size() >= max_connections) return nullptr;
        connections_.push_back({fmt::format("{} -> {}", local_text(conn), remote_text(conn)), {}});
        one_sided_.emplace(conn, index);
    }
    TcpConnection& c = connections_[index];
    c.sides.push_back(TcpSide{.node = node, .conn = conn});
    side_of_[key] = {index, c.sides.size() - 1};
    return &c.sides.back();
}

void TcpTrail::segment_sent(const sim::ev::TcpSegment& e, std::vector<size_t> lines) {
    side(e.node, e.conn);  // the connection is known from its first segment on
    const wire::TcpRepr& seg = *e.segment;
    pending_[e.node].push_back(Pending{.conn = e.conn,
                                       .why = e.why,
                                       .flags = seg.flags,
                                       .seq = seg.seq.value(),
                                       .data = sim::text_preview(seg.payload),
                                       .lines = std::move(lines)});
}

std::optional<TcpTrail::Matched> TcpTrail::frame_sent(base::Time t, sim::NodeIndex node,
                                                      const sim::FrameSummary& f, size_t packet,
                                                      Packet* kept) {
    using wire::TcpFlags;
    const bool syn = f.tcp && f.flags.has(TcpFlags::syn);
    const bool ack = f.tcp && f.flags.has(TcpFlags::ack);
    if (syn) isn_[{f.src, f.sport}] = f.seq;
    const auto waiting_at = pending_.find(node);
    if (waiting_at == pending_.end()) return std::nullopt;
    auto& waiting = waiting_at->second;
    for (auto it = waiting.begin(); it != waiting.end(); ++it) {
        if (it->conn.local_port != f.sport || it->conn.remote_port != f.dport || it->seq != f.seq ||
            !f.tcp || it->flags != f.flags)
            continue;
        Matched m{std::move(it->lines), std::move(it->data)};
        if (TcpSide* s = side(node, it->conn)) {
            const bool retransmission = tcp::is_retransmission(it->why) ||
                                        (syn && !ack && s->syn_sent) ||
                                        (syn && ack && s->syn_ack_sent);
            if (syn) (ack ? s->syn_ack_sent : s->syn_sent) = true;
            if (kept) {
                kept->conn = it->conn;
                kept->retransmission = retransmission;
                if (s->segments.size() < max_samples)
                    s->segments.push_back(
                        {t, relative(s->conn.local_address, s->conn.local_port, it->seq), f.payload,
                         flags_text(f), retransmission, packet});
            }
        }
        waiting.erase(it);
        return m;
    }
    return std::nullopt;
}

void TcpTrail::ack_received(const sim::ev::TcpSegment& e, std::optional<size_t> packet) {
    if (!sampling_ || !e.segment->flags.has(wire::TcpFlags::ack)) return;
    TcpSide* s = side(e.node, e.conn);
    if (!s) return;
    const auto isn = isn_.find({s->conn.local_address, s->conn.local_port});
    if (isn == isn_.end()) return;
    if (s->acks.size() < max_samples)
        s->acks.push_back({e.t, e.segment->ack.value() - isn->second, packet});
}

void TcpTrail::window(const sim::ev::TcpWindow& e) {
    if (!sampling_) return;
    TcpSide* s = side(e.node, e.conn);
    if (!s || s->window.size() >= max_samples) return;
    s->window.push_back({e.t, e.cwnd, e.ssthresh, e.srtt ? e.srtt->ns() : -1});
}

}  // namespace report
