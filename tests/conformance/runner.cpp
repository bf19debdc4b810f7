#include "conformance/runner.hpp"

#include <sstream>

#include "base/bytes.hpp"
#include "wire/arp.hpp"
#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace conformance {
namespace {

using base::Duration;
using wire::TcpFlags;
using Kind = OptionSpec::Kind;

constexpr uint32_t peer_iss = 1'000'000;
constexpr uint16_t peer_listen_port = 40'000;  // the peer's port when the SUT listens

// One option as it appears on the wire, in order.
struct WireOption {
    Kind kind = Kind::nop;
    uint32_t value = 0;
    uint32_t ts_val = 0;
    uint32_t ts_ecr = 0;
    std::vector<std::pair<uint32_t, uint32_t>> blocks;  // absolute
};

// A segment the SUT sent, with its options in wire order. Walked here and
// not by wire::TcpRepr, whose job is to normalise: the order and the
// padding are what a conformance check looks at.
struct Observed {
    Duration at;
    std::vector<std::byte> ip_packet;  // for quoting in ICMP
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint16_t flags = 0;
    uint16_t window = 0;
    size_t payload = 0;
    std::vector<WireOption> options;
    bool malformed_options = false;
    bool checksum_ok = true;
};

std::optional<std::vector<WireOption>> walk_options(base::ByteSpan b) {
    std::vector<WireOption> out;
    size_t i = 0;
    while (i < b.size()) {
        const auto kind = static_cast<uint8_t>(b[i]);
        if (kind == wire::tcp::option::end) {
            out.push_back({.kind = Kind::eol});
            break;
        }
        if (kind == wire::tcp::option::nop) {
            out.push_back({.kind = Kind::nop});
            ++i;
            continue;
        }
        if (i + 1 >= b.size()) return std::nullopt;
        const size_t len = static_cast<uint8_t>(b[i + 1]);
        if (len < 2 || i + len > b.size()) return std::nullopt;
        const base::ByteSpan body = b.subspan(i + 2, len - 2);
        WireOption o;
        switch (kind) {
            case wire::tcp::option::mss:
                if (len != 4) return std::nullopt;
                o.kind = Kind::mss;
                o.value = base::load_be16(body, {0, 2});
                break;
            case wire::tcp::option::window_scale:
                if (len != 3) return std::nullopt;
                o.kind = Kind::wscale;
                o.value = static_cast<uint8_t>(body[0]);
                break;
            case wire::tcp::option::sack_permitted:
                if (len != 2) return std::nullopt;
                o.kind = Kind::sack_ok;
                break;
            case wire::tcp::option::timestamps:
                if (len != 10) return std::nullopt;
                o.kind = Kind::timestamps;
                o.ts_val = base::load_be32(body, {0, 4});
                o.ts_ecr = base::load_be32(body, {4, 8});
                break;
            case wire::tcp::option::sack:
                if ((len - 2) % 8 != 0) return std::nullopt;
                o.kind = Kind::sack;
                for (size_t k = 0; k + 8 <= body.size(); k += 8)
                    o.blocks.emplace_back(base::load_be32(body, {k, k + 4}),
                                          base::load_be32(body, {k + 4, k + 8}));
                break;
            default:
                return std::nullopt;  // the SUTs send only these
        }
        out.push_back(std::move(o));
        i += len;
    }
    return out;
}

std::string flags_text(uint16_t f) {
    std::string s;
    if (f & TcpFlags::syn) s += 'S';
    if (f & TcpFlags::fin) s += 'F';
    if (f & TcpFlags::rst) s += 'R';
    if (f & TcpFlags::psh) s += 'P';
    if (f & TcpFlags::urg) s += 'U';
    if (f & TcpFlags::ece) s += 'E';
    if (f & TcpFlags::cwr) s += 'W';
    if (f & TcpFlags::ack) s += '.';
    return s.empty() ? "(none)" : s;
}

std::string duration_text(Duration d) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(3);
    o << d.seconds_f();
    return o.str();
}

class Run {
  public:
    Run(const Script& script, Target& target) : script_(script), target_(target) {}

    Outcome go() {
        Outcome outcome;
        last_ = target_.now();
        const Duration start = last_;
        for (const Step& step : script_.steps) {
            if (step.only && *step.only != target_.kind()) continue;
            if (auto problem = execute(step)) {
                outcome.line = step.line;
                outcome.message =
                    "line " + std::to_string(step.line) + " `" + step.text + "`: " + *problem;
                outcome.took = target_.now() - start;
                return outcome;
            }
        }
        if (auto extra = next_segment(target_.now())) {
            outcome.message = "after the last line, an unexpected segment: " + render(*extra);
            outcome.took = target_.now() - start;
            return outcome;
        }
        outcome.passed = true;
        outcome.took = target_.now() - start;
        return outcome;
    }

