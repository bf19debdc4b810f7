// DNS over the operating system's sockets: UDP and TCP on one address and port,
// each query handed to an engine (the authoritative server, the recursor) and
// each response sent back the way its query came.
//
// TCP follows RFC 7766: two-octet length before each message, several
// queries per connection (answered as they complete, which may be out of
// order), a connection closed after 10 s idle, and at most `max_tcp`
// connections at once (the oldest idle one makes room).
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "dns/auth/authority.hpp"
#include "live/kernel_address.hpp"
#include "live/loop.hpp"
#include "wire/address.hpp"

namespace live {

struct DnsServerConfig {
    wire::IpAddress address = wire::IpAddress{wire::Ipv4Address{127, 0, 0, 1}};  // or IPv6
    uint16_t port = 53;  // 0: any free port (see DnsServer::port)
    size_t max_tcp = 256;
    base::Duration tcp_idle = base::Duration::seconds(10);
};

struct DnsServerStats {
    uint64_t udp_queries = 0;
    uint64_t tcp_queries = 0;
    uint64_t tcp_connections = 0;
    uint64_t responses = 0;
};

class DnsServer {
  public:
    // Sends the response to the query it was given for (at most once).
    using Respond = std::function<void(std::vector<std::byte> response)>;
    using Handler = std::function<void(base::ByteSpan query, dns::Transport transport,
                                       wire::IpAddress from, Respond respond)>;

    static base::Expected<std::unique_ptr<DnsServer>, std::string> start(Loop& loop,
                                                                         DnsServerConfig config,
                                                                         Handler handler);
    ~DnsServer();
    DnsServer(const DnsServer&) = delete;
    DnsServer& operator=(const DnsServer&) = delete;

    uint16_t port() const { return port_; }
    const DnsServerStats& stats() const { return stats_; }

  private:
    struct Connection;
    DnsServer(Loop& loop, DnsServerConfig config, Handler handler);
    void on_udp();
    void send_pending();
    void on_accept();
    void on_tcp(int fd, uint32_t events);
    void close_connection(int fd);
    void flush(Connection& c);
    void arm_idle(Connection& c);

    Loop& loop_;
    DnsServerConfig config_;
    Handler handler_;
    int udp_ = -1;
    int listener_ = -1;
    uint16_t port_ = 0;
    std::map<int, std::unique_ptr<Connection>> connections_;
    uint64_t next_generation_ = 1;
    DnsServerStats stats_;
    std::vector<std::byte> rx_;  // receive slots for a batch of datagrams
    bool batching_ = false;      // answers given now wait for one sendmmsg
    std::vector<std::pair<KernelAddress, std::vector<std::byte>>> pending_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The authoritative engine as a handler.
DnsServer::Handler authority_handler(dns::Authority& authority);

}  // namespace live
