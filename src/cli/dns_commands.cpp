#include "cli/dns_commands.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include <fmt/format.h>

#include <spdlog/logger.h>

#include "cli/host_port.hpp"
#include "dns/auth/authority.hpp"
#include "dns/resolver/recursor.hpp"
#include "dns/wire/message.hpp"
#include "dns/zone/zone.hpp"
#include "live/dns_server.hpp"
#include "live/loop.hpp"
#include "live/upstream.hpp"

namespace cli {
namespace {

// A DNS server's address: port 53 unless one is written.
struct ServerAddress {
    wire::IpAddress address;
    uint16_t port = 53;
    std::string to_string() const { return host_port_text(address, port); }
};

std::optional<ServerAddress> parse_server_address(std::string_view text) {
    const auto hp = parse_host_port(text);
    if (!hp) return std::nullopt;
    return ServerAddress{hp->address, hp->port.value_or(53)};
}

// Waits for `fd` to be readable, at most `ms`.
bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1;
}

std::optional<std::vector<std::byte>> ask_udp(const ServerAddress& server,
                                              const std::vector<std::byte>& query, uint16_t id,
                                              int timeout_ms, std::string& why) {
    const int fd =
        socket(server.address.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = std::strerror(errno);
        return std::nullopt;
    }
    const live::KernelAddress sa = live::to_kernel(server.address, server.port);
    std::optional<std::vector<std::byte>> answer;
    if (connect(fd, sa.get(), sa.length) != 0) {
        why = std::strerror(errno);
    } else {
        for (int attempt = 0; attempt < 3 && !answer; ++attempt) {
            if (send(fd, query.data(), query.size(), 0) < 0) {
                why = std::strerror(errno);
                break;
            }
            while (wait_readable(fd, timeout_ms)) {
                std::vector<std::byte> buf(65535);
                const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
                if (n < 0) {
                    why = std::strerror(errno);  // e.g. connection refused (ICMP)
                    break;
                }
                buf.resize(static_cast<size_t>(n));
                // Only the reply to this query: same ID (the socket is
                // connected, so the address and port are the server's).
                if (buf.size() >= 2 && base::load_be16(buf, 0) == id) {
                    answer = std::move(buf);
                    break;
                }
            }
            if (!answer && why.empty()) why = "no answer (timed out)";
        }
    }
    close(fd);
    return answer;
}

bool read_all(int fd, std::byte* at, size_t n, int timeout_ms) {
    while (n > 0) {
        if (!wait_readable(fd, timeout_ms)) return false;
        const ssize_t got = recv(fd, at, n, 0);
        if (got <= 0) return false;
        at += got;
        n -= static_cast<size_t>(got);
    }
    return true;
}

std::optional<std::vector<std::byte>> ask_tcp(const ServerAddress& server,
                                              const std::vector<std::byte>& query, int timeout_ms,
                                              std::string& why) {
    const int fd =
        socket(server.address.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        why = std::strerror(errno);
        return std::nullopt;
    }
    const live::KernelAddress sa = live::to_kernel(server.address, server.port);
    std::optional<std::vector<std::byte>> answer;
    std::vector<std::byte> framed;
    framed.push_back(static_cast<std::byte>(query.size() >> 8));
    framed.push_back(static_cast<std::byte>(query.size()));
    framed.insert(framed.end(), query.begin(), query.end());
    std::byte len[2];
    if (connect(fd, sa.get(), sa.length) != 0) {
        why = std::strerror(errno);
    } else if (send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) !=
               static_cast<ssize_t>(framed.size())) {
        why = std::strerror(errno);
    } else if (!read_all(fd, len, 2, timeout_ms)) {
        why = "no answer over TCP";
    } else {
        std::vector<std::byte> buf(base::load_be16(base::ByteSpan(len, 2), 0));
        if (read_all(fd, buf.data(), buf.size(), timeout_ms)) {
            answer = std::move(buf);
        } else {
            why = "the TCP answer was cut short";
        }
    }
    close(fd);
    return answer;
}

}  // namespace