  private:
    std::optional<std::string> execute(const Step& step) {
        if (const auto* e = std::get_if<Expect>(&step.action)) return expect(step, e->segment);
        if (const auto* q = std::get_if<Quiet>(&step.action)) {
            if (auto seg = next_segment(last_ + q->span))
                return "expected nothing for " + duration_text(q->span) + " s, got " +
                       render(*seg) + " at +" + duration_text(seg->at - last_);
            last_ = target_.now();
            return std::nullopt;
        }
        // The rest happen at a time: wait for it, seeing nothing come meanwhile.
        if (auto seg = next_segment(last_ + step.earliest))
            return "unexpected segment " + render(*seg) + " at +" + duration_text(seg->at - last_);
        std::optional<std::string> problem;
        if (const auto* in = std::get_if<Inject>(&step.action)) {
            problem = inject(in->segment);
        } else if (const auto* f = std::get_if<FragNeeded>(&step.action)) {
            problem = frag_needed(f->mtu);
        } else {
            problem = socket_call(std::get<SocketCall>(step.action));
        }
        last_ = target_.now();
        return problem;
    }

    // --- what the SUT sends

    // The next TCP segment from the SUT to the peer by `deadline`; ARP for
    // the peer is answered, other frames are passed over.
    std::optional<Observed> next_segment(Duration deadline) {
        while (auto frame = target_.next_frame(deadline)) {
            auto eth = wire::EthernetView::parse(frame->bytes);
            if (!eth) continue;
            if (eth->ethertype() == wire::EtherType::arp) {
                answer_arp(eth->payload());
                continue;
            }
            if (eth->ethertype() != wire::EtherType::ipv4) continue;
            auto ip = wire::Ipv4View::parse(eth->payload());
            if (!ip || ip->protocol() != wire::IpProtocol::tcp || ip->dst() != peer_address)
                continue;
            auto tcp = wire::TcpView::parse(ip->payload());
            if (!tcp) continue;
            Observed o;
            o.at = frame->at;
            const base::ByteSpan packet = eth->payload().subspan(0, ip->total_len());
            o.ip_packet.assign(packet.begin(), packet.end());
            o.src_port = tcp->src_port();
            o.dst_port = tcp->dst_port();
            o.seq = tcp->seq().value();
            o.ack = tcp->ack().value();
            o.flags = tcp->flags().bits();
            o.window = tcp->window();
            o.payload = tcp->payload().size();
            o.checksum_ok = tcp->checksum_valid(ip->src(), ip->dst());
            auto options = walk_options(tcp->options());
            o.malformed_options = !options;
            if (options) o.options = std::move(*options);
            return o;
        }
        return std::nullopt;
    }

    void answer_arp(base::ByteSpan payload) {
        auto view = wire::ArpView::parse(payload);
        if (!view) return;
        auto arp = wire::ArpRepr::parse(*view);
        if (!arp || arp->operation != wire::ArpOperation::request || arp->target_ip != peer_address)
            return;
        std::vector<std::byte> frame(wire::ethernet::header_len + wire::ArpRepr::buffer_len());
        const base::MutableByteSpan b{frame};
        wire::EthernetRepr{
            .dst = arp->sender_mac, .src = peer_mac, .ethertype = wire::EtherType::arp}
            .emit(b);
        wire::ArpRepr{.operation = wire::ArpOperation::reply,
                      .sender_mac = peer_mac,
                      .sender_ip = peer_address,
                      .target_mac = arp->sender_mac,
                      .target_ip = arp->sender_ip}
            .emit(b.subspan(wire::ethernet::header_len));
        target_.send_frame(frame);
    }

    uint32_t relative_seq(uint32_t seq) const { return seq - sut_iss_.value_or(0); }
    uint32_t relative_ack(uint32_t ack) const { return ack - peer_iss; }

