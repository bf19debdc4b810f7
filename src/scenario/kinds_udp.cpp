// UDP programs: the echo server and the stream that measures it.
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

}  // namespace scenario::kinds
