#include "sim/event_log.hpp"

#include <iterator>

#include <fmt/format.h>

#include "sim/network.hpp"
#include "wire/services.hpp"

namespace sim {
namespace {

constexpr size_t flush_at = 1 << 16;

// What `put` can write in place of a {}: numbers, truth values, addresses,
// text. Written by hand: the log is written for every event of a traced run,
// and fmt's general machinery (format strings parsed at run time, addresses
// made into strings first) was most of its cost.
void append(std::string& out, uint64_t v) {
    out += fmt::format_int(v).str();
}
void append(std::string& out, int64_t v) {
    out += fmt::format_int(v).str();
}
void append(std::string& out, bool v) {
    out += v ? "true" : "false";
}
void append(std::string& out, wire::Ipv4Address a) {
    const uint32_t v = a.to_u32();
    for (int shift = 24; shift >= 0; shift -= 8) {
        out += fmt::format_int((v >> shift) & 0xff).c_str();
        if (shift > 0) out += '.';
    }
}
void append(std::string& out, const wire::Ipv6Address& a) {
    out += a.to_string();
}
void append(std::string& out, const wire::IpAddress& a) {
    if (a.is_v4()) return append(out, a.v4());
    out += a.v6().to_string();
}
void append(std::string& out, wire::MacAddress m) {
    static constexpr char digits[] = "0123456789abcdef";
    const auto& octets = m.octets();
    for (size_t i = 0; i < octets.size(); ++i) {
        if (i > 0) out += ':';
        out += digits[octets[i] >> 4];
        out += digits[octets[i] & 15];
    }
}
template <class T>
requires std::is_integral_v<T>
void append_number(std::string& out, T v) {
    if constexpr (std::is_same_v<T, bool>) {
        append(out, v);
    } else if constexpr (std::is_signed_v<T>) {
        append(out, static_cast<int64_t>(v));
    } else {
        append(out, static_cast<uint64_t>(v));
    }
}
template <class T>
void append_any(std::string& out, const T& v) {
    if constexpr (std::is_integral_v<T>) {
        append_number(out, v);
    } else {
        append(out, v);
    }
}

// Appends `pattern` with each {} replaced by the next argument ("{{" is a
// brace).
void put_rest(std::string& out, const char* pattern) {
    for (const char* p = pattern; *p; ++p) {
        if (p[0] == '{' && p[1] == '{') ++p;
        out += *p;
    }
}
template <class First, class... Rest>
void put_rest(std::string& out, const char* pattern, const First& first, const Rest&... rest) {
    const char* p = pattern;
    for (; *p && !(p[0] == '{' && p[1] == '}'); ++p) {
        if (p[0] == '{' && p[1] == '{') ++p;
        out += *p;
    }
    append_any(out, first);
    put_rest(out, *p ? p + 2 : p, rest...);
}
template <class... Args>
void put(std::string& out, const char* pattern, const Args&... args) {
    put_rest(out, pattern, args...);
}

void key(std::string& out, std::string_view k) {
    out += ",\"";
    out += k;
    out += "\":";
}

void string_member(std::string& out, std::string_view k, std::string_view v) {
    key(out, k);
    append_json_string(out, v);
}

void hex(std::string& out, base::ByteSpan bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    out += '"';
    for (std::byte b : bytes) {
        out += digits[std::to_integer<unsigned>(b) >> 4];
        out += digits[std::to_integer<unsigned>(b) & 15];
    }
    out += '"';
}

std::string_view service(uint16_t port, wire::IpProtocol p) {
    return wire::service_name(port, p);
}

// "a:p-b:q", quoted; an IPv6 address in brackets ("[2001:db8::1]:80"), as
// in a URL, so that its colons and the port's stay apart.
void conn_member(std::string& out, const tcp::Tuple& c) {
    if (c.local_address.is_v4()) {
        put(out, ",\"conn\":\"{}:{}-{}:{}\"", c.local_address, c.local_port, c.remote_address,
            c.remote_port);
        return;
    }
    put(out, ",\"conn\":\"[{}]:{}-[{}]:{}\"", c.local_address, c.local_port, c.remote_address,
        c.remote_port);
}

void data_preview(std::string& out, base::ByteSpan data) {
    const auto preview = text_preview(data);
    if (!preview) return;
    string_member(out, "data", preview->text);
    if (preview->cut) out += ",\"data_cut\":true";
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char digits[] = "0123456789abcdef";
    out += '"';
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += digits[c >> 4];
                    out += digits[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    out += '"';
}

// Members follow a comma each; the caller's object has at least one member
// before them. Keys in alphabetical order, as the log has always had them.
void append_summary_fields(std::string& out, const FrameSummary& s) {
    using Kind = FrameSummary::Kind;
    switch (s.kind) {
        case Kind::malformed_l2:
        case Kind::malformed_ip:
            put(out, ",\"len\":{}", s.len);
            string_member(out, "malformed", s.malformed);
            return;
        case Kind::other:
            put(out, ",\"ethertype\":{},\"len\":{}", s.ethertype, s.len);
            return;
        case Kind::arp:
            if (s.arp_parsed) string_member(out, "arp_op", s.arp_request ? "request" : "reply");
            put(out, ",\"len\":{},\"proto\":\"ARP\"", s.len);
            if (s.arp_parsed)
                put(out, ",\"sender_ip\":\"{}\",\"target_ip\":\"{}\"", s.sender_ip, s.target_ip);
            return;
        case Kind::ipv4:
        case Kind::ipv6:  // the same members: `ttl` is the hop limit, `proto` the upper layer
            break;
    }
    const std::string_view sservice = s.ports ? service(s.sport, s.proto) : std::string_view{};
    const std::string_view dservice = s.ports ? service(s.dport, s.proto) : std::string_view{};
    if (s.tcp) put(out, ",\"ack\":{}", s.ack);
    if (s.dns) {
        key(out, "dns_hex");
        hex(out, s.dns_message);
    }
    if (s.ports) put(out, ",\"dport\":{}", s.dport);
    if (!dservice.empty()) string_member(out, "dservice", dservice);
    put(out, ",\"dst\":\"{}\"", s.dst);
    if (s.tcp) string_member(out, "flags", s.flags.to_string());
    if (s.fragment) put(out, ",\"frag_offset\":{}", s.frag_offset);
    if (s.icmp) put(out, ",\"icmp_code\":{}", s.icmp_code);
    if (s.icmp_echo) put(out, ",\"icmp_id\":{},\"icmp_seq\":{}", s.icmp_id, s.icmp_seq);
    if (s.icmp) put(out, ",\"icmp_type\":{}", s.icmp_type);
    put(out, ",\"id\":{},\"len\":{}", s.id, s.len);
    if (s.fragment) put(out, ",\"more_fragments\":{}", s.more_fragments);
    if (s.ports) put(out, ",\"payload\":{}", s.payload);
    string_member(out, "proto", wire::to_string(s.proto));
    if (s.tcp) put(out, ",\"seq\":{}", s.seq);
    if (s.ports) put(out, ",\"sport\":{}", s.sport);
    put(out, ",\"src\":\"{}\"", s.src);
    if (!sservice.empty()) string_member(out, "sservice", sservice);
    put(out, ",\"ttl\":{}", s.ttl);
    if (s.tcp) put(out, ",\"win\":{}", s.win);
}

EventLog::EventLog(Output out, const Network& network, bool line_at_a_time)
    : out_(std::move(out)), network_(network), line_at_a_time_(line_at_a_time) {
    buffer_.reserve(flush_at + 4096);
}

EventLog::EventLog(std::ostream& out, const Network& network)
    : EventLog(
          [&out](std::string_view text) {
              out.write(text.data(), static_cast<std::streamsize>(text.size()));
              out.flush();
          },
          network) {}

EventLog::~EventLog() {
    flush();
}

EventMask EventLog::wants() const {
    // Everything but what only the flow statistics read (docs/run.md lists
    // the log's events).
    return EventMask::of<ev::FrameSent, ev::FrameReceived, ev::Forwarded, ev::Dropped, ev::Arp,
                         ev::IcmpSent, ev::IcmpReceived, ev::TcpSegment, ev::TcpState,
                         ev::TcpWindow, ev::Reassembled, ev::LinkDropped, ev::LinkCorrupted,
                         ev::LinkDuplicated, ev::LinkReordered, ev::LinkState, ev::NodeCrashed,
                         ev::NodeRestarted, ev::RoutesRecomputed, ev::Icmpv6Sent,
                         ev::Icmpv6Received, ev::Ndp>();
}

void EventLog::begin(base::Time t, std::string_view node, std::string_view event) {
    put(buffer_, "{{\"t_ns\":{},\"node\":", t.ns());
    append_json_string(buffer_, node);
    buffer_ += ",\"event\":";
    append_json_string(buffer_, event);
}

void EventLog::end() {
    buffer_ += "}\n";
    ++lines_;
    if (line_at_a_time_ || buffer_.size() >= flush_at) flush();
}

void EventLog::flush() {
    if (!buffer_.empty()) out_(buffer_);
    buffer_.clear();
}

void EventLog::event(const Event& e) {
    const auto node_name = [&](NodeIndex n) -> const std::string& {
        return network_.nodes()[n]->name();
    };
    const auto iface_name = [&](NodeIndex n, stack::InterfaceId i) -> const std::string& {
        return network_.nodes()[n]->config().interfaces.at(i).name;
    };
    std::string& out = buffer_;
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ev::FrameSent> ||
                          std::is_same_v<T, ev::FrameReceived>) {
                begin(x.t, node_name(x.node),
                      std::is_same_v<T, ev::FrameSent> ? "send" : "receive");
                string_member(out, "iface", iface_name(x.node, x.iface));
                append_summary_fields(out, summarize_frame(x.frame));
            } else if constexpr (std::is_same_v<T, ev::Forwarded>) {
                begin(x.t, node_name(x.node), "forward");
                string_member(out, "in", iface_name(x.node, x.in));
                string_member(out, "out", iface_name(x.node, x.out));
                append_summary_fields(out, summarize_packet(x.packet));
            } else if constexpr (std::is_same_v<T, ev::Dropped>) {
                begin(x.t, node_name(x.node), "drop");
                string_member(out, "reason", stack::to_string(x.reason));
                switch (x.layer) {
                    case stack::Layer::frame:
                        append_summary_fields(out, summarize_frame(x.bytes));
                        break;
                    case stack::Layer::arp:
                        put(out, ",\"proto\":\"ARP\",\"len\":{}", x.bytes.size());
                        break;
                    case stack::Layer::ipv4:
                    case stack::Layer::ipv6:
                        append_summary_fields(out, summarize_packet(x.bytes));
                        break;
                }
            } else if constexpr (std::is_same_v<T, ev::Arp>) {
                begin(x.t, node_name(x.node), "arp");
                string_member(out, "what", stack::to_string(x.what));
                put(out, ",\"ip\":\"{}\",\"mac\":\"{}\"", x.ip, x.mac);
            } else if constexpr (std::is_same_v<T, ev::IcmpSent> ||
                                 std::is_same_v<T, ev::IcmpReceived> ||
                                 std::is_same_v<T, ev::Icmpv6Sent> ||
                                 std::is_same_v<T, ev::Icmpv6Received>) {
                constexpr bool sent =
                    std::is_same_v<T, ev::IcmpSent> || std::is_same_v<T, ev::Icmpv6Sent>;
                constexpr bool v6 =
                    std::is_same_v<T, ev::Icmpv6Sent> || std::is_same_v<T, ev::Icmpv6Received>;
                begin(x.t, node_name(x.node),
                      v6 ? (sent ? "icmpv6_sent" : "icmpv6_received")
                         : (sent ? "icmp_sent" : "icmp_received"));
                if constexpr (sent) {
                    put(out, ",\"to\":\"{}\"", x.to);
                } else {
                    put(out, ",\"from\":\"{}\"", x.from);
                }
                put(out, ",\"type\":{},\"code\":{}", static_cast<int>(x.type), x.code);
                string_member(out, "what", wire::to_string(x.type));
            } else if constexpr (std::is_same_v<T, ev::Ndp>) {
                begin(x.t, node_name(x.node), "ndp");
                string_member(out, "what", stack::to_string(x.what));
                put(out, ",\"target\":\"{}\",\"mac\":\"{}\"", x.target, x.mac);
            } else if constexpr (std::is_same_v<T, ev::TcpSegment>) {
                const wire::TcpRepr& seg = *x.segment;
                begin(x.t, node_name(x.node), x.sent ? "tcp_send" : "tcp_receive");
                conn_member(out, x.conn);
                string_member(out, "why", tcp::to_string(x.why));
                string_member(out, "flags", seg.flags.to_string());
                put(out, ",\"seq\":{},\"ack\":{},\"len\":{},\"win\":{}", seg.seq.value(),
                    seg.ack.value(), seg.payload.size(), seg.window);
                if (!seg.sack_blocks.empty())
                    put(out, ",\"sack_blocks\":{}", seg.sack_blocks.size());
                data_preview(out, seg.payload);
            } else if constexpr (std::is_same_v<T, ev::TcpState>) {
                begin(x.t, node_name(x.node), "tcp_state");
                conn_member(out, x.conn);
                string_member(out, "from", tcp::to_string(x.from));
                string_member(out, "to", tcp::to_string(x.to));
            } else if constexpr (std::is_same_v<T, ev::TcpWindow>) {
                begin(x.t, node_name(x.node), "tcp_window");
                conn_member(out, x.conn);
                put(out, ",\"cwnd\":{},\"ssthresh\":{},\"srtt_ns\":{}", x.cwnd, x.ssthresh,
                    x.srtt ? x.srtt->ns() : -1);
            } else if constexpr (std::is_same_v<T, ev::Reassembled>) {
                begin(x.t, node_name(x.node), "reassembled");
                put(out, ",\"fragments\":{}", x.fragments);
                append_summary_fields(out, summarize_packet(x.packet));
            } else if constexpr (std::is_same_v<T, ev::LinkDropped> ||
                                 std::is_same_v<T, ev::LinkCorrupted> ||
                                 std::is_same_v<T, ev::LinkDuplicated> ||
                                 std::is_same_v<T, ev::LinkReordered>) {
                const Link& l = *network_.links()[x.link];
                std::string_view kind = "drop";
                if constexpr (std::is_same_v<T, ev::LinkCorrupted>) kind = "corrupt";
                if constexpr (std::is_same_v<T, ev::LinkDuplicated>) kind = "duplicate";
                if constexpr (std::is_same_v<T, ev::LinkReordered>) kind = "reorder";
                begin(x.t, l.end(x.direction).node, kind);
                string_member(out, "link", l.name());
                if constexpr (std::is_same_v<T, ev::LinkDropped>)
                    string_member(out, "reason", stack::to_string(x.reason));
                if constexpr (std::is_same_v<T, ev::LinkCorrupted>) put(out, ",\"bit\":{}", x.bit);
                append_summary_fields(out, summarize_frame(x.frame));
            } else if constexpr (std::is_same_v<T, ev::LinkState>) {
                begin(x.t, network_.links()[x.link]->name(), x.up ? "link_up" : "link_down");
            } else if constexpr (std::is_same_v<T, ev::NodeCrashed>) {
                begin(x.t, node_name(x.node), "node_crash");
            } else if constexpr (std::is_same_v<T, ev::NodeRestarted>) {
                begin(x.t, node_name(x.node), "node_restart");
            } else if constexpr (std::is_same_v<T, ev::RoutesRecomputed>) {
                begin(x.t, "network", "routes_recomputed");
                put(out, ",\"routes\":{}", x.routes);
            } else {
                return;  // not a kind the log writes
            }
            end();
        },
        e);
}

}  // namespace sim
