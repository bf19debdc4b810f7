// TCP programs: the seeds' hello client and server, HTTP.
#include <fmt/format.h>

#include "apps/bulk.hpp"
#include "apps/syn_flood.hpp"
#include "apps/tcp_apps.hpp"
#include "apps/web.hpp"
#include "scenario/kinds.hpp"

namespace scenario::kinds {

Parsed http_server(Params& p, const ParseContext&) {
    const apps::HttpServerOptions o{.port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535))};
    const auto page_size = static_cast<size_t>(p.integer("page_size", 2000, 0, 1 << 30));
    return Start([o, page_size](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::http_server(
            rt, o,
            [page_size](const apps::http::Request& r) { return apps::sample_site(r, page_size); },
            ctx.output()));
    });
}

Parsed http_get(Params& p, const ParseContext& c) {
    const auto target = p.target(c.network, c.node);
    apps::HttpGetOptions o{
        .to = {target.address, static_cast<uint16_t>(p.integer("port", 80, 1, 65535))},
        .host = target.name,
        .resolve_host = target.by_dns,
        .paths = {},
        .label = p.text("label", "web"),
        .keep_bodies = false,
        .sha256 = p.boolean("sha256", false)};
    const std::string path = p.text("path", "/");
    o.paths.assign(static_cast<size_t>(p.integer("count", 1, 1, 10'000)), path);
    if (!path.starts_with("/")) {
        p.fail_with(fmt::format("{}: http-get 'path' must start with '/', not '{}'",
                                at(p.param("path")->where), path));
    }
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::http_get(rt, o, ctx.output()));
    });
}

Parsed tcp_hello_server(Params& p, const ParseContext&) {
    const auto port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535));
    const std::string reply = p.text("reply", "OK");
    return Start([port, reply](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::hello_server(rt, port, reply, ctx.output()));
    });
}

Parsed tcp_hello(Params& p, const ParseContext& c) {
    const auto target = p.target(c.network, c.node);
    const apps::HelloOptions o{.to = target.by_dns ? target.name : target.address.to_string(),
                               .port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535)),
                               .message = p.text("message", "Hello!"),
                               .label = p.text("label", "hello")};
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::hello_client(rt, o, ctx.output()));
    });
}

namespace {

// 'congestion': the socket's TCP_CONGESTION, or nullopt for the host's default.
std::optional<tcp::CongestionAlgorithm> congestion(Params& p, std::string_view kind) {
    const sim::AppParam* given = p.param("congestion");
    if (!given) return std::nullopt;
    const auto algorithm = tcp::congestion_algorithm_named(given->value);
    if (!algorithm) {
        p.fail_with(fmt::format("{}: {} 'congestion' is cubic or newreno, not '{}'",
                                at(given->where), kind, given->value));
    }
    return algorithm;
}

}  // namespace

Parsed tcp_sink(Params& p, const ParseContext&) {
    const apps::TcpSinkOptions o{.port = static_cast<uint16_t>(p.integer("port", 5001, 1, 65535)),
                                 .congestion = congestion(p, "tcp-sink"),
                                 .on_flow = {}};
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::tcp_sink(rt, o, ctx.output()));
    });
}

Parsed tcp_bulk(Params& p, const ParseContext& c) {
    const auto target = p.target(c.network, c.node);
    apps::TcpBulkOptions o{.to = target.by_dns ? target.name : target.address.to_string(),
                           .port = static_cast<uint16_t>(p.integer("port", 5001, 1, 65535)),
                           .reverse = p.boolean("reverse", false),
                           .label = p.text("label", "bulk"),
                           .congestion = congestion(p, "tcp-bulk")};
    // Exactly one of 'bytes' and 'duration'.
    const sim::AppParam* bytes = p.param("bytes");
    const sim::AppParam* duration = p.param("duration");
    if (bytes && duration) {
        const auto later = [](const sim::Location& a, const sim::Location& b) {
            return std::pair(a.line, a.column) > std::pair(b.line, b.column) ? a : b;
        };
        p.fail_with(fmt::format("{}: tcp-bulk takes 'bytes' or 'duration', not both",
                                at(later(bytes->key_where, duration->key_where))));
    } else if (bytes) {
        o.amount = apps::BulkAmount::of_bytes(p.size("bytes", 0, 1));
    } else if (duration) {
        const base::Duration d = p.duration("duration", base::Duration::seconds(1));
        if (d <= base::Duration::zero()) {
            p.fail_with(fmt::format("{}: tcp-bulk 'duration' must be more than 0, not '{}'",
                                    at(duration->where), duration->value));
        }
        o.amount = apps::BulkAmount::for_time(d);
    } else {
        p.fail_with(
            fmt::format("{}: tcp-bulk needs 'bytes' (how much to send) or 'duration' (for how "
                        "long)",
                        at(c.spec.where)));
    }
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::tcp_bulk(rt, o, ctx.output()));
    });
}

Parsed syn_flood(Params& p, const ParseContext& c) {
    const wire::IpAddress to = p.destination(c.network).first;
    if (to.is_v6()) {
        p.fail_with(
            fmt::format("{}: syn-flood 'to': {} is an IPv6 address; the flood forges "
                        "IPv4 sources only",
                        at(p.param("to")->where), to));
    }
    apps::SynFloodOptions o{
        .to = to.is_v4() ? to.v4() : wire::Ipv4Address{},
        .port = static_cast<uint16_t>(p.integer("port", 80, 1, 65535)),
        .rate = static_cast<uint64_t>(p.integer("rate", 100'000, 1, 10'000'000)),
        .duration = p.duration("duration", base::Duration::seconds(1)),
        .from = {},
        .label = p.text("label", "syn-flood")};
    // RFC 2544's benchmarking range by default: routed nowhere, so the
    // SYN-ACKs die at the first router, as they do on the Internet.
    const std::string from = p.text("from", "198.18.0.0/15");
    if (const auto cidr = wire::Ipv4Cidr::parse(from)) {
        o.from = *cidr;
    } else {
        p.fail_with(fmt::format("{}: syn-flood 'from' is a prefix like 198.18.0.0/15, not '{}'",
                                at(p.param("from")->where), from));
    }
    if (o.duration <= base::Duration::zero()) {
        p.fail_with(fmt::format("{}: syn-flood 'duration' must be more than 0, not '{}'",
                                at(p.param("duration")->where), p.param("duration")->value));
    }
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::syn_flood(rt, o, ctx.output()));
    });
}

}  // namespace scenario::kinds
