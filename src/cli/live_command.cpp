#include "cli/live_command.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "apps/bulk.hpp"
#include "apps/dns_apps.hpp"
#include "apps/static_site.hpp"
#include "apps/tcp_apps.hpp"
#include "apps/udp_apps.hpp"
#include "apps/web.hpp"
#include "base/sha256.hpp"
#include "cli/host_port.hpp"
#include "dns/zone/zone.hpp"
#include "live/tap_host.hpp"
#include "socket/runtime.hpp"

namespace cli {
namespace {

constexpr std::string_view who = "minternet live";

template <typename... Args>
int bad(fmt::format_string<Args...> f, Args&&... args) {
    fmt::print(stderr, "{}: {}\n", who, fmt::format(f, std::forward<Args>(args)...));
    return 2;
}

std::optional<uint16_t> parse_port(std::string_view s) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < 1 || v > 65535) return std::nullopt;
    return static_cast<uint16_t>(v);
}

// One --serve: KIND:PORT[=ARGUMENT].
struct Service {
    std::string kind;
    uint16_t port = 0;
    std::string argument;
    std::shared_ptr<dns::Authority> authority;  // dns: the zone loaded
};

base::Expected<Service, std::string> parse_service(const std::string& text) {
    Service s;
    const size_t colon = text.find(':');
    if (colon == std::string::npos)
        return base::fail(
            fmt::format("--serve '{}': KIND:PORT[=ARGUMENT] (http:80=DIR, "
                        "dns:53=ZONE, echo:7, chat:7000, discard:9)",
                        text));
    s.kind = text.substr(0, colon);
    const size_t eq = text.find('=', colon);
    const std::string port = text.substr(colon + 1, eq == std::string::npos ? eq : eq - colon - 1);
    const auto p = parse_port(port);
    if (!p) return base::fail(fmt::format("--serve '{}': port '{}' is not 1-65535", text, port));
    s.port = *p;
    if (eq != std::string::npos) s.argument = text.substr(eq + 1);
    const bool needs_argument = s.kind == "http" || s.kind == "dns";
    if (s.kind != "http" && s.kind != "dns" && s.kind != "echo" && s.kind != "chat" &&
        s.kind != "discard")
        return base::fail(fmt::format(
            "--serve '{}': unknown service '{}' (known: http, dns, echo, chat, discard)", text,
            s.kind));
    if (needs_argument && s.argument.empty())
        return base::fail(fmt::format("--serve '{}': {} needs ={}", text, s.kind,
                                      s.kind == "http" ? "DIRECTORY" : "ZONE_FILE"));
    if (!needs_argument && !s.argument.empty())
        return base::fail(fmt::format("--serve '{}': {} takes no argument", text, s.kind));
    return s;
}

// http://ADDRESS[:PORT]/PATH
struct Url {
    wire::IpAddress address;
    uint16_t port = 80;
    std::string host;
    std::string path = "/";
};

base::Expected<Url, std::string> parse_url(const std::string& text) {
    constexpr std::string_view scheme = "http://";
    if (!text.starts_with(scheme))
        return base::fail(fmt::format("--get '{}': only http:// URLs", text));
    const std::string rest = text.substr(scheme.size());
    const size_t slash = rest.find('/');
    Url u;
    u.host = rest.substr(0, slash);
    if (slash != std::string::npos) u.path = rest.substr(slash);
    const auto hp = parse_host_port(u.host);
    if (!hp || hp->port == 0)
        return base::fail(fmt::format(
            "--get '{}': the host must be an IPv4 address or an IPv6 one in brackets, with a "
            "port from 1 to 65535 if any",
            text));
    u.address = hp->address;
    u.port = hp->port.value_or(80);
    return u;
}

// Each IPv6 address of the host in `state`, every interface.
std::vector<wire::Ipv6Address> addresses_in(const stack::Host& h, stack::Ipv6AddressState state) {
    std::vector<wire::Ipv6Address> found;
    for (stack::InterfaceId id = 0; id < h.interface_count(); ++id) {
        if (!h.ipv6_enabled(id)) continue;
        for (const stack::Ipv6InterfaceAddress& a : h.ipv6_addresses(id))
            if (a.state == state) found.push_back(a.address.address);
    }
    return found;
}