int run_dns_serve(const DnsServeCommand& c, std::FILE* out) {
    const auto where = parse_server_address(c.listen);
    if (!where) {
        fmt::print(stderr, "minternet dns serve: --listen '{}' is not ADDRESS:PORT\n", c.listen);
        return 2;
    }
    dns::AuthorityConfig config;
    for (const std::string& a : c.allow_update) {
        auto addr = wire::Ipv4Address::parse(a);
        if (!addr) {
            fmt::print(stderr, "minternet dns serve: --allow-update '{}' is not an address\n", a);
            return 2;
        }
        config.allow_update.push_back(*addr);
    }
    dns::Authority authority(config);
    for (const std::string& path : c.zones) {
        auto zone = dns::load_zone(path);
        if (!zone) {
            fmt::print(stderr, "minternet dns serve: {}\n", zone.error().to_string());
            return 2;
        }
        fmt::print(out, "zone {}: {} records from {}\n", zone->origin().to_string(),
                   zone->record_count(), path);
        authority.set_zone(std::move(*zone));
    }
    auto loop = live::Loop::create();
    if (!loop) {
        fmt::print(stderr, "minternet dns serve: {}\n", loop.error());
        return 1;
    }
    auto server = live::DnsServer::start(**loop, {.address = where->address, .port = where->port},
                                         live::authority_handler(authority));
    if (!server) {
        fmt::print(stderr, "minternet dns serve: {}\n", server.error());
        return 1;
    }
    fmt::print(out, "serving on {} (UDP and TCP)\n",
               ServerAddress{where->address, (*server)->port()}.to_string());
    std::fflush(out);
    (*loop)->on_stop_signal([&] { (*loop)->stop(); });
    if (auto ran = (*loop)->run(); !ran) {
        fmt::print(stderr, "minternet dns serve: {}\n", ran.error());
        return 1;
    }
    const auto& s = authority.stats();
    fmt::print(out,
               "stopped: {} queries ({} UDP, {} TCP), {} answers, {} referrals, {} NXDOMAIN, "
               "{} NODATA, {} refused, {} updates\n",
               s.queries, (*server)->stats().udp_queries, (*server)->stats().tcp_queries, s.answers,
               s.referrals, s.nxdomain, s.nodata, s.refused, s.updates);
    return 0;
}

