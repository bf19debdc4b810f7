// ping and traceroute: sans-IO programs on the host, kept by the launcher.
#include "apps/ping.hpp"
#include "apps/traceroute.hpp"
#include "scenario/kinds.hpp"

namespace scenario::kinds {

Parsed ping(Params& p, const ParseContext& c) {
    const auto [dest, name] = p.destination(c.network);
    const apps::PingOptions o{.destination = dest,
                              .destination_name = name,
                              .count = static_cast<int>(p.integer("count", 4, 1, 1'000'000)),
                              .interval = p.duration("interval", base::Duration::seconds(1)),
                              .size = static_cast<size_t>(p.integer("size", 56, 0, 65507)),
                              .ttl = static_cast<uint8_t>(p.integer("ttl", 0, 1, 255)),
                              .linger = p.duration("linger", base::Duration::seconds(10))};
    return Start([o](AppContext& ctx) {
        auto ping = std::make_unique<apps::Ping>(ctx.node().host(), o, ctx.output());
        ping->start(ctx.now());
        return AppContext::keep(std::move(ping));
    });
}

Parsed traceroute(Params& p, const ParseContext& c) {
    const auto [dest, name] = p.destination(c.network);
    const apps::TracerouteOptions o{.destination = dest,
                                    .destination_name = name,
                                    .max_hops = static_cast<int>(p.integer("max_hops", 30, 1, 255)),
                                    .probes = static_cast<int>(p.integer("probes", 3, 1, 10)),
                                    .wait = p.duration("wait", base::Duration::seconds(5))};
    return Start([o](AppContext& ctx) {
        sim::Network& network = ctx.network();
        auto trace = std::make_unique<apps::Traceroute>(
            ctx.node().host(), o, ctx.output(),
            [&network](const wire::IpAddress& x) { return network.name_of(x); });
        trace->start(ctx.now());
        return AppContext::keep(std::move(trace));
    });
}

}  // namespace scenario::kinds