// Until duplicate address detection has passed for every IPv6 address (a
// tentative address is no source yet, RFC 4862 §2), five seconds at most;
// says so when the kernel's side already had one of them.
sockets::Task<void> wait_for_addresses(sockets::Runtime& rt, apps::Output output) {
    for (int i = 0; i < 100 && !addresses_in(rt.host(), stack::Ipv6AddressState::tentative).empty();
         ++i)
        co_await rt.sleep(base::Duration::milliseconds(50));
    for (const wire::Ipv6Address& a : addresses_in(rt.host(), stack::Ipv6AddressState::duplicated))
        output(
            fmt::format("{}: another host on the link has this address, not used "
                        "(duplicate address detection)",
                        a.to_string()));
}

}  // namespace

int run_live(const LiveCommand& c, std::FILE* out) {
    live::TapHostConfig config;
    config.tap = c.tap;
    config.seed = c.seed;
    config.mtu = static_cast<uint16_t>(c.mtu);
    config.offload = c.offload;
    bool have_ipv4 = false;
    for (const std::string& a : c.addresses) {
        if (const auto v4 = wire::Ipv4Cidr::parse(a)) {
            if (have_ipv4) return bad("--address '{}': one IPv4 address only", a);
            if (v4->address.is_unspecified())
                return bad("--address '{}': 0.0.0.0 is no address", a);
            have_ipv4 = true;
            config.address = *v4;
        } else if (const auto v6 = wire::Ipv6Cidr::parse(a)) {
            if (v6->address.is_unspecified() || v6->address.is_multicast() ||
                v6->address.is_link_local() || v6->address.is_loopback() ||
                v6->address.is_ipv4_mapped())
                return bad(
                    "--address '{}': not an address for an interface (the link-local one "
                    "is made from the MAC)",
                    a);
            if (std::find(config.addresses6.begin(), config.addresses6.end(), *v6) !=
                config.addresses6.end())
                return bad("--address '{}' given twice", a);
            config.addresses6.push_back(*v6);
        } else {
            return bad("--address '{}' is not ADDRESS/PREFIX (10.0.0.2/24, 2001:db8::2/64)", a);
        }
    }
    for (const std::string& g : c.gateways) {
        const auto a = wire::IpAddress::parse(g);
        if (!a) return bad("--gateway '{}' is not an IP address", g);
        if (a->is_v4()) {
            if (config.gateway) return bad("--gateway '{}': one IPv4 gateway only", g);
            if (!have_ipv4)
                return bad("--gateway '{}': an IPv4 gateway needs an IPv4 --address", g);
            config.gateway = a->v4();
        } else {
            if (config.gateway6) return bad("--gateway '{}': one IPv6 gateway only", g);
            if (config.addresses6.empty())
                return bad("--gateway '{}': an IPv6 gateway needs an IPv6 --address", g);
            config.gateway6 = a->v6();
        }
    }
    for (const std::string& n : c.nameservers) {
        const auto a = wire::IpAddress::parse(n);
        if (!a) return bad("--nameserver '{}' is not an IP address", n);
        config.nameservers.push_back(*a);
    }
    if (!c.impair.empty()) {
        auto imp = live::parse_impairment(c.impair);
        if (!imp) return bad("{}", imp.error());
        config.impairment = *imp;
    }
    std::vector<Service> services;
    for (const std::string& text : c.serve) {
        auto s = parse_service(text);
        if (!s) return bad("{}", s.error());
        if (s->kind == "http" && !std::filesystem::is_directory(s->argument))
            return bad("--serve '{}': '{}' is not a directory", text, s->argument);
        if (s->kind == "dns") {
            auto zone = dns::load_zone(s->argument);
            if (!zone) return bad("--serve '{}': {}", text, zone.error().to_string());
            s->authority = std::make_shared<dns::Authority>(dns::AuthorityConfig{});
            s->authority->set_zone(std::move(*zone));
        }
        services.push_back(*s);
    }
    std::vector<Url> urls;
    for (const std::string& g : c.get) {
        auto u = parse_url(g);
        if (!u) return bad("{}", u.error());
        urls.push_back(*u);
    }
    std::optional<stack::Endpoint> send_to;
    if (!c.send.empty()) {
        const auto hp = parse_host_port(c.send);
        if (!hp || !hp->port || *hp->port == 0)
            return bad("--send '{}': ADDRESS:PORT (10.0.0.1:9, [2001:db8::1]:9)", c.send);
        if (c.bytes == 0) return bad("--bytes: at least 1");
        send_to = stack::Endpoint{hp->address, *hp->port};
    }
    if (services.empty() && urls.empty() && !send_to && c.duration_s <= 0)
        fmt::print(out, "no --serve and no --get: answering ARP and ping only\n");

    auto loop = live::Loop::create();
    if (!loop) return bad("{}", loop.error());
    auto tap_host = live::TapHost::create(**loop, config);
    if (!tap_host) {
        fmt::print(stderr, "{}: {}\n", who, tap_host.error());
        return 1;
    }
    live::TapHost& th = **tap_host;
    sockets::Runtime rt(th.host());
    const base::Time started = live::Loop::now();
    apps::Output output = [out, started](const std::string& line) {
        fmt::print(out, "[{:10.6f}] {}\n", (live::Loop::now() - started).seconds_f(), line);
        std::fflush(out);
    };
    std::string gateways;
    for (const std::string& g : c.gateways)
        gateways += (gateways.empty() ? "gateway " : ", gateway ") + g;
    fmt::print(out, "{} is {} ({}), MAC {}{}\n", c.tap, fmt::join(c.addresses, ", "),
               gateways.empty() ? "no gateway" : gateways, th.mac().to_string(),
               config.impairment.any() ? fmt::format(", impaired: {}", c.impair) : "");
    // What was negotiated with the kernel, so a measurement says what it had.
    fmt::print(out, "offloads: {}\n",
               th.offloads() ? "checksum and TCP segmentation both ways (virtio-net header)"
               : !c.offload  ? "off (--offload off)"
               : config.impairment.any() ? "off (impairments decide per frame)"
                                         : "off (the kernel refused them)");
    std::fflush(out);

    for (const Service& s : services) {
        if (s.kind == "http") {
            const std::filesystem::path root = s.argument;
            rt.spawn(apps::http_server(
                rt, {.port = s.port, .label = "http", .max_body = size_t{1} << 30},
                [root](const apps::http::Request& r) { return apps::serve_directory(root, r); },
                output));
        } else if (s.kind == "dns") {
            rt.spawn(apps::dns_server(rt, s.authority, s.port, output));
        } else if (s.kind == "echo") {
            rt.spawn(apps::tcp_echo(rt, s.port, output));
            rt.spawn(apps::udp_echo(rt, s.port, output));
        } else if (s.kind == "chat") {
            rt.spawn(apps::chat_server(rt, s.port, output));
        } else if (s.kind == "discard") {
            rt.spawn(apps::tcp_sink(rt, {.port = s.port}, output));
        }
    }

    bool gets_failed = false;
    bool gets_done = urls.empty();
    if (!urls.empty()) {
        rt.spawn([](sockets::Runtime& r, std::vector<Url> list, std::string save, apps::Output o,
                    bool* failed, bool* done, live::Loop* lp,
                    bool stop_after) -> sockets::Task<void> {
            co_await wait_for_addresses(r, o);
            for (const Url& u : list) {
                base::Sha256 sha;
                std::unique_ptr<std::ofstream> file;
                if (!save.empty())
                    file =
                        std::make_unique<std::ofstream>(save, std::ios::binary | std::ios::trunc);
                apps::HttpGetOptions g;
                g.to = {u.address, u.port};
                g.host = u.host;
                g.paths = {u.path};
                g.label = "get";
                g.on_body = [&sha, &file](base::ByteSpan b) {
                    sha.add(b);
                    if (file)
                        file->write(reinterpret_cast<const char*>(b.data()),
                                    static_cast<std::streamsize>(b.size()));
                };
                const apps::HttpGetResult res = co_await apps::http_get(r, g, o);
                if (res.error || res.fetches.empty() || res.fetches[0].status != 200) {
                    *failed = true;
                    continue;
                }
                const apps::HttpFetch& f = res.fetches[0];
                const double secs = f.duration.seconds_f();
                o(fmt::format("get: {}: {} bytes, sha256 {}, {:.3f} s, {:.1f} Mbit/s", u.path,
                              f.body_bytes, sha.hex(), secs,
                              secs > 0 ? static_cast<double>(f.body_bytes) * 8 / secs / 1e6 : 0.0));
            }
            *done = true;
            if (stop_after) lp->stop();
        }(rt, urls, c.output, output, &gets_failed, &gets_done, loop->get(), services.empty()));
    }
    bool send_failed = false;
    bool send_done = !send_to;
    if (send_to) {
        apps::TcpBulkOptions b;
        b.to = send_to->address.to_string();
        b.port = send_to->port;
        b.amount = apps::BulkAmount::of_bytes(c.bytes);
        b.label = "send";
        b.raw = true;
        rt.spawn([](sockets::Runtime& r, apps::TcpBulkOptions options, apps::Output o, bool* failed,
                    bool* done, live::Loop* lp, bool stop_after) -> sockets::Task<void> {
            co_await wait_for_addresses(r, o);
            const apps::TcpBulkResult res = co_await apps::tcp_bulk(r, options, o);
            *failed = !res.completed;
            *done = true;
            if (stop_after) lp->stop();
        }(rt, b, output, &send_failed, &send_done, loop->get(), services.empty() && urls.empty()));
    }
    if (c.duration_s > 0)
        (*loop)->after(base::Duration::nanoseconds(static_cast<int64_t>(c.duration_s * 1e9)),
                       [&] { (*loop)->stop(); });

    // A clean stop: FIN on every connection, then up to two seconds for the
    // peers to finish theirs.
    bool stopping = false;
    base::Time give_up = base::Time::never();
    // Polls every 10 ms until the connections are closed or time is up. It
    // lives here, not in a closure that holds itself (a cycle never freed).
    std::function<void()> wait_for_peers = [&] {
        if (rt.tcp().open_connections() == 0 || live::Loop::now() >= give_up) {
            (*loop)->stop();
            return;
        }
        (*loop)->after(base::Duration::milliseconds(10), wait_for_peers);
    };
    (*loop)->on_stop_signal([&] {
        if (stopping) {
            (*loop)->stop();  // a second signal: now
            return;
        }
        stopping = true;
        const size_t open = rt.tcp().shutdown_all(live::Loop::now());
        th.kick();
        output(fmt::format("stopping: closing {} connections", open));
        give_up = live::Loop::now() + base::Duration::seconds(2);
        wait_for_peers();
    });

    th.kick();
    auto ran = (*loop)->run();
    const live::TapHostStats s = th.stats();
    fmt::print(
        out,
        "stopped: {} frames from the kernel ({} of them coalesced TCP segments, {} with a bad "
        "virtio-net header), {} to it ({} dropped by a full queue; {} large segments carrying "
        "{} of ours); impairments in: {} lost, {} duplicated, {} reordered; out: {} lost, {} "
        "duplicated, {} reordered\n",
        s.frames_read, s.large_segments, s.bad_vnet, s.frames_written, s.write_drops,
        s.large_writes, s.segments_in_large_writes, s.to_host.lost, s.to_host.duplicated,
        s.to_host.reordered, s.to_kernel.lost, s.to_kernel.duplicated, s.to_kernel.reordered);
    const tcp::Stats t = rt.tcp().connection_totals();
    fmt::print(out,
               "tcp: {} segments out, {} in; {} retransmitted ({} recoveries, {} undone as "
               "spurious; {} timeouts); {} out of order, {} duplicates received\n",
               t.segments_sent, t.segments_received, t.retransmissions, t.fast_retransmits,
               t.spurious_recoveries, t.timeouts, t.out_of_order_segments, t.duplicate_segments);
    if (!ran) {
        fmt::print(stderr, "{}: {}\n", who, ran.error());
        return 1;
    }
    if (th.failure()) {
        fmt::print(stderr, "{}: {}\n", who, *th.failure());
        return 1;
    }
    // An address given that another host holds is the user's mistake to see
    // first, whatever else worked (docs/live.md, exit status).
    if (!addresses_in(rt.host(), stack::Ipv6AddressState::duplicated).empty()) return 3;
    if (gets_failed || !gets_done || send_failed || !send_done) return 1;
    return 0;
}

}  // namespace cli
