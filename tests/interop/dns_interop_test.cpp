// `minternet dns serve` against real DNS software on loopback:
//   - dig and kdig ask it questions; their output is checked field by field;
//   - NSD serves the same zone; hundreds of queries must get the same RCODE,
//     the same flags that matter and the same record sets from both.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dns/wire/message.hpp"
#include "process.hpp"

namespace {

using dns::Message;
using dns::RrType;

const std::string zone_file = std::string(MINTERNET_DATA) + "/dns/example.zone";

uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    close(fd);
    return ntohs(sa.sin_port);
}

// One question over UDP, with our codec; nothing after three tries.
std::optional<Message> ask(uint16_t port, const Message& q) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    const auto bytes = dns::emit_message(q);
    std::optional<Message> answer;
    for (int attempt = 0; attempt < 3 && !answer; ++attempt) {
        send(fd, bytes.data(), bytes.size(), 0);
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 500) != 1) continue;
        std::vector<std::byte> buf(65535);
        const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) continue;
        buf.resize(static_cast<size_t>(n));
        if (auto m = dns::parse_message(buf); m && m->id == q.id) answer = *m;
    }
    close(fd);
    return answer;
}

Message question(std::string_view name, RrType type, std::optional<uint16_t> edns = 1232) {
    static uint16_t id = 1;
    Message q;
    q.id = id++;
    q.questions.push_back({*dns::Name::parse(name), type, dns::RrClass::in});
    if (edns) q.edns = dns::Edns{.udp_size = *edns};
    return q;
}

