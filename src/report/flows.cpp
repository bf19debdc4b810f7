#include "report/flows.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/frame_summary.hpp"
#include "sim/network.hpp"

namespace report {
namespace {

std::string endpoint(const stack::Endpoint& e) {
    return e.to_string();
}

std::string_view protocol_name(Flow::Protocol p) {
    return p == Flow::Protocol::tcp ? "TCP" : "UDP";
}

double seconds(base::Time t) {
    return t.is_never() ? 0.0 : (t - base::Time::zero()).seconds_f();
}

double ms(base::Duration d) {
    return d.seconds_f() * 1000;
}

}  // namespace

double Flow::goodput_bit_s() const {
    if (start.is_never() || end.is_never() || end <= start || bytes_delivered == 0) return 0;
    return static_cast<double>(bytes_delivered) * 8 / (end - start).seconds_f();
}

FlowStats::FlowKey FlowStats::key(const stack::Endpoint& from, const stack::Endpoint& to) {
    return {from, to};
}

sim::EventMask FlowStats::wants() const {
    return sim::EventMask::of<sim::ev::TcpFlow, sim::ev::UdpDatagram, sim::ev::LinkDropped>();
}

void FlowStats::event(const sim::Event& e) {
    if (const auto* t = std::get_if<sim::ev::TcpFlow>(&e)) {
        tcp_flow(*t);
    } else if (const auto* u = std::get_if<sim::ev::UdpDatagram>(&e)) {
        udp(*u);
    } else if (const auto* d = std::get_if<sim::ev::LinkDropped>(&e)) {
        link_drop(*d);
    }
}

void FlowStats::tcp_flow(const sim::ev::TcpFlow& e) {
    const stack::Endpoint local{e.conn.local_address, e.conn.local_port};
    const stack::Endpoint remote{e.conn.remote_address, e.conn.remote_port};
    size_t index = 0;
    int side = 0;
    if (const auto it = connection_of_.find(key(local, remote)); it != connection_of_.end()) {
        index = it->second;
        side = 0;
    } else if (const auto other = connection_of_.find(key(remote, local));
               other != connection_of_.end()) {
        index = other->second;
        side = 1;
    } else {
        index = connections_.size();
        connections_.push_back(Connection{.a_to_b = e.conn, .side = {}});
        connection_of_.emplace(key(local, remote), index);
        order_.push_back({true, index});
    }
    Side& s = connections_[index].side[side];
    // A tuple used again after the first connection on it closed: a new one.
    if (s.reported && !s.open) {
        index = connections_.size();
        connections_.push_back(Connection{.a_to_b = e.conn, .side = {}});
        connection_of_[key(local, remote)] = index;
        connection_of_.erase(key(remote, local));
        order_.push_back({true, index});
        return tcp_flow(e);
    }
    const tcp::Stats& st = *e.stats;
    s = Side{.reported = true,
             .open = e.open,
             .active_open = st.active_open,
             .bytes_sent = st.bytes_sent,
             .bytes_received = st.bytes_received,
             .retransmissions = st.retransmissions,
             .out_of_order = st.out_of_order_segments,
             .rtt_samples = st.rtt_samples,
             .rtt_sum_ns = st.rtt_sum.ns(),
             .rtt_min_ns = st.rtt_min.ns(),
             .rtt_max_ns = st.rtt_max.ns(),
             .first_data_sent = st.first_data_sent,
             .last_data_received = st.last_data_received};
}

FlowStats::Udp& FlowStats::udp_flow(const stack::Endpoint& source,
                                    const stack::Endpoint& destination) {
    const FlowKey k = key(source, destination);
    if (const auto it = udp_of_.find(k); it != udp_of_.end()) return udp_[it->second];
    udp_of_.emplace(k, udp_.size());
    order_.push_back({false, udp_.size()});
    Udp u{.source = source, .destination = destination, .flow = {}};
    u.flow.protocol = Flow::Protocol::udp;
    u.flow.source = source;
    u.flow.destination = destination;
    udp_.push_back(u);
    return udp_.back();
}

void FlowStats::udp(const sim::ev::UdpDatagram& e) {
    if (e.sent) {
        Udp& u = udp_flow(e.local, e.remote);
        if (u.flow.start.is_never()) u.flow.start = e.t;
        ++u.flow.packets_sent;
        u.flow.bytes_sent += e.payload;
        return;
    }
    // A datagram from outside the simulation's senders still makes a flow.
    Udp& u = udp_flow(e.remote, e.local);
    ++u.flow.packets_delivered;
    u.flow.bytes_delivered += e.payload;
    u.flow.end = e.t;
    // The sender numbers its IP packets in order (one counter per host), so
    // a datagram whose identification is behind the highest seen so far
    // arrived out of order.
    if (u.any_received && static_cast<int16_t>(e.ip_id - u.highest_id) < 0) {
        ++u.flow.out_of_order;
    } else {
        u.highest_id = e.ip_id;
    }
    u.any_received = true;
}

void FlowStats::link_drop(const sim::ev::LinkDropped& e) {
    const sim::FrameSummary f = sim::summarize_frame(e.frame);
    if (!f.is_ip() || !f.ports) return;
    const bool tcp = f.proto == wire::IpProtocol::tcp;
    if (!tcp && f.proto != wire::IpProtocol::udp) return;
    ++lost_[{tcp, key({f.src, f.sport}, {f.dst, f.dport})}];
}

std::vector<Flow> FlowStats::flows() const {
    std::vector<Flow> out;
    auto lost = [&](bool tcp, const stack::Endpoint& from, const stack::Endpoint& to) {
        const auto it = lost_.find({tcp, key(from, to)});
        return it == lost_.end() ? uint64_t{0} : it->second;
    };
    for (const auto& [is_tcp, index] : order_) {
        if (!is_tcp) {
            Flow f = udp_[index].flow;
            f.lost = lost(false, f.source, f.destination);
            out.push_back(f);
            continue;
        }
        const Connection& c = connections_[index];
        const stack::Endpoint ends[2] = {{c.a_to_b.local_address, c.a_to_b.local_port},
                                         {c.a_to_b.remote_address, c.a_to_b.remote_port}};
        auto row = [&](int from) {
            const Side& s = c.side[from];
            const Side& r = c.side[1 - from];
            Flow f{.protocol = Flow::Protocol::tcp,
                   .source = ends[from],
                   .destination = ends[1 - from]};
            f.start = s.first_data_sent;
            f.end = r.last_data_received;
            f.bytes_sent = s.bytes_sent;
            f.bytes_delivered = r.bytes_received;
            f.rtt_samples = s.rtt_samples;
            if (s.rtt_samples > 0) {
                f.rtt_min = base::Duration::nanoseconds(s.rtt_min_ns);
                f.rtt_max = base::Duration::nanoseconds(s.rtt_max_ns);
                f.rtt_mean =
                    base::Duration::nanoseconds(s.rtt_sum_ns / static_cast<int64_t>(s.rtt_samples));
            }
            f.retransmissions = s.retransmissions;
            f.out_of_order = r.out_of_order;
            f.lost = lost(true, f.source, f.destination);
            f.reverse_bytes_delivered = s.bytes_received;
            f.open = s.open || r.open;
            out.push_back(f);
        };
        // One row per connection, from the end that sent more (the opener
        // when neither did): a download's row goes from the server.
        const uint64_t sent[2] = {std::max(c.side[0].bytes_sent, c.side[1].bytes_received),
                                  std::max(c.side[1].bytes_sent, c.side[0].bytes_received)};
        int from = sent[1] > sent[0] ? 1 : 0;
        if (sent[0] == sent[1]) from = c.side[1].reported && c.side[1].active_open ? 1 : 0;
        row(from);
    }
    return out;
}

FlowTotals FlowStats::totals(const std::vector<Flow>& flows) {
    FlowTotals t;
    t.flows = flows.size();
    double sum = 0, squares = 0;
    size_t n = 0;
    for (const Flow& f : flows) {
        const double g = f.goodput_bit_s();
        t.goodput_bit_s += g;
        if (f.bytes_delivered == 0) continue;
        sum += g;
        squares += g * g;
        ++n;
    }
    t.jain_index = n == 0 || squares == 0 ? 0 : sum * sum / (static_cast<double>(n) * squares);
    return t;
}

std::string FlowStats::csv() const {
    std::string out =
        "protocol,source,destination,start_s,end_s,bytes_sent,bytes_delivered,goodput_bit_s,"
        "rtt_min_ms,rtt_mean_ms,rtt_max_ms,retransmissions,lost,out_of_order,packets_sent,"
        "packets_delivered,reverse_bytes_delivered,open\n";
    for (const Flow& f : flows()) {
        const bool rtt = f.rtt_samples > 0;
        out += fmt::format("{},{},{},{:.9f},{:.9f},{},{},{:.0f},{},{},{},{},{},{},{},{},{},{}\n",
                           protocol_name(f.protocol), endpoint(f.source), endpoint(f.destination),
                           seconds(f.start), seconds(f.end), f.bytes_sent, f.bytes_delivered,
                           f.goodput_bit_s(), rtt ? fmt::format("{:.3f}", ms(f.rtt_min)) : "",
                           rtt ? fmt::format("{:.3f}", ms(f.rtt_mean)) : "",
                           rtt ? fmt::format("{:.3f}", ms(f.rtt_max)) : "", f.retransmissions,
                           f.lost, f.out_of_order, f.packets_sent, f.packets_delivered,
                           f.reverse_bytes_delivered, f.open ? "true" : "false");
    }
    return out;
}

nlohmann::json FlowStats::json(const std::string& run_name, uint64_t seed, base::Time end) const {
    const std::vector<Flow> all = flows();
    const FlowTotals t = totals(all);
    nlohmann::json rows = nlohmann::json::array();
    for (const Flow& f : all) {
        const bool rtt = f.rtt_samples > 0;
        auto opt_time = [](base::Time x) {
            return x.is_never() ? nlohmann::json(nullptr) : nlohmann::json(seconds(x));
        };
        auto opt_ms = [rtt](base::Duration d) {
            return rtt ? nlohmann::json(ms(d)) : nlohmann::json(nullptr);
        };
        rows.push_back({{"protocol", protocol_name(f.protocol)},
                        {"source", endpoint(f.source)},
                        {"destination", endpoint(f.destination)},
                        {"start_s", opt_time(f.start)},
                        {"end_s", opt_time(f.end)},
                        {"bytes_sent", f.bytes_sent},
                        {"bytes_delivered", f.bytes_delivered},
                        {"goodput_bit_s", f.goodput_bit_s()},
                        {"rtt_min_ms", opt_ms(f.rtt_min)},
                        {"rtt_mean_ms", opt_ms(f.rtt_mean)},
                        {"rtt_max_ms", opt_ms(f.rtt_max)},
                        {"retransmissions", f.retransmissions},
                        {"lost", f.lost},
                        {"out_of_order", f.out_of_order},
                        {"packets_sent", f.packets_sent},
                        {"packets_delivered", f.packets_delivered},
                        {"reverse_bytes_delivered", f.reverse_bytes_delivered},
                        {"open", f.open}});
    }
    return {{"name", run_name},
            {"seed", seed},
            {"duration_s", seconds(end)},
            {"flows_total", t.flows},
            {"aggregate_goodput_bit_s", t.goodput_bit_s},
            {"jain_index", t.jain_index},
            {"flows", std::move(rows)}};
}

base::Expected<void, std::string> FlowStats::write(const std::string& dir,
                                                   const std::string& run_name, uint64_t seed,
                                                   base::Time end) const {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return base::fail(fmt::format("cannot create {}: {}", dir, ec.message()));
    const std::string csv_path = (std::filesystem::path(dir) / "flows.csv").string();
    const std::string json_path = (std::filesystem::path(dir) / "flows.json").string();
    std::ofstream c(csv_path, std::ios::binary | std::ios::trunc);
    c << csv();
    if (!c) return base::fail(fmt::format("cannot write {}", csv_path));
    std::ofstream j(json_path, std::ios::binary | std::ios::trunc);
    j << json(run_name, seed, end).dump(1) << '\n';
    if (!j) return base::fail(fmt::format("cannot write {}", json_path));
    return {};
}

}  // namespace report
