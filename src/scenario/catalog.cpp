#include "scenario/catalog.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "scenario/kinds.hpp"

namespace scenario {

const std::vector<AppKind>& catalog() {
    static const std::vector<AppKind> rows = {
        {.kind = "ping",
         .keys = {"to", "count", "interval", "size", "ttl", "linger"},
         .daemon = false,
         .parse = kinds::ping,
         .description = "ICMP echo requests, printed as iputils ping prints them"},
        {.kind = "traceroute",
         .keys = {"to", "max_hops", "probes", "wait"},
         .daemon = false,
         .parse = kinds::traceroute,
         .description = "the routers on the path, found with ICMP echo probes of growing TTL"},
        {.kind = "udp-echo",
         .keys = {"port"},
         .daemon = true,
         .parse = kinds::udp_echo,
         .description = "echoes every UDP datagram to its sender"},
        {.kind = "udp-stream",
         .keys = {"to", "port", "label", "count", "interval", "size", "wait"},
         .daemon = false,
         .parse = kinds::udp_stream,
         .description = "numbered datagrams to a udp-echo, counting what comes back"},
        {.kind = "http-server",
         .keys = {"port", "page_size"},
         .daemon = true,
         .parse = kinds::http_server,
         .description = "an HTTP/1.1 server of a sample site"},
        {.kind = "http-get",
         .keys = {"to", "port", "path", "count", "label", "sha256"},
         .daemon = false,
         .parse = kinds::http_get,
         .description = "fetches a path over one HTTP/1.1 connection"},
        {.kind = "tcp-hello",
         .keys = {"to", "port", "message", "label"},
         .daemon = false,
         .parse = kinds::tcp_hello,
         .description = "the seeds' client: connect, say a message, hear the answer, close"},
        {.kind = "tcp-hello-server",
         .keys = {"port", "reply"},
         .daemon = true,
         .parse = kinds::tcp_hello_server,
         .description = "the seeds' server: answers each client's first message"},
        {.kind = "dns-server",
         .keys = {"zones", "port", "allow_update"},
         .daemon = true,
         .parse = kinds::dns_server,
         .description = "an authoritative DNS server of zone files"},
        {.kind = "dns-recursor",
         .keys = {"root_hints", "port"},
         .daemon = true,
         .parse = kinds::dns_recursor,
         .description = "a recursive resolver that starts from the root"},
        {.kind = "dns-lookup",
         .keys = {"name", "type", "server", "label"},
         .daemon = false,
         .parse = kinds::dns_lookup,
         .description = "asks one DNS question and prints the answer, as dig would"},
        {.kind = "dns-update",
         .keys = {"server", "port", "zone", "name", "a", "ttl", "label"},
         .daemon = false,
         .parse = kinds::dns_update,
         .description = "an RFC 2136 update that replaces a name's addresses"},
        {.kind = "tcp-sink",
         .keys = {"port", "congestion"},
         .daemon = true,
         .parse = kinds::tcp_sink,
         .description = "takes TCP connections and discards what they carry, or serves reverse "
                        "tcp-bulk requests"},
        {.kind = "tcp-bulk",
         .keys = {"to", "port", "bytes", "duration", "reverse", "label", "congestion"},
         .daemon = false,
         .parse = kinds::tcp_bulk,
         .description = "a bulk TCP transfer to a tcp-sink, as iperf: so many bytes, or for a "
                        "time, either way"},
        {.kind = "syn-flood",
         .keys = {"to", "port", "rate", "duration", "from", "label"},
         .daemon = false,
         .parse = kinds::syn_flood,
         .description = "TCP SYNs from forged addresses at a steady rate, as hping3 --flood"},
        {.kind = "udp-sink",
         .keys = {"port", "timeout"},
         .daemon = true,
         .parse = kinds::udp_sink,
         .description = "counts each udp-cbr flow: received, lost, out of order, duplicates"},
        {.kind = "udp-cbr",
         .keys = {"to", "port", "rate", "size", "duration", "on", "off", "wait", "label"},
         .daemon = false,
         .parse = kinds::udp_cbr,
         .description = "UDP datagrams at a constant bit rate, optionally on and off"},
    };
    return rows;
}

const AppKind* find_kind(std::string_view kind) {
    const auto& all = catalog();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const AppKind& k) { return k.kind == kind; });
    return it == all.end() ? nullptr : &*it;
}

base::Expected<CheckedApp, std::string> check_app(const sim::AppSpec& spec, sim::Network& network) {
    const AppKind* kind = find_kind(spec.kind);
    if (!kind) {
        std::string known;
        for (const AppKind& k : catalog())
            known += fmt::format("{}{}", known.empty() ? "" : ", ", k.kind);
        return base::fail(fmt::format("{}: unknown application '{}' (known: {})",
                                      at(spec.kind_where), spec.kind, known));
    }
    Params p(spec, kind->keys);
    const ParseContext context{
        .spec = spec, .node = *network.topology().find_node(spec.node), .network = network};
    auto start = kind->parse(p, context);
    if (!start) return base::fail(start.error());
    if (p.error()) return base::fail(*p.error());
    return CheckedApp{.kind = kind, .start = std::move(*start)};
}

std::unique_ptr<Program> AppContext::serve(sockets::Task<void> task) {
    runtime().spawn(std::move(task));
    return nullptr;
}

}  // namespace scenario
