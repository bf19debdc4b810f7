// UDP programs: the echo server and the stream that measures it.
#include <fmt/format.h>

#include "apps/cbr.hpp"
#include "apps/udp_apps.hpp"
#include "scenario/kinds.hpp"

namespace scenario::kinds {

Parsed udp_echo(Params& p, const ParseContext&) {
    const auto port = static_cast<uint16_t>(p.integer("port", 7, 1, 65535));
    return Start([port](AppContext& ctx) {
        return ctx.serve(apps::udp_echo(ctx.runtime(), port, ctx.output()));
    });
}

Parsed udp_stream(Params& p, const ParseContext& c) {
    const auto [dest, name] = p.destination(c.network);
    const apps::UdpStreamOptions o{
        .to = {dest, static_cast<uint16_t>(p.integer("port", 7, 1, 65535))},
        .label = p.text("label", "udp-stream"),
        .count = static_cast<int>(p.integer("count", 100, 1, 10'000'000)),
        .interval = p.duration("interval", base::Duration::milliseconds(20)),
        .size = static_cast<size_t>(p.integer("size", 64, 8, 65507)),
        .wait = p.duration("wait", base::Duration::seconds(1))};
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::udp_stream(rt, o, ctx.output()));
    });
}

namespace {

// A duration that must be more than zero.
base::Duration positive(Params& p, const std::string& key, base::Duration fallback,
                        const sim::AppSpec& spec) {
    const base::Duration d = p.duration(key, fallback);
    if (d <= base::Duration::zero()) {
        const sim::AppParam* v = p.param(key);
        p.fail_with(fmt::format("{}: {} '{}' must be more than 0, not '{}'", at(v->where),
                                spec.kind, key, v->value));
    }
    return d;
}

}  // namespace

Parsed udp_sink(Params& p, const ParseContext& c) {
    const apps::UdpSinkOptions o{
        .port = static_cast<uint16_t>(p.integer("port", 5002, 1, 65535)),
        .timeout = positive(p, "timeout", base::Duration::milliseconds(500), c.spec)};
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.serve(apps::udp_sink(rt, o, ctx.output()));
    });
}

Parsed udp_cbr(Params& p, const ParseContext& c) {
    const auto target = p.target(c.network, c.node);
    apps::UdpCbrOptions o{.to = target.by_dns ? target.name : target.address.to_string(),
                          .port = static_cast<uint16_t>(p.integer("port", 5002, 1, 65535)),
                          .rate = p.bandwidth("rate", 1'000'000),
                          .size = static_cast<size_t>(p.integer(
                              "size", 1000, static_cast<int64_t>(apps::cbr::Header::size), 65507)),
                          .duration = positive(p, "duration", base::Duration::seconds(10), c.spec),
                          .on = {},
                          .off = {},
                          .wait = p.duration("wait", base::Duration::seconds(1)),
                          .label = p.text("label", "cbr")};
    if (p.param("on")) o.on = positive(p, "on", base::Duration::seconds(1), c.spec);
    if (const sim::AppParam* off = p.param("off")) {
        o.off = p.duration("off", {});
        if (!p.param("on")) {
            p.fail_with(fmt::format("{}: udp-cbr 'off' needs 'on': how long each burst sends",
                                    at(off->key_where)));
        }
    }
    // The header numbers a flow's datagrams in 32 bits.
    const uint64_t count = apps::cbr::Schedule(o.rate, o.size, o.duration, o.on, o.off).count();
    if (count > UINT32_MAX && !p.error()) {
        p.fail_with(fmt::format(
            "{}: udp-cbr would send {} datagrams; a flow has at most {} (a lower 'rate' or a "
            "shorter 'duration')",
            at(c.spec.where), count, UINT32_MAX));
    }
    return Start([o](AppContext& ctx) {
        sockets::Runtime& rt = ctx.runtime();
        return ctx.run(apps::udp_cbr(rt, o, ctx.output()));
    });
}

}  // namespace scenario::kinds
