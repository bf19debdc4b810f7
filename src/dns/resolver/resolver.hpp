// The recursive resolver's engine: iterative resolution from the root hints
// down through referrals (root → shop. → kiminje.shop.), sans-IO.
//
// It asks for queries to be sent through `Send` (each with a token) and is
// told what came back with `on_reply(token, …)` or that the query's socket
// failed with `on_failure(token)`; `poll` runs its timeouts. The driver opens
// a fresh socket for every query, so the source port is random per query
// (RFC 5452) as the query ID is.
//
// What it takes from a reply is checked: the reply must come from the server
// and port asked, with the query's ID and question, and only records inside
// the zone the server was asked as (its bailiwick) are believed. Work is
// bounded per resolution: referrals, CNAME links, lookups of name servers
// without glue, and queries sent.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.hpp"
#include "base/time.hpp"
#include "dns/auth/authority.hpp"
#include "dns/resolver/cache.hpp"
#include "dns/wire/message.hpp"

namespace dns {

struct RootHint {
    Name name;
    wire::IpAddress address;
};

// One step of a resolution, for a per-query trace (`dns recursor
// --log-level debug` prints each; tests read them as values).
enum class TraceStep : uint8_t {
    query_sent,     // question to server, as a member of zone
    answer,         // the server answered the question
    cname,          // it answered with a CNAME: detail is the target, followed
    referral,       // down to the zone in detail
    nodata,         // the name exists without that type
    nxdomain,       // no such name
    lame,           // referred upward or sideways: the next server is asked
    server_failed,  // SERVFAIL, REFUSED, … (detail: the rcode), or the socket failed
    timeout,        // no reply in time: the next server is asked
    truncated,      // TC: asked again over TCP
    server_lookup,  // a server's address is looked up (detail: its name)
    done,           // the resolution's result (detail: rcode, or why it failed)
};
std::string_view to_string(TraceStep s);

struct TraceEvent {
    base::Time at;
    TraceStep step = TraceStep::query_sent;
    Question question;       // the question being chased (after CNAMEs)
    Name zone;               // the zone whose servers are asked
    wire::IpAddress server;  // the server, where one is concerned
    std::string detail;
    // "query_sent kiminje.shop. IN A to 10.0.0.53 (zone shop.)"
    std::string to_string() const;
};

struct ResolverConfig {
    std::vector<RootHint> root_hints;
    // The families queries go out over (the host's): servers are asked at
    // their addresses in these, IPv6 before IPv4 for each server (RFC 6724's
    // default preference); a server with no address in them is not asked.
    QueryFamilies families;
    base::Duration timeout = base::Duration::milliseconds(800);  // per query, doubling per retry
    int max_queries = 48;    // sent for one resolution, everything included
    int max_referrals = 16;  // zone cuts followed
    int max_cname_chain = 8;
    int max_glueless_depth = 3;  // nested lookups of name servers' addresses
    uint16_t udp_size = 1232;
    uint16_t server_port = 53;
    CacheConfig cache{};
    // Called for every step of every resolution when set (cheap when not).
    std::function<void(const TraceEvent&)> trace;
};

// Root hints in master-file form (named.root): NS records for "." and the
// A and AAAA records of those servers.
base::Expected<std::vector<RootHint>, std::string> parse_root_hints(std::string_view text,
                                                                    const std::string& file);

struct Resolution {
    Rcode rcode = Rcode::noerror;
    std::vector<Record> answers;     // the CNAME chain, then the records asked for
    std::vector<Record> authority;   // the SOA of a negative answer; a referral's NS records
    std::vector<Record> additional;  // a referral's addresses of those servers
    bool from_cache = false;
    int queries = 0;      // sent for this resolution
    std::string failure;  // why, for SERVFAIL
};

struct ResolverStats {
    uint64_t resolutions = 0;
    uint64_t queries_sent = 0;
    uint64_t replies = 0;
    uint64_t timeouts = 0;
    uint64_t mismatched = 0;  // wrong server, port, ID or question: ignored
    uint64_t out_of_bailiwick = 0;
    uint64_t lame = 0;       // referred upward or sideways: the next server was asked
    uint64_t truncated = 0;  // answered TC: asked again over TCP
    uint64_t servfail = 0;
};

class Resolver {
  public:
    struct Outgoing {
        uint64_t token = 0;
        wire::IpAddress server;
        uint16_t port = 53;
        Transport transport = Transport::udp;
        std::vector<std::byte> query;
    };
    using Send = std::function<void(const Outgoing&)>;
    using Done = std::function<void(const Resolution&)>;

    Resolver(ResolverConfig config, base::Seed seed, Send send);
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Resolves `q`; `done` is called once: before this returns (from the
    // cache), or from inside on_reply, on_failure or poll.
    void resolve(const Question& q, base::Time now, Done done);

    // What the cache alone says about `q`, sending nothing (a query without
    // RD): the answer or the negative answer, following cached CNAMEs; else a
    // referral to the closest zone whose servers it knows — from the root
    // hints when it knows none.
    Resolution from_cache_only(const Question& q, base::Time now);

    // A reply on the socket of query `token`; false if it was not taken (late,
    // or not from the server asked, or not an answer to the question asked).
    bool on_reply(uint64_t token, const wire::IpAddress& from, uint16_t from_port,
                  base::ByteSpan bytes, base::Time now);
    void on_failure(uint64_t token, base::Time now);
    void poll(base::Time now);
    base::Time next_deadline() const;

    Cache& cache() { return cache_; }
    const ResolverStats& stats() const { return stats_; }
    size_t in_progress() const { return tasks_.size(); }

  private:
    struct Task;
    using TaskId = uint64_t;

    TaskId start(const Question& q, std::shared_ptr<int> budget, int depth,
                 std::function<void(const Resolution&, base::Time)> done, base::Time now);
    void step(TaskId id, base::Time now);
    void use_delegation(Task& t, base::Time now);
    void send(Task& t, base::Time now);
    void next_server(Task& t, base::Time now);
    void look_up_server(Task& t, const Name& host, RrType type, base::Time now);
    void add_server_addresses(Task& t, const Name& host, const std::vector<Record>& additional,
                              base::Time now);
    void handle(Task& t, const Message& reply, base::Time now);
    void finish(TaskId id, Resolution r, base::Time now);
    void trace(const Task& t, TraceStep step, base::Time now, std::string detail = {},
               std::optional<wire::IpAddress> server = std::nullopt);
    void fail(TaskId id, std::string why, base::Time now);
    Task* find(TaskId id);

    ResolverConfig config_;
    base::RandomStream random_;
    Send send_;
    Cache cache_;
    std::map<TaskId, std::unique_ptr<Task>> tasks_;
    std::map<uint64_t, TaskId> by_token_;
    TaskId next_task_ = 1;
    uint64_t next_token_ = 1;
    ResolverStats stats_;
};

}  // namespace dns