    std::string render(const Observed& o) const {
        std::ostringstream s;
        const uint32_t start = relative_seq(o.seq);
        s << flags_text(o.flags) << ' ' << start << ':' << start + o.payload << '(' << o.payload
          << ')';
        if (o.flags & TcpFlags::ack) s << " ack " << relative_ack(o.ack);
        s << " win " << o.window;
        if (o.malformed_options) s << " <malformed options>";
        if (!o.options.empty()) {
            s << " <";
            for (size_t i = 0; i < o.options.size(); ++i) {
                const WireOption& w = o.options[i];
                if (i) s << ',';
                switch (w.kind) {
                    case Kind::nop:
                        s << "nop";
                        break;
                    case Kind::eol:
                        s << "eol";
                        break;
                    case Kind::mss:
                        s << "mss " << w.value;
                        break;
                    case Kind::wscale:
                        s << "wscale " << w.value;
                        break;
                    case Kind::sack_ok:
                        s << "sackOK";
                        break;
                    case Kind::timestamps:
                        s << "TS val " << w.ts_val << " ecr " << w.ts_ecr;
                        break;
                    case Kind::sack:
                        s << "sack";
                        for (auto [l, r] : w.blocks)
                            s << ' ' << relative_ack(l) << ':' << relative_ack(r);
                        break;
                }
            }
            s << '>';
        }
        if (!o.checksum_ok) s << " (bad checksum)";
        return s.str();
    }

    std::optional<std::string> expect(const Step& step, const SegmentSpec& spec) {
        const Duration deadline = last_ + step.latest + target_.late_slack();
        auto seg = next_segment(deadline);
        if (!seg) return "expected a segment by +" + duration_text(step.latest) + ", nothing came";
        const Duration after = seg->at - last_;
        if (seg->at < last_ + step.earliest - target_.early_slack())
            return "came too early, at +" + duration_text(after) + ": " + render(*seg);
        if (seg->flags & TcpFlags::syn) {
            sut_iss_ = seg->seq;
            sut_port_ = seg->src_port;
            for (const WireOption& w : seg->options)
                if (w.kind == Kind::timestamps) sut_offered_timestamps_ = true;
        }
        if (auto mismatch = compare(spec, *seg))
            return *mismatch + "; got " + render(*seg) + " at +" + duration_text(after);
        for (const WireOption& w : seg->options)
            if (w.kind == Kind::timestamps) sut_tsval_ = w.ts_val;
        last_seen_ = *seg;
        last_ = seg->at;
        return std::nullopt;
    }

    std::optional<std::string> compare(const SegmentSpec& spec, const Observed& o) const {
        if (!o.checksum_ok) return std::string("bad TCP checksum");
        if (spec.port ? o.src_port != *spec.port : (sut_port_ && o.src_port != *sut_port_))
            return std::string("from another port");
        if (o.flags != spec.flags) return "flags " + flags_text(spec.flags) + " expected";
        if (relative_seq(o.seq) != spec.seq)
            return "sequence number " + std::to_string(spec.seq) + " expected";
        if (o.payload != spec.len) return std::to_string(spec.len) + " data bytes expected";
        if (spec.ack && relative_ack(o.ack) != *spec.ack)
            return "ack " + std::to_string(*spec.ack) + " expected";
        if (spec.window && o.window != *spec.window)
            return "window " + std::to_string(*spec.window) + " expected";
        if (!spec.options) return std::nullopt;
        if (o.malformed_options) return std::string("malformed options");
        const auto& want = *spec.options;
        if (want.size() != o.options.size())
            return std::to_string(want.size()) + " options expected";
        for (size_t i = 0; i < want.size(); ++i) {
            const OptionSpec& w = want[i];
            const WireOption& g = o.options[i];
            const std::string where = "option " + std::to_string(i + 1);
            if (w.kind != g.kind) return where + ": another kind expected";
            if (w.value && *w.value != g.value) return where + ": another value expected";
            if (w.ts_val && *w.ts_val != g.ts_val) return where + ": another TSval expected";
            if (w.ts_ecr && *w.ts_ecr != g.ts_ecr) return where + ": another TSecr expected";
            if (w.kind == Kind::sack) {
                if (w.blocks.size() != g.blocks.size())
                    return where + ": " + std::to_string(w.blocks.size()) + " SACK blocks expected";
                for (size_t k = 0; k < w.blocks.size(); ++k)
                    if (relative_ack(g.blocks[k].first) != w.blocks[k].first ||
                        relative_ack(g.blocks[k].second) != w.blocks[k].second)
                        return where + ": SACK block " + std::to_string(k + 1) + " differs";
            }
        }
        return std::nullopt;
    }

    // --- what the peer sends

