// The directory server of `minternet live --serve http:PORT=DIR`, and the
// echo and chat services, over a simulated wire.
#include "apps/static_site.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "apps/tcp_apps.hpp"
#include "apps/web.hpp"
#include "base/sha256.hpp"
#include "socket/tcp.hpp"
#include "testing/wires.hpp"

namespace {

namespace fs = std::filesystem;
using apps::http::Request;
using apps::http::Response;
using base::Time;
using sockets::Runtime;
using sockets::Task;
using wire::Ipv4Address;
using namespace base::literals;

struct Site : ::testing::Test {
    fs::path root = fs::temp_directory_path() / fmt::format("minternet-site-{}", ::getpid());
    fs::path outside = root.parent_path() / fmt::format("minternet-secret-{}", ::getpid());
    void SetUp() override {
        fs::create_directories(root / "docs");
        fs::create_directories(root / "empty dir");
        std::ofstream(root / "hello.txt") << "Hello!\n";
        std::ofstream(root / "docs" / "index.html") << "<p>docs</p>\n";
        std::ofstream(outside) << "secret\n";
        fs::create_symlink(outside, root / "link-out");
    }
    void TearDown() override {
        fs::remove_all(root);
        fs::remove(outside);
    }
    Response get(const std::string& target, const std::string& method = "GET") {
        Request r;
        r.method = method;
        r.target = target;
        return apps::serve_directory(root, r);
    }
    // The body, read from its source when it has one.
    static std::string body(const Response& r) {
        if (!r.source) return r.body;
        std::string out(r.source->size, '\0');
        EXPECT_EQ(r.source->read(0, std::as_writable_bytes(std::span(out))), out.size());
        return out;
    }
};

TEST_F(Site, ServesFilesIndexesAndListings) {
    const Response hello = get("/hello.txt");
    EXPECT_EQ(hello.status, 200);
    EXPECT_EQ(body(hello), "Hello!\n");
    EXPECT_EQ(*hello.header("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(body(get("/docs/")), "<p>docs</p>\n");
    const Response redirect = get("/docs");
    EXPECT_EQ(redirect.status, 301);
    EXPECT_EQ(*redirect.header("Location"), "/docs/");
    const Response listing = get("/empty%20dir/");
    EXPECT_EQ(listing.status, 200);
    EXPECT_NE(get("/").body.find("<a href=\"hello.txt\">hello.txt</a>"), std::string::npos);
    EXPECT_EQ(get("/hello.txt?x=1").status, 200);
    EXPECT_EQ(get("/nothing").status, 404);
    EXPECT_EQ(get("/hello.txt", "DELETE").status, 405);
}

// Nothing outside the directory can be read, whatever the path says.
TEST_F(Site, PathsThatLeaveTheDirectoryAreNotThere) {
    for (const char* t : {"/../", "/../minternet-secret", "/docs/../../etc/passwd",
                          "/%2e%2e/%2e%2e/etc/passwd", "/link-out"}) {
        EXPECT_EQ(get(t).status, 404) << t;
    }
    EXPECT_EQ(get("/hello%00.txt").status, 400);
    EXPECT_EQ(get("/%zz").status, 400);
    EXPECT_EQ(get("relative").status, 400);
    EXPECT_EQ(apps::percent_decode("/a%20b/%41"), "/a b/A");
    EXPECT_EQ(apps::percent_decode("/a%2"), std::nullopt);
}

TEST_F(Site, PostAnswersWithTheBodysSizeAndSha256) {
    Request r;
    r.method = "POST";
    r.target = "/upload";
    r.body = std::string(100000, 'x');
    const Response res = apps::serve_directory(root, r);
    const std::string sha = base::sha256_hex(base::as_bytes(r.body));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(*res.header("X-Content-SHA256"), sha);
    EXPECT_EQ(res.body, "received 100000 bytes, sha256 " + sha + "\n");
}

struct Net {
    testing_support::Wires w;
    stack::Host& a = w.add("client");
    stack::Host& b = w.add("server");
    Net() { w.join(a, b, 0x0a000000); }
    Runtime client{a};
    Runtime server{b};
    void run(base::Duration d) { w.run(Time::zero(), Time::zero() + d); }
};

std::string text(const base::PacketBuffer& b) {
    return std::string(base::as_chars(b.bytes()));
}

TEST(TcpServices, EchoSendsEveryByteBack) {
    Net n;
    n.server.spawn(apps::tcp_echo(n.server, 7, [](const std::string&) {}));
    std::string got;
    n.client.spawn([](Runtime& rt, std::string* out) -> Task<void> {
        auto s = co_await sockets::TcpStream::connect(rt, {Ipv4Address{10, 0, 0, 2}, 7});
        if (!s) co_return;
        std::string sent(300000, '\0');
        for (size_t i = 0; i < sent.size(); ++i)
            sent[i] = static_cast<char>(i * 7);
        (void)co_await s->send(base::as_bytes(sent));
        (void)s->shutdown();
        while (true) {
            auto b = co_await s->receive(65536);
            if (!b || b->empty()) break;
            *out += text(*b);
        }
        *out = *out == sent ? "equal" : "differ, " + std::to_string(out->size());
    }(n.client, &got));
    n.run(30_s);
    EXPECT_EQ(got, "equal");
}

// Two clients in the room: what one says, the other hears with its name.
TEST(TcpServices, ChatPassesLinesToTheOthers) {
    testing_support::Wires w;
    stack::Host& a = w.add("a");
    stack::Host& b = w.add("b");
    w.join(a, b, 0x0a000000);
    Runtime ra{a}, rb{b};
    rb.spawn(apps::chat_server(rb, 7000, [](const std::string&) {}));
    std::string heard;
    // Two connections from a: one listens, one talks.
    ra.spawn([](Runtime& rt, std::string* out) -> Task<void> {
        auto listener = co_await sockets::TcpStream::connect(rt, {Ipv4Address{10, 0, 0, 2}, 7000});
        if (!listener) co_return;
        auto talker = co_await sockets::TcpStream::connect(rt, {Ipv4Address{10, 0, 0, 2}, 7000});
        if (!talker) co_return;
        (void)co_await talker->send(base::as_bytes("Hello!\n"));
        while (out->find("Hello!") == std::string::npos) {
            auto m = co_await listener->receive(4096);
            if (!m || m->empty()) co_return;
            *out += text(*m);
        }
    }(ra, &heard));
    w.run(Time::zero(), Time::zero() + 10_s);
    EXPECT_NE(heard.find("joined\n"), std::string::npos) << heard;
    EXPECT_NE(heard.find(": Hello!\n"), std::string::npos) << heard;
    EXPECT_NE(heard.find("10.0.0.1:"), std::string::npos) << heard;
}

}  // namespace
