// `minternet dns recursor` on loopback, resolving through three
// `minternet dns serve` processes (root on 127.0.0.1, shop. on 127.0.0.2,
// kiminje.shop. on 127.0.0.3), asked with dig. A fourth server, in this test
// process, answers for spoof.shop. (127.0.0.4) and forges replies first.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "dns/wire/message.hpp"
#include "process.hpp"

namespace {

const std::string data = std::string(MINTERNET_DATA) + "/dns/recursion/";

int bind_udp(const char* address, uint16_t port) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    inet_pton(AF_INET, address, &sa.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool free_on_ipv6_loopback(uint16_t port) {
    const int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    sa.sin6_addr = in6addr_loopback;
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    close(fd);
    return ok;
}

// A port free on 127.0.0.1–4 and 127.0.0.10 at once.
uint16_t free_port_everywhere() {
    for (uint16_t port = 20000 + static_cast<uint16_t>(getpid() % 20000);; port += 7) {
        bool ok = true;
        for (const char* a : {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.10"}) {
            const int fd = bind_udp(a, port);
            if (fd < 0)
                ok = false;
            else
                close(fd);
        }
        if (ok) return port;
    }
}

// The server for spoof.shop.: to each query it first sends a reply with the
// wrong ID (a forger's guess) and one from another port (a forger who got
// the ID but not the port), each saying 6.6.6.6; then the true answer.
class Spoofer {
  public:
    explicit Spoofer(uint16_t port) : fd_(bind_udp("127.0.0.4", port)) {
        other_ = bind_udp("127.0.0.4", 0);
        thread_ = std::thread([this] { serve(); });
    }
    ~Spoofer() {
        stop_ = true;
        thread_.join();
        close(fd_);
        close(other_);
    }
    bool ok() const { return fd_ >= 0 && other_ >= 0; }
    std::atomic<int> forged{0};

  private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 100) != 1) continue;
            std::vector<std::byte> buf(2048);
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const ssize_t n =
                recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
            if (n <= 0) continue;
            buf.resize(static_cast<size_t>(n));
            auto q = dns::parse_message(buf);
            if (!q || q->questions.empty()) continue;
            dns::Message r;
            r.id = q->id;
            r.qr = r.aa = true;
            r.questions = q->questions;
            r.answers.push_back({q->questions[0].name, dns::RrType::a, dns::RrClass::in, 60,
                                 dns::rdata::A{wire::Ipv4Address{6, 6, 6, 6}}});
            auto send_from = [&](int fd, const dns::Message& m) {
                const auto bytes = dns::emit_message(m);
                sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&from),
                       sizeof from);
            };
            dns::Message wrong_id = r;
            wrong_id.id = static_cast<uint16_t>(q->id + 1);
            send_from(fd_, wrong_id);
            send_from(other_, r);  // the right ID, the wrong port
            forged += 2;
            usleep(20'000);
            r.answers[0].data = dns::rdata::A{wire::Ipv4Address{192, 0, 2, 1}};
            send_from(fd_, r);
        }
    }
    int fd_;
    int other_ = -1;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

std::vector<std::string> answer_lines(const std::string& dig_output) {
    std::vector<std::string> out;
    std::istringstream in(dig_output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == ';') continue;
        std::string squeezed;
        bool space = false;
        for (char c : line) {
            if (c == ' ' || c == '\t') {
                space = !squeezed.empty();
                continue;
            }
            if (space) squeezed += ' ';
            space = false;
            squeezed += c;
        }
        out.push_back(squeezed);
    }
    return out;
}