    std::optional<std::string> inject(const SegmentSpec& spec) {
        const bool syn = (spec.flags & TcpFlags::syn) != 0;
        std::vector<OptionSpec> options;
        if (spec.options) {
            options = *spec.options;
        } else if (timestamps_agreed() && !syn) {
            options = {{.kind = Kind::nop}, {.kind = Kind::nop}, {.kind = Kind::timestamps}};
        }
        if (syn) {
            peer_wscale_ = 0;
            peer_offered_timestamps_ = false;
            for (const OptionSpec& o : options) {
                if (o.kind == Kind::wscale)
                    peer_wscale_ = static_cast<uint8_t>(o.value.value_or(0));
                if (o.kind == Kind::timestamps) peer_offered_timestamps_ = true;
            }
        }
        std::vector<std::byte> opt_bytes;
        const auto put8 = [&](uint32_t v) { opt_bytes.push_back(static_cast<std::byte>(v)); };
        const auto put16 = [&](uint32_t v) {
            put8(v >> 8);
            put8(v);
        };
        const auto put32 = [&](uint32_t v) {
            put16(v >> 16);
            put16(v);
        };
        for (const OptionSpec& o : options) {
            switch (o.kind) {
                case Kind::nop:
                    put8(wire::tcp::option::nop);
                    break;
                case Kind::eol:
                    put8(wire::tcp::option::end);
                    break;
                case Kind::mss:
                    put8(wire::tcp::option::mss), put8(4), put16(o.value.value_or(1460));
                    break;
                case Kind::wscale:
                    put8(wire::tcp::option::window_scale), put8(3), put8(o.value.value_or(0));
                    break;
                case Kind::sack_ok:
                    put8(wire::tcp::option::sack_permitted), put8(2);
                    break;
                case Kind::timestamps:
                    put8(wire::tcp::option::timestamps), put8(10);
                    put32(o.ts_val.value_or(peer_clock()));
                    put32(o.ts_ecr.value_or(syn && !sut_iss_ ? 0 : sut_tsval_));
                    break;
                case Kind::sack:
                    put8(wire::tcp::option::sack),
                        put8(2 + 8 * static_cast<uint32_t>(o.blocks.size()));
                    for (auto [l, r] : o.blocks)
                        put32(sut_iss_.value_or(0) + l), put32(sut_iss_.value_or(0) + r);
                    break;
            }
        }
        while (opt_bytes.size() % 4 != 0)
            put8(wire::tcp::option::nop);
        if (opt_bytes.size() > wire::tcp::max_options_len)
            return std::string("more than 40 bytes of options");

        const uint16_t window = spec.window.value_or(
            syn ? 65535 : static_cast<uint16_t>(std::min<uint32_t>(65535, 65536u >> peer_wscale_)));
        const uint32_t ack = (spec.flags & TcpFlags::ack)
                                 ? sut_iss_.value_or(0) + spec.ack.value_or(0)
                                 : spec.ack.value_or(0);
        const size_t header = wire::tcp::min_header_len + opt_bytes.size();
        std::vector<std::byte> tcp(header + spec.len);
        const base::MutableByteSpan t{tcp};
        base::store_be16(t, wire::tcp::field::src_port, port_peer());
        base::store_be16(t, wire::tcp::field::dst_port, spec.port.value_or(sut_port_.value_or(0)));
        base::store_be32(t, wire::tcp::field::seq, peer_iss + spec.seq);
        base::store_be32(t, wire::tcp::field::ack, ack);
        base::store_be16(t, wire::tcp::field::offset_flags,
                         static_cast<uint16_t>((header / 4) << 12 | spec.flags));
        base::store_be16(t, wire::tcp::field::window, window);
        base::copy_bytes(t.subspan(wire::tcp::min_header_len), opt_bytes);
        // The payload is the peer's stream: byte k of it (sequence k + 1) is
        // pattern_byte(k), so a retransmission carries the same bytes.
        for (uint32_t i = 0; i < spec.len; ++i)
            tcp[header + i] = pattern_byte(spec.seq + i - 1);
        base::store_be16(t, wire::tcp::field::checksum,
                         wire::checksum::transport(tcp, peer_address, sut_address,
                                                   static_cast<uint8_t>(wire::IpProtocol::tcp)));
        send_ip(wire::IpProtocol::tcp, tcp);
        return std::nullopt;
    }

    std::optional<std::string> frag_needed(uint16_t mtu) {
        if (!last_seen_) return std::string("no segment of the SUT's to quote");
        const auto& quoted = last_seen_->ip_packet;
        const size_t quote = std::min<size_t>(quoted.size(), wire::ipv4::min_header_len + 8);
        std::vector<std::byte> icmp(8 + quote);
        const base::MutableByteSpan b{icmp};
        b[0] = std::byte{3};  // destination unreachable
        b[1] = std::byte{4};  // fragmentation needed and DF set
        base::store_be16(b, {6, 8}, mtu);
        base::copy_bytes(b.subspan(8), base::ByteSpan(quoted).subspan(0, quote));
        base::store_be16(b, {2, 4}, wire::checksum::compute(icmp));
        send_ip(wire::IpProtocol::icmp, icmp);
        return std::nullopt;
    }