int run_dns_recursor(const DnsRecursorCommand& c, std::FILE* out) {
    const auto where = parse_server_address(c.listen);
    if (!where) {
        fmt::print(stderr, "minternet dns recursor: --listen '{}' is not ADDRESS:PORT\n", c.listen);
        return 2;
    }
    std::ifstream in(c.root_hints, std::ios::binary);
    if (!in) {
        fmt::print(stderr, "minternet dns recursor: cannot open '{}'\n", c.root_hints);
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto hints = dns::parse_root_hints(text.str(), c.root_hints);
    if (!hints) {
        fmt::print(stderr, "minternet dns recursor: {}\n", hints.error());
        return 2;
    }
    dns::RecursorConfig config;
    config.resolver.root_hints = *hints;
    // The kernel's sockets speak both families: servers are asked over
    // IPv6 and IPv4 (one the machine cannot reach fails, and the next
    // address is tried).
    config.resolver.families = {.ipv4 = true, .ipv6 = true};
    // --log-level debug: every step of every resolution, a line each.
    if (c.log && c.log->should_log(spdlog::level::debug)) {
        config.resolver.trace = [log = c.log](const dns::TraceEvent& e) {
            log->debug("{}", e.to_string());
        };
    }
    config.resolver.server_port = c.upstream_port;
    for (const std::string& a : c.allow) {
        if (auto cidr = wire::Ipv4Cidr::parse(a)) {
            config.allow.push_back(*cidr);
        } else if (auto cidr6 = wire::Ipv6Cidr::parse(a)) {
            config.allow6.push_back(*cidr6);
        } else {
            fmt::print(stderr, "minternet dns recursor: --allow '{}' is not ADDRESS/PREFIX\n", a);
            return 2;
        }
    }
    auto loop = live::Loop::create();
    if (!loop) {
        fmt::print(stderr, "minternet dns recursor: {}\n", loop.error());
        return 1;
    }
    live::Upstream upstream(**loop);
    std::random_device rd;  // query IDs an off-path attacker cannot predict
    dns::Recursor recursor(config, base::Seed{(uint64_t{rd()} << 32) | rd()},
                           [&upstream](const dns::Resolver::Outgoing& o) { upstream.send(o); });
    upstream.attach(&recursor.resolver());
    auto server = live::DnsServer::start(
        **loop, {.address = where->address, .port = where->port},
        [&](base::ByteSpan query, dns::Transport transport, wire::IpAddress from,
            live::DnsServer::Respond respond) {
            recursor.handle(query, transport, from, live::wall_now(), std::move(respond));
            upstream.schedule();
        });
    if (!server) {
        fmt::print(stderr, "minternet dns recursor: {}\n", server.error());
        return 1;
    }
    fmt::print(out, "recursor on {} (UDP and TCP), {} root servers from {}\n",
               ServerAddress{where->address, (*server)->port()}.to_string(), hints->size(),
               c.root_hints);
    std::fflush(out);
    (*loop)->on_stop_signal([&] { (*loop)->stop(); });
    if (auto ran = (*loop)->run(); !ran) {
        fmt::print(stderr, "minternet dns recursor: {}\n", ran.error());
        return 1;
    }
    const auto& rs = recursor.resolver().stats();
    const auto& cs = recursor.resolver().cache().stats();
    fmt::print(out,
               "stopped: {} queries, {} answered, {} SERVFAIL, {} refused; {} queries sent, "
               "{} timeouts, {} mismatched replies ignored; cache {} entries, {} hits\n",
               recursor.stats().queries, recursor.stats().answered, recursor.stats().servfail,
               recursor.stats().refused, rs.queries_sent, rs.timeouts, rs.mismatched,
               recursor.resolver().cache().size(), cs.hits + cs.negative_hits);
    return 0;
}

int run_dns_query(const DnsQueryCommand& c, std::FILE* out) {
    const auto server = parse_server_address(c.server);
    if (!server) {
        fmt::print(stderr, "minternet dns query: --server '{}' is not ADDRESS[:PORT]\n", c.server);
        return 2;
    }
    auto name = dns::Name::parse(c.name.ends_with(".") ? c.name : c.name + ".");
    if (!name) {
        fmt::print(stderr, "minternet dns query: '{}': {}\n", c.name, name.error());
        return 2;
    }
    const auto type = dns::parse_type(c.type);
    if (!type) {
        fmt::print(stderr, "minternet dns query: '{}' is not a record type\n", c.type);
        return 2;
    }
    dns::Message q;
    std::random_device rd;
    q.id = static_cast<uint16_t>(rd());
    q.rd = c.recurse;
    q.questions.push_back({*name, *type, dns::RrClass::in});
    if (c.edns) q.edns = dns::Edns{};
    const auto query = dns::emit_message(q);
    const int timeout_ms = static_cast<int>(c.timeout_s * 1000);
    std::string why;
    const auto start = std::chrono::steady_clock::now();
    bool over_tcp = c.tcp;
    std::optional<std::vector<std::byte>> answer;
    if (!over_tcp) {
        answer = ask_udp(*server, query, q.id, timeout_ms, why);
        if (answer) {
            auto m = dns::parse_message(*answer);
            if (m && m->tc) {
                fmt::print(out, ";; Truncated, retrying in TCP mode.\n");
                over_tcp = true;
            }
        }
    }
    if (over_tcp) answer = ask_tcp(*server, query, timeout_ms, why);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
    if (!answer) {
        fmt::print(out, ";; no answer from {}: {}\n", server->to_string(), why);
        return 1;
    }
    auto m = dns::parse_message(*answer);
    if (!m) {
        fmt::print(out, ";; a malformed answer from {}: {}\n", server->to_string(),
                   m.error().to_string());
        return 1;
    }
    fmt::print(out, "; <<>> minternet dns query <<>> {} {}\n", name->to_string(), to_string(*type));
    fmt::print(out, "{}", dns::to_text(*m));
    fmt::print(out, "\n;; Query time: {} msec\n;; SERVER: {}#{}({})\n;; MSG SIZE  rcvd: {}\n", ms,
               server->address.to_string(), server->port, over_tcp ? "TCP" : "UDP", answer->size());
    return 0;
}

}  // namespace cli