TEST(Recursor, ResolvesThroughRootTldAndZoneProcessesCachesAndExpires) {
    const uint16_t port = free_port_everywhere();
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("minternet-recursor-{}", getpid());
    std::filesystem::create_directories(dir);
    auto serve = [&](const char* address, const char* zone) {
        return std::make_unique<interop::Process>(
            std::vector<std::string>{MINTERNET_BINARY, "dns", "serve", "--zone", data + zone,
                                     "--listen", fmt::format("{}:{}", address, port)},
            dir / (std::string(zone) + ".log"));
    };
    auto root = serve("127.0.0.1", "root.zone");
    auto tld = serve("127.0.0.2", "shop.zone");
    auto auth = serve("127.0.0.3", "kiminje.shop.zone");
    Spoofer spoofer(port);
    ASSERT_TRUE(spoofer.ok());
    interop::Process recursor(
        {MINTERNET_BINARY, "dns", "recursor", "--root-hints", data + "root.hints", "--listen",
         fmt::format("127.0.0.10:{}", port), "--upstream-port", std::to_string(port)},
        dir / "recursor.log");
    auto dig = [&](const std::string& q) {
        return interop::run(fmt::format(
            "dig +noall +answer +comments +time=2 +tries=3 -p {} @127.0.0.10 {} 2>&1", port, q));
    };
    // Wait until everything answers.
    std::string first;
    for (int i = 0; i < 50; ++i) {
        first = dig("kiminje.shop A");
        if (first.find("200.200.200.2") != std::string::npos) break;
        usleep(100'000);
    }
    EXPECT_EQ(answer_lines(first), std::vector<std::string>{"kiminje.shop. 2 IN A 200.200.200.2"})
        << first;
    EXPECT_NE(first.find("flags: qr rd ra;"), std::string::npos) << "a recursive answer";
    const std::string www = dig("www.kiminje.shop A");
    EXPECT_EQ(answer_lines(www),
              (std::vector<std::string>{"www.kiminje.shop. 2 IN CNAME kiminje.shop.",
                                        "kiminje.shop. 2 IN A 200.200.200.2"}))
        << www;
    const std::string nx = dig("nothing.kiminje.shop A");
    EXPECT_NE(nx.find("status: NXDOMAIN"), std::string::npos) << nx;

    // The forged replies lose; the true one wins.
    const std::string spoofed = dig("host.spoof.shop A");
    EXPECT_EQ(answer_lines(spoofed), std::vector<std::string>{"host.spoof.shop. 60 IN A 192.0.2.1"})
        << spoofed;
    EXPECT_GE(spoofer.forged, 2);

    // Cached, then expired: the kiminje.shop. server gone, the answer stays
    // for its TTL (2 s) and then cannot be had.
    auth.reset();
    const std::string cached = dig("kiminje.shop A");
    EXPECT_NE(cached.find("200.200.200.2"), std::string::npos) << "from the cache: " << cached;
    usleep(3'000'000);
    const std::string expired = dig("kiminje.shop A");
    EXPECT_NE(expired.find("status: SERVFAIL"), std::string::npos) << expired;

    EXPECT_EQ(recursor.stop(), 0) << recursor.output();
    const std::string log = recursor.output();
    EXPECT_NE(log.find("mismatched replies ignored"), std::string::npos) << log;
    EXPECT_EQ(log.find(" 0 mismatched"), std::string::npos)
        << "the wrong-ID forgery was seen and ignored: " << log;
    std::filesystem::remove_all(dir);
}

// Issue 19, 12: a root server with an IPv6 address only (an AAAA root
// hint, `dns serve` on [::1]), the TLD and zone servers on IPv4 loopback,
// and the recursor itself listening on [::1], asked with dig -6 and with
// `minternet dns query`.
TEST(Recursor, AsksAnIpv6OnlyRootAndAnswersOverIpv6) {
    uint16_t port = free_port_everywhere();
    while (!free_on_ipv6_loopback(port) || !free_on_ipv6_loopback(port + 1))
        port = static_cast<uint16_t>(port + 11);
    const uint16_t recursor_port = port + 1;
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("minternet-recursor6-{}", getpid());
    std::filesystem::create_directories(dir);
    auto serve = [&](const std::string& where, const char* zone) {
        return std::make_unique<interop::Process>(
            std::vector<std::string>{MINTERNET_BINARY, "dns", "serve", "--zone", data + zone,
                                     "--listen", where},
            dir / (std::string(zone) + ".log"));
    };
    auto root = serve(fmt::format("[::1]:{}", port), "root.zone");
    auto tld = serve(fmt::format("127.0.0.2:{}", port), "shop.zone");
    auto auth = serve(fmt::format("127.0.0.3:{}", port), "kiminje.shop.zone");
    interop::Process recursor(
        {MINTERNET_BINARY, "dns", "recursor", "--root-hints", data + "root6.hints", "--listen",
         fmt::format("[::1]:{}", recursor_port), "--upstream-port", std::to_string(port)},
        dir / "recursor.log");
    std::string first;
    for (int i = 0; i < 50; ++i) {
        first = interop::run(fmt::format(
            "dig -6 +noall +answer +comments +time=2 +tries=3 -p {} @::1 kiminje.shop A 2>&1",
            recursor_port));
        if (first.find("200.200.200.2") != std::string::npos) break;
        usleep(100'000);
    }
    EXPECT_EQ(answer_lines(first), std::vector<std::string>{"kiminje.shop. 2 IN A 200.200.200.2"})
        << first;
    // Our own client over IPv6, to the root server directly: its referral.
    const std::string referral = interop::run(fmt::format(
        "{} dns query kiminje.shop A --server '[::1]:{}' 2>&1", MINTERNET_BINARY, port));
    EXPECT_NE(referral.find("ns1.shop."), std::string::npos) << referral;
    EXPECT_EQ(recursor.stop(), 0) << recursor.output();
    std::filesystem::remove_all(dir);
}

}  // namespace