    void send_ip(wire::IpProtocol protocol, base::ByteSpan payload) {
        std::vector<std::byte> frame(wire::ethernet::header_len + wire::ipv4::min_header_len +
                                     payload.size());
        const base::MutableByteSpan b{frame};
        wire::EthernetRepr{.dst = sut_mac, .src = peer_mac, .ethertype = wire::EtherType::ipv4}
            .emit(b);
        wire::Ipv4Repr{.src = peer_address,
                       .dst = sut_address,
                       .protocol = protocol,
                       .ttl = 64,
                       .identification = ip_id_++,
                       .payload_len = static_cast<uint16_t>(payload.size())}
            .emit(b.subspan(wire::ethernet::header_len));
        base::copy_bytes(b.subspan(wire::ethernet::header_len + wire::ipv4::min_header_len),
                         payload);
        target_.send_frame(frame);
    }

    // The peer's TSval clock: milliseconds, starting well above zero.
    uint32_t peer_clock() { return static_cast<uint32_t>(10'000 + target_.now().ms()); }
    uint16_t port_peer() const { return peer_port_; }
    bool timestamps_agreed() const { return peer_offered_timestamps_ && sut_offered_timestamps_; }

    // --- the program on the SUT

    std::optional<std::string> socket_call(const SocketCall& c) {
        using Op = SocketCall::Op;
        const auto problem = [](const Target::Result& r) -> std::optional<std::string> {
            if (r) return std::nullopt;
            return r.error();
        };
        switch (c.op) {
            case Op::listen:
                sut_port_ = static_cast<uint16_t>(c.port);
                peer_port_ = peer_listen_port;
                return problem(
                    target_.listen(static_cast<uint16_t>(c.port), c.backlog, c.settings));
            case Op::connect:
                peer_port_ = static_cast<uint16_t>(c.port);
                sut_port_.reset();
                return problem(target_.connect(static_cast<uint16_t>(c.port), c.settings));
            case Op::accept:
                return problem(target_.accept());
            case Op::option:
                return problem(target_.set_options(c.settings));
            case Op::shutdown:
                return problem(target_.shutdown());
            case Op::close:
                return problem(target_.close());
            case Op::write: {
                auto n = target_.write(c.count);
                if (!n) return n.error();
                if (*n != c.count)
                    return "the socket took " + std::to_string(*n) + " of " +
                           std::to_string(c.count) + " bytes";
                return std::nullopt;
            }
            case Op::read: {
                const ReadResult r = target_.read(c.count);
                if (r.kind == ReadResult::Kind::data && r.bytes == c.count) return std::nullopt;
                return "expected " + std::to_string(c.count) + " bytes, " + describe(r);
            }
            case Op::read_eof: {
                const ReadResult r = target_.read(4096);
                if (r.kind == ReadResult::Kind::eof) return std::nullopt;
                return "expected the end of the stream, " + describe(r);
            }
            case Op::read_none: {
                const ReadResult r = target_.read(4096);
                if (r.kind == ReadResult::Kind::would_block) return std::nullopt;
                return "expected nothing to read, " + describe(r);
            }
            case Op::error: {
                const SocketError e = target_.pending_error();
                if (e == c.error) return std::nullopt;
                return "expected error " + std::string(to_string(c.error)) + ", the socket has " +
                       std::string(to_string(e));
            }
        }
        return std::nullopt;
    }

    static std::string describe(const ReadResult& r) {
        switch (r.kind) {
            case ReadResult::Kind::data:
                return "read gave " + std::to_string(r.bytes) + " bytes";
            case ReadResult::Kind::eof:
                return "read gave the end of the stream";
            case ReadResult::Kind::would_block:
                return "nothing was there to read";
            case ReadResult::Kind::error:
                return "read failed (" + std::string(to_string(r.error)) + ")";
        }
        return "?";
    }

    const Script& script_;
    Target& target_;
    Duration last_{};
    std::optional<uint32_t> sut_iss_;
    std::optional<uint16_t> sut_port_;
    uint16_t peer_port_ = peer_listen_port;
    uint8_t peer_wscale_ = 0;
    bool peer_offered_timestamps_ = false;
    bool sut_offered_timestamps_ = false;
    uint32_t sut_tsval_ = 0;
    std::optional<Observed> last_seen_;
    uint16_t ip_id_ = 1;
};

}  // namespace

Outcome run_script(const Script& script, Target& target) {
    return Run(script, target).go();
}

}  // namespace conformance
