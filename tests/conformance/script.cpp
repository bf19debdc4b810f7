#include "conformance/script.hpp"

#include <charconv>
#include <sstream>

#include "wire/tcp.hpp"

namespace conformance {

std::string_view to_string(TargetKind t) {
    return t == TargetKind::minternet ? "minternet" : "linux";
}

std::string_view to_string(SocketError e) {
    switch (e) {
        case SocketError::none:
            return "none";
        case SocketError::reset:
            return "reset";
        case SocketError::refused:
            return "refused";
        case SocketError::timed_out:
            return "timed_out";
    }
    return "?";
}

bool SocketSettings::empty() const {
    return !receive_buffer && !send_buffer && !max_segment && !nodelay && !cork &&
           !linger_seconds && !user_timeout_ms && !keepalive_idle && !congestion;
}

namespace {

using base::Duration;
using base::fail;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        const size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t')
            ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::optional<uint32_t> number(std::string_view s) {
    uint32_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<Duration> seconds(std::string_view s) {
    // std::from_chars for double is not in every libstdc++ this builds with.
    const std::string text(s);
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || v < 0 || v > 3600) return std::nullopt;
    return Duration::from_seconds(v);
}

using Error = std::string;

base::Expected<uint16_t, Error> parse_flags(std::string_view s) {
    uint16_t bits = 0;
    for (char c : s) {
        switch (c) {
            case 'S':
                bits |= wire::TcpFlags::syn;
                break;
            case 'F':
                bits |= wire::TcpFlags::fin;
                break;
            case 'R':
                bits |= wire::TcpFlags::rst;
                break;
            case 'P':
                bits |= wire::TcpFlags::psh;
                break;
            case '.':
                bits |= wire::TcpFlags::ack;
                break;
            case 'E':
                bits |= wire::TcpFlags::ece;
                break;
            case 'W':
                bits |= wire::TcpFlags::cwr;
                break;
            case 'U':
                bits |= wire::TcpFlags::urg;
                break;
            default:
                return fail(Error("unknown flag '") + c + "' in '" + std::string(s) + "'");
        }
    }
    return bits;
}

// "start:end(len)"
base::Expected<void, Error> parse_range(std::string_view s, SegmentSpec& seg) {
    const size_t colon = s.find(':');
    const size_t open = s.find('(');
    if (colon == std::string_view::npos || open == std::string_view::npos || s.back() != ')' ||
        open < colon)
        return fail("expected start:end(len), not '" + std::string(s) + "'");
    auto start = number(s.substr(0, colon));
    auto end = number(s.substr(colon + 1, open - colon - 1));
    auto len = number(s.substr(open + 1, s.size() - open - 2));
    if (!start || !end || !len) return fail("bad numbers in '" + std::string(s) + "'");
    if (*end - *start != *len)
        return fail("'" + std::string(s) + "': end minus start is not the length");
    seg.seq = *start;
    seg.len = *len;
    return {};
}

base::Expected<OptionSpec, Error> parse_option(std::string_view text) {
    const auto w = words(text);
    if (w.empty()) return fail(Error("an empty option"));
    OptionSpec o;
    const auto value = [&](size_t i) -> base::Expected<std::optional<uint32_t>, Error> {
        if (i >= w.size()) return fail("option '" + std::string(text) + "' needs a value");
        if (w[i] == "*") return std::optional<uint32_t>{};
        auto v = number(w[i]);
        if (!v) return fail("option '" + std::string(text) + "': bad value");
        return std::optional<uint32_t>{*v};
    };
    if (w[0] == "nop") {
        o.kind = OptionSpec::Kind::nop;
    } else if (w[0] == "eol") {
        o.kind = OptionSpec::Kind::eol;
    } else if (w[0] == "sackOK") {
        o.kind = OptionSpec::Kind::sack_ok;
    } else if (w[0] == "mss" || w[0] == "wscale") {
        o.kind = w[0] == "mss" ? OptionSpec::Kind::mss : OptionSpec::Kind::wscale;
        auto v = value(1);
        if (!v) return fail(v.error());
        o.value = *v;
        if (w.size() > 2) return fail("option '" + std::string(text) + "': too many words");
    } else if (w[0] == "TS") {
        o.kind = OptionSpec::Kind::timestamps;
        for (size_t i = 1; i < w.size(); i += 2) {
            auto v = value(i + 1);
            if (!v) return fail(v.error());
            if (w[i] == "val") {
                o.ts_val = *v;
            } else if (w[i] == "ecr") {
                o.ts_ecr = *v;
            } else {
                return fail("option '" + std::string(text) + "': expected val or ecr");
            }
        }
    } else if (w[0] == "sack") {
        o.kind = OptionSpec::Kind::sack;
        for (size_t i = 1; i < w.size(); ++i) {
            SegmentSpec range;
            const std::string block = std::string(w[i]);
            const size_t colon = block.find(':');
            auto left = number(std::string_view(block).substr(0, colon));
            auto right = colon == std::string::npos
                             ? std::nullopt
                             : number(std::string_view(block).substr(colon + 1));
            if (!left || !right) return fail("SACK block '" + block + "' is not left:right");
            o.blocks.emplace_back(*left, *right);
        }
        if (o.blocks.empty() || o.blocks.size() > 4)
            return fail(Error("a SACK option has 1 to 4 blocks"));
    } else {
        return fail("unknown option '" + std::string(w[0]) + "'");
    }
    return o;
}

// `FLAGS start:end(len) [ack N] [win N] [<options>]`
base::Expected<SegmentSpec, Error> parse_segment(std::string_view text) {
    SegmentSpec seg;
    const size_t open = text.find('<');
    if (open != std::string_view::npos) {
        const size_t close = text.rfind('>');
        if (close == std::string_view::npos || close < open ||
            !trim(text.substr(close + 1)).empty())
            return fail(Error("options must end the line, between < and >"));
        std::vector<OptionSpec> options;
        std::string_view list = text.substr(open + 1, close - open - 1);
        while (!trim(list).empty()) {
            const size_t comma = list.find(',');
            auto o = parse_option(trim(list.substr(0, comma)));
            if (!o) return fail(o.error());
            options.push_back(*o);
            if (comma == std::string_view::npos) break;
            list.remove_prefix(comma + 1);
        }
        seg.options = std::move(options);
        text = text.substr(0, open);
    }
    const auto w = words(text);
    if (w.size() < 2) return fail(Error("a segment needs flags and start:end(len)"));
    auto flags = parse_flags(w[0]);
    if (!flags) return fail(flags.error());
    seg.flags = *flags;
    if (auto r = parse_range(w[1], seg); !r) return fail(r.error());
    for (size_t i = 2; i < w.size(); i += 2) {
        if (i + 1 >= w.size()) return fail("'" + std::string(w[i]) + "' needs a value");
        auto v = number(w[i + 1]);
        if (!v) return fail("bad value '" + std::string(w[i + 1]) + "'");
        if (w[i] == "ack") {
            seg.ack = *v;
        } else if (w[i] == "port") {
            if (*v == 0 || *v > 65535) return fail(Error("a port is 1 to 65535"));
            seg.port = static_cast<uint16_t>(*v);
        } else if (w[i] == "win") {
            if (*v > 65535) return fail(Error("a window field holds at most 65535"));
            seg.window = static_cast<uint16_t>(*v);
        } else {
            return fail("unknown segment field '" + std::string(w[i]) + "'");
        }
    }
    return seg;
}

// `name=value` settings for listen, connect and option.
base::Expected<void, Error> parse_settings(std::span<const std::string_view> w, SocketSettings& s) {
    for (std::string_view item : w) {
        const size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return fail("expected name=value, not '" + std::string(item) + "'");
        const std::string_view key = item.substr(0, eq);
        const std::string_view text = item.substr(eq + 1);
        if (key == "congestion") {
            if (text != "cubic" && text != "reno")
                return fail(Error("congestion is cubic or reno"));
            s.congestion = std::string(text);
            continue;
        }
        if (key == "keepalive") {  // keepalive=idle/interval/count
            const std::string t(text);
            unsigned idle = 0, interval = 0, count = 0;
            if (std::sscanf(t.c_str(), "%u/%u/%u", &idle, &interval, &count) != 3)
                return fail(Error("keepalive=IDLE/INTERVAL/COUNT (seconds, seconds, probes)"));
            s.keepalive_idle = idle;
            s.keepalive_interval = interval;
            s.keepalive_count = count;
            continue;
        }
        auto v = number(text);
        if (!v) return fail("bad value for " + std::string(key));
        if (key == "rcvbuf") {
            s.receive_buffer = *v;
        } else if (key == "sndbuf") {
            s.send_buffer = *v;
        } else if (key == "maxseg") {
            if (*v > 65535) return fail(Error("maxseg is at most 65535"));
            s.max_segment = static_cast<uint16_t>(*v);
        } else if (key == "nodelay") {
            s.nodelay = *v != 0;
        } else if (key == "cork") {
            s.cork = *v != 0;
        } else if (key == "linger") {
            s.linger_seconds = *v;
        } else if (key == "user_timeout") {
            s.user_timeout_ms = *v;
        } else {
            return fail("unknown socket option '" + std::string(key) + "'");
        }
    }
    return {};
}

base::Expected<SocketCall, Error> parse_socket(std::span<const std::string_view> w) {
    using Op = SocketCall::Op;
    SocketCall c;
    if (w.empty()) return fail(Error("socket needs a call"));
    const std::string_view op = w[0];
    const auto rest = w.subspan(1);
    const auto need_number = [&](size_t i, uint32_t& out) -> base::Expected<void, Error> {
        if (i >= w.size()) return fail("socket " + std::string(op) + " needs a number");
        auto v = number(w[i]);
        if (!v) return fail("socket " + std::string(op) + ": bad number");
        out = *v;
        return {};
    };
    if (op == "listen" || op == "connect") {
        c.op = op == "listen" ? Op::listen : Op::connect;
        if (auto r = need_number(1, c.port); !r) return fail(r.error());
        size_t first = 2;
        if (c.op == Op::listen && w.size() > 2 && w[2].starts_with("backlog=")) {
            auto v = number(w[2].substr(8));
            if (!v || *v == 0) return fail(Error("backlog must be a positive number"));
            c.backlog = *v;
            first = 3;
        }
        if (auto r = parse_settings(w.subspan(first), c.settings); !r) return fail(r.error());
        return c;
    }
    if (op == "option") {
        c.op = Op::option;
        if (auto r = parse_settings(rest, c.settings); !r) return fail(r.error());
        if (c.settings.empty()) return fail(Error("socket option needs name=value"));
        return c;
    }
    if (op == "write") {
        c.op = Op::write;
        if (auto r = need_number(1, c.count); !r) return fail(r.error());
        return c;
    }
    if (op == "read") {
        if (w.size() == 2 && w[1] == "eof") {
            c.op = Op::read_eof;
        } else if (w.size() == 2 && w[1] == "none") {
            c.op = Op::read_none;
        } else {
            c.op = Op::read;
            if (auto r = need_number(1, c.count); !r) return fail(r.error());
        }
        return c;
    }
    if (op == "error") {
        c.op = Op::error;
        if (w.size() != 2)
            return fail(Error("socket error needs one of none reset refused timed_out"));
        for (auto e :
             {SocketError::none, SocketError::reset, SocketError::refused, SocketError::timed_out})
            if (w[1] == to_string(e)) c.error = e;
        if (c.error == SocketError::none && w[1] != "none")
            return fail("unknown socket error '" + std::string(w[1]) + "'");
        return c;
    }
    if (w.size() != 1) return fail("socket " + std::string(op) + " takes no arguments");
    if (op == "accept") {
        c.op = Op::accept;
    } else if (op == "shutdown") {
        c.op = Op::shutdown;
    } else if (op == "close") {
        c.op = Op::close;
    } else {
        return fail("unknown socket call '" + std::string(op) + "'");
    }
    return c;
}

base::Expected<void, Error> parse_time(std::string_view t, Step& step) {
    // "+A" or "+A~B", without the '+'.
    const size_t tilde = t.find('~');
    auto a = seconds(t.substr(0, tilde));
    auto b = tilde == std::string_view::npos ? a : seconds(t.substr(tilde + 1));
    if (!a || !b || *b < *a) return fail("bad time '+" + std::string(t) + "'");
    step.timed = true;
    step.earliest = *a;
    step.latest = *b;
    return {};
}

base::Expected<Step, Error> parse_step(std::string_view line) {
    Step step;
    if (line.starts_with("[linux]")) {
        step.only = TargetKind::linux_kernel;
        line = trim(line.substr(7));
    } else if (line.starts_with("[minternet]")) {
        step.only = TargetKind::minternet;
        line = trim(line.substr(11));
    }
    if (line.starts_with('+')) {
        const size_t space = line.find_first_of(" \t");
        if (space == std::string_view::npos) return fail(Error("a time needs something after it"));
        if (auto r = parse_time(line.substr(1, space - 1), step); !r) return fail(r.error());
        line = trim(line.substr(space));
    }
    if (line.starts_with('<') || line.starts_with('>')) {
        const bool inbound = line.front() == '<';
        auto seg = parse_segment(trim(line.substr(1)));
        if (!seg) return fail(seg.error());
        if (inbound) {
            if (step.earliest != step.latest)
                return fail(Error("a segment the peer sends takes one time, not a range"));
            step.action = Inject{*seg};
        } else {
            step.action = Expect{*seg};
        }
        return step;
    }
    const auto w = words(line);
    if (w[0] == "quiet") {
        if (w.size() != 2) return fail(Error("quiet takes a time in seconds"));
        auto d = seconds(w[1]);
        if (!d) return fail(Error("quiet: bad time"));
        step.action = Quiet{*d};
        return step;
    }
    if (w[0] == "icmp") {
        // icmp frag-needed mtu N
        auto mtu = w.size() == 4 ? number(w[3]) : std::nullopt;
        if (w.size() != 4 || w[1] != "frag-needed" || w[2] != "mtu" || !mtu || *mtu < 68 ||
            *mtu > 65535)
            return fail(Error("expected 'icmp frag-needed mtu N' (68 to 65535)"));
        step.action = FragNeeded{static_cast<uint16_t>(*mtu)};
        return step;
    }
    if (w[0] == "socket") {
        auto call = parse_socket(std::span(w).subspan(1));
        if (!call) return fail(call.error());
        step.action = *call;
        return step;
    }
    return fail("unknown line '" + std::string(w[0]) + "'");
}

}  // namespace

base::Expected<Script, std::string> parse_script(std::string_view text, std::string name) {
    Script script;
    script.name = std::move(name);
    bool tagged = false;
    int number = 0;
    std::istringstream in{std::string(text)};
    std::string raw;
    while (std::getline(in, raw)) {
        ++number;
        const std::string_view line = trim(raw);
        if (line.empty()) continue;
        if (line.starts_with('#')) {
            const std::string_view comment = trim(line.substr(1));
            if (comment.starts_with("rfc:")) {
                script.rfc = std::string(trim(comment.substr(4)));
            } else if (comment.starts_with("differs:")) {
                script.differs = std::string(trim(comment.substr(8)));
            } else if (script.title.empty() && script.steps.empty()) {
                script.title = std::string(comment);
            }
            continue;
        }
        auto step = parse_step(line);
        if (!step) return fail(script.name + ":" + std::to_string(number) + ": " + step.error());
        step->line = number;
        step->text = std::string(line);
        tagged = tagged || step->only.has_value();
        script.steps.push_back(std::move(*step));
    }
    if (script.title.empty()) return fail(script.name + ": the first comment line is its title");
    if (tagged && script.differs.empty())
        return fail(script.name +
                    ": lines for one target only need a '# differs:' header saying why");
    if (script.steps.empty()) return fail(script.name + ": no steps");
    return script;
}

}  // namespace conformance