bool wait_serving(uint16_t port) {
    for (int i = 0; i < 100; ++i) {
        if (ask(port, question("example.", RrType::soa))) return true;
        usleep(50'000);
    }
    return false;
}

struct Servers : ::testing::Test {
    static void SetUpTestSuite() {
        dir_ = std::filesystem::temp_directory_path() / fmt::format("minternet-dns-{}", getpid());
        std::filesystem::create_directories(dir_);
        ours_port_ = free_port();
        ours_ = std::make_unique<interop::Process>(
            std::vector<std::string>{MINTERNET_BINARY, "dns", "serve", "--zone", zone_file,
                                     "--listen", fmt::format("127.0.0.1:{}", ours_port_)},
            dir_ / "minternet.log");
    }
    static void TearDownTestSuite() {
        ours_.reset();
        std::filesystem::remove_all(dir_);
    }
    static inline std::filesystem::path dir_;
    static inline uint16_t ours_port_ = 0;
    static inline std::unique_ptr<interop::Process> ours_;
};

// ---- real clients ------------------------------------------------------------------

struct Expect {
    std::string query;  // "NAME TYPE"
    std::string status;
    std::string flags;                // as dig prints them, after "flags: "
    std::vector<std::string> answer;  // "name ttl class type data…", whitespace-normalised
};

std::string squeeze(const std::string& line) {
    std::string out;
    bool space = false;
    for (char c : line) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

struct Parsed {
    std::string status, flags;
    std::vector<std::string> answer;
};

// dig's and kdig's output: the status, the flags and the answer section.
Parsed parse_client_output(const std::string& out) {
    Parsed p;
    std::istringstream in(out);
    std::string line;
    bool in_answer = false;
    while (std::getline(in, line)) {
        const std::string l = squeeze(line);
        if (auto at = l.find("status: "); at != std::string::npos) {
            p.status = l.substr(at + 8);
            p.status = p.status.substr(0, p.status.find_first_of(",;"));
        }
        if (auto at = l.find("lags: "); at != std::string::npos && l.starts_with(";;")) {
            p.flags = l.substr(at + 6);
            p.flags = p.flags.substr(0, p.flags.find(';'));
        }
        if (l.starts_with(";; ANSWER SECTION")) {
            in_answer = true;
            continue;
        }
        if (l.empty() || l.starts_with(";;")) {
            in_answer = false;
            continue;
        }
        if (in_answer) p.answer.push_back(l);
    }
    return p;
}

const std::vector<Expect> expectations = {
    {"www.example A", "NOERROR", "qr aa", {"www.example. 3600 IN A 192.0.2.80"}},
    {"www.example AAAA", "NOERROR", "qr aa", {"www.example. 3600 IN AAAA 2001:db8::80"}},
    {"example NS",
     "NOERROR",
     "qr aa",
     {"example. 3600 IN NS ns1.example.", "example. 3600 IN NS ns2.example."}},
    {"example SOA",
     "NOERROR",
     "qr aa",
     {"example. 3600 IN SOA ns1.example. hostmaster.example. 2026112101 7200 900 1209600 300"}},
    {"example MX",
     "NOERROR",
     "qr aa",
     {"example. 3600 IN MX 10 mail.example.", "example. 3600 IN MX 20 mail2.other."}},
    {"txt.example TXT",
     "NOERROR",
     "qr aa",
     {"txt.example. 3600 IN TXT \"one\" \"two words\" \"semi;colon\""}},
    {"_http._tcp.example SRV",
     "NOERROR",
     "qr aa",
     {"_http._tcp.example. 3600 IN SRV 10 5 80 www.example."}},
    {"host.example PTR", "NOERROR", "qr aa", {"host.example. 3600 IN PTR www.example."}},
    {"example CAA", "NOERROR", "qr aa", {"example. 3600 IN CAA 0 issue \"ca.example\""}},
    {"opaque.example TYPE65280",
     "NOERROR",
     "qr aa",
     {"opaque.example. 3600 IN TYPE65280 \\# 4 0A0B0C0D"}},
    {"chain.example A",
     "NOERROR",
     "qr aa",
     {"chain.example. 3600 IN CNAME alias.example.", "alias.example. 3600 IN CNAME www.example.",
      "www.example. 3600 IN A 192.0.2.80"}},
    {"anything.wild.example A",
     "NOERROR",
     "qr aa",
     {"anything.wild.example. 3600 IN A 192.0.2.99"}},
    {"nothing.example A", "NXDOMAIN", "qr aa", {}},
    {"www.example MX", "NOERROR", "qr aa", {}},   // NODATA
    {"b.c.example A", "NOERROR", "qr aa", {}},    // an empty non-terminal
    {"host.sub.example A", "NOERROR", "qr", {}},  // a referral: no AA
};

std::string client_command(const std::string& tool, uint16_t port, const std::string& query) {
    if (tool == "dig")
        return fmt::format("dig +norec +time=2 +tries=2 -p {} @127.0.0.1 {} 2>&1", port, query);
    return fmt::format("kdig +norec +timeout=2 +retry=1 -p {} @127.0.0.1 {} 2>&1", port, query);
}

TEST_F(Servers, DigAndKdigGetEveryAnswerFieldByField) {
    ASSERT_TRUE(ours_->started());
    ASSERT_TRUE(wait_serving(ours_port_)) << ours_->output();
    for (const std::string tool : {"dig", "kdig"}) {
        ASSERT_FALSE(interop::run("command -v " + tool).empty()) << tool << " is not installed";
        for (const Expect& e : expectations) {
            const std::string out = interop::run(client_command(tool, ours_port_, e.query));
            const Parsed p = parse_client_output(out);
            EXPECT_EQ(p.status, e.status) << tool << " " << e.query << "\n" << out;
            EXPECT_EQ(p.flags, e.flags) << tool << " " << e.query << "\n" << out;
            // kdig prints AAAA and generic data in its own style; compare
            // field by field with whitespace normalised.
            std::vector<std::string> got = p.answer, want = e.answer;
            EXPECT_EQ(got, want) << tool << " " << e.query << "\n" << out;
        }
    }
}

// Too big for 512 octets: dig (no EDNS) sees TC, says so, and retries over TCP.
TEST_F(Servers, TruncatedOverUdpThenWholeOverTcp) {
    ASSERT_TRUE(wait_serving(ours_port_));
    const std::string out = interop::run(
        fmt::format("dig +norec +noedns -p {} @127.0.0.1 big.example TXT 2>&1", ours_port_));
    EXPECT_NE(out.find("Truncated, retrying in TCP mode"), std::string::npos) << out;
    const Parsed p = parse_client_output(out);
    EXPECT_EQ(p.answer.size(), 8u) << out;
    EXPECT_NE(out.find("(TCP)"), std::string::npos) << out;
    const std::string k = interop::run(fmt::format(
        "kdig +norec +noedns +ignore -p {} @127.0.0.1 big.example TXT 2>&1", ours_port_));
    EXPECT_EQ(parse_client_output(k).flags, "qr aa tc") << k;
}

// ---- dynamic update: BIND's nsupdate --------------------------------------------

// RFC 2136 over real sockets: BIND's nsupdate replaces www.example.'s address;
// dig sees the new one and the SOA serial one higher. A server that allows
// updates only from another address refuses the same update.
TEST(DynamicUpdate, NsupdateChangesTheAnswerDigSees) {
    ASSERT_FALSE(interop::run("command -v nsupdate").empty()) << "nsupdate is not installed";
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("minternet-nsupdate-{}", getpid());
    std::filesystem::create_directories(dir);
    const uint16_t open_port = free_port();
    const uint16_t closed_port = free_port();
    interop::Process open({MINTERNET_BINARY, "dns", "serve", "--zone", zone_file, "--listen",
                           fmt::format("127.0.0.1:{}", open_port), "--allow-update", "127.0.0.1"},
                          dir / "open.log");
    interop::Process closed(
        {MINTERNET_BINARY, "dns", "serve", "--zone", zone_file, "--listen",
         fmt::format("127.0.0.1:{}", closed_port), "--allow-update", "127.0.0.2"},
        dir / "closed.log");
    ASSERT_TRUE(wait_serving(open_port)) << open.output();
    ASSERT_TRUE(wait_serving(closed_port)) << closed.output();

    auto update = [&](uint16_t port) {
        std::ofstream(dir / "update.txt") << fmt::format(
            "server 127.0.0.1 {}\nzone example.\n"
            "update delete www.example. A\n"
            "update add www.example. 60 A 192.0.2.81\nsend\n",
            port);
        return interop::run(fmt::format("timeout 20 nsupdate -t 3 -r 1 {} 2>&1; echo exit=$?",
                                        (dir / "update.txt").string()));
    };
    const std::string accepted = update(open_port);
    EXPECT_NE(accepted.find("exit=0"), std::string::npos) << accepted;
    const Parsed a =
        parse_client_output(interop::run(client_command("dig", open_port, "www.example A")));
    EXPECT_EQ(a.answer, std::vector<std::string>{"www.example. 60 IN A 192.0.2.81"});
    const Parsed soa =
        parse_client_output(interop::run(client_command("dig", open_port, "example SOA")));
    EXPECT_EQ(soa.answer,
              std::vector<std::string>{"example. 3600 IN SOA ns1.example. hostmaster.example. "
                                       "2026112102 7200 900 1209600 300"});

    const std::string refused = update(closed_port);
    EXPECT_NE(refused.find("REFUSED"), std::string::npos) << refused;
    EXPECT_EQ(refused.find("exit=0"), std::string::npos) << refused;
    const Parsed unchanged =
        parse_client_output(interop::run(client_command("dig", closed_port, "www.example A")));
    EXPECT_EQ(unchanged.answer, std::vector<std::string>{"www.example. 3600 IN A 192.0.2.80"});
    std::filesystem::remove_all(dir);
}

// ---- differential: the same zone in NSD -------------------------------------------

std::string nsd_config(const std::filesystem::path& dir, uint16_t port) {
    return fmt::format(R"(server:
  ip-address: 127.0.0.1@{}
  zonesdir: "{}"
  database: ""
  pidfile: "{}/nsd.pid"
  zonelistfile: "{}/zone.list"
  xfrdfile: "{}/xfrd.state"
  xfrdir: "{}"
  username: ""
  chroot: ""
  rrl-ratelimit: 0
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: example.
  zonefile: {}
)",
                       port, dir.string(), dir.string(), dir.string(), dir.string(), dir.string(),
                       zone_file);
}

std::multiset<std::string> section(const std::vector<dns::Record>& records) {
    std::multiset<std::string> out;
    for (dns::Record r : records) {
        r.name = r.name.lowercased();
        out.insert(r.to_string());
    }
    return out;
}

TEST_F(Servers, SameAnswersAsNsd) {
    ASSERT_FALSE(interop::run("command -v nsd").empty()) << "nsd is not installed";
    const uint16_t nsd_port = free_port();
    std::ofstream(dir_ / "nsd.conf") << nsd_config(dir_, nsd_port);
    interop::Process nsd({"nsd", "-d", "-c", (dir_ / "nsd.conf").string()}, dir_ / "nsd.log");
    ASSERT_TRUE(nsd.started());
    ASSERT_TRUE(wait_serving(nsd_port)) << nsd.output();
    ASSERT_TRUE(wait_serving(ours_port_)) << ours_->output();

    const std::vector<std::string> names = {
        "example.",         "www.example.",          "alias.example.",
        "chain.example.",   "away.example.",         "txt.example.",
        "opaque.example.",  "_http._tcp.example.",   "host.example.",
        "ns1.example.",     "ns2.example.",          "mail.example.",
        "x.wild.example.",  "a.b.wild.example.",     "wild.example.",
        "c.example.",       "b.c.example.",          "a.b.c.example.",
        "sub.example.",     "host.sub.example.",     "ns.sub.example.",
        "nothing.example.", "deep.nothing.example.", "big.example.",
        "Www.EXAMPLE.",     "X.Wild.Example.",       "other.",
        "example.com."};
    const std::vector<RrType> types = {RrType::a,   RrType::aaaa, RrType::ns,    RrType::mx,
                                       RrType::txt, RrType::soa,  RrType::cname, RrType::any,
                                       RrType::srv, RrType::caa,  RrType::ptr,   RrType{65280}};
    const std::vector<std::optional<uint16_t>> sizes = {std::nullopt, 512, 1232, 4096};
    std::mt19937 pick(7);
    size_t compared = 0;
    for (const std::string& n : names) {
        for (RrType t : types) {
            const auto size = sizes[pick() % sizes.size()];
            Message q = question(n, t, size);
            auto theirs = ask(nsd_port, q);
            auto ours = ask(ours_port_, q);
            ASSERT_TRUE(theirs) << "NSD did not answer " << q.questions[0].to_string();
            ASSERT_TRUE(ours) << "we did not answer " << q.questions[0].to_string();
            const std::string what = fmt::format("{} (EDNS {})", q.questions[0].to_string(),
                                                 size ? std::to_string(*size) : "none");
            EXPECT_EQ(ours->rcode, theirs->rcode) << what;
            EXPECT_EQ(ours->aa, theirs->aa) << what;
            EXPECT_EQ(ours->tc, theirs->tc) << what;
            EXPECT_EQ(ours->qr, theirs->qr) << what;
            EXPECT_EQ(ours->questions, theirs->questions) << what;
            if (t == RrType::any && !ours->answers.empty()) {
                // RFC 8482 lets a server pick which one RRset answers ANY, and
                // NSD's pick follows its memory layout. Ours must be one
                // whole RRset: what NSD gives for that type asked directly.
                const RrType picked = ours->answers.front().type;
                for (const auto& r : ours->answers)
                    EXPECT_EQ(r.type, picked) << what << ": one RRset";
                Message direct = question(n, picked, size);
                auto nsd_direct = ask(nsd_port, direct);
                ASSERT_TRUE(nsd_direct);
                EXPECT_EQ(section(ours->answers), section(nsd_direct->answers)) << what;
                EXPECT_EQ(theirs->answers.empty(), false) << what;
                EXPECT_EQ(section(ours->authority), section(theirs->authority)) << what;
                ++compared;
                continue;
            }
            EXPECT_EQ(section(ours->answers), section(theirs->answers)) << what;
            EXPECT_EQ(section(ours->authority), section(theirs->authority)) << what;
            EXPECT_EQ(section(ours->additional), section(theirs->additional)) << what;
            EXPECT_EQ(ours->edns.has_value(), theirs->edns.has_value()) << what;
            ++compared;
        }
    }
    EXPECT_GE(compared, 200u);
    RecordProperty("queries_compared", static_cast<int>(compared));
}

}  // namespace
