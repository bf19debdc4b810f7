#include "apps/web.hpp"

#include <gtest/gtest.h>

#include "base/sha256.hpp"
#include "socket/tcp.hpp"
#include "testing/wires.hpp"

namespace {

using base::Duration;
using base::Time;
using sockets::Runtime;
using sockets::Task;
using wire::Ipv4Address;
using namespace base::literals;

const Ipv4Address server_addr{10, 0, 0, 2};

struct Net {
    testing_support::Wires w;
    stack::Host& a = w.add("client");
    stack::Host& b = w.add("server");
    Net() { w.join(a, b, 0x0a000000); }
    Runtime client{a};
    Runtime server{b};
    std::vector<std::string> server_lines, client_lines;
    void run(Duration d) { w.run(Time::zero(), Time::zero() + d); }
    void serve() {
        server.spawn(apps::http_server(
            server, {.port = 80},
            [](const apps::http::Request& r) { return apps::sample_site(r, 3000); },
            [this](const std::string& l) { server_lines.push_back(l); }));
    }
};

TEST(Web, GetsSeveralPathsOverOneConnection) {
    Net n;
    n.serve();
    apps::HttpGetResult result;
    apps::HttpGetOptions get{.to = {server_addr, 80}, .host = "server"};
    get.paths = {"/", "/bytes/100000", "/nope"};
    n.client.spawn(
        [](Runtime& rt, apps::HttpGetOptions o, Net* net, apps::HttpGetResult* out) -> Task<void> {
            *out = co_await apps::http_get(
                rt, o, [net](const std::string& l) { net->client_lines.push_back(l); });
        }(n.client, get, &n, &result));
    n.run(10_s);
    ASSERT_FALSE(result.error) << *result.error;
    ASSERT_EQ(result.fetches.size(), 3u);
    EXPECT_EQ(result.fetches[0].status, 200);
    EXPECT_EQ(result.fetches[0].body.size(), 3000u);
    EXPECT_TRUE(result.fetches[0].body.starts_with("<!doctype html>"));
    EXPECT_EQ(result.fetches[1].status, 200);
    ASSERT_EQ(result.fetches[1].body.size(), 100000u);
    EXPECT_EQ(result.fetches[1].body[99999], static_cast<char>('a' + 99999 % 26));
    EXPECT_EQ(result.fetches[2].status, 404);
    EXPECT_EQ(n.b.stats().packets_delivered > 0, true);
    EXPECT_EQ(n.server.tcp().stats().connections_opened, 1u) << "one connection, kept alive";
    ASSERT_GE(n.server_lines.size(), 4u);
    EXPECT_EQ(n.server_lines[0], "web server: listening on port 80");
    EXPECT_NE(n.server_lines[1].find("GET / from 10.0.0.1:"), std::string::npos)
        << n.server_lines[1];
    n.run(200_s);  // TIME-WAIT passes: nothing left on either side
    EXPECT_EQ(n.client.tcp().connections(), 0u);
    EXPECT_EQ(n.server.tcp().connections(), 0u);
}

// With sha256 asked for, each body's digest is kept and printed, whether the
// body is kept or only counted as it streams past.
TEST(Web, TakesEachBodysSha256WhenAsked) {
    std::string expected_body(100000, ' ');
    for (size_t i = 0; i < expected_body.size(); ++i)
        expected_body[i] = static_cast<char>('a' + i % 26);
    const std::string expected = base::sha256_hex(base::as_bytes(expected_body));
    for (const bool keep : {true, false}) {
        Net n;
        n.serve();
        apps::HttpGetResult result;
        apps::HttpGetOptions get{.to = {server_addr, 80}, .host = "server"};
        get.paths = {"/bytes/100000", "/bytes/0"};
        get.keep_bodies = keep;
        get.sha256 = true;
        n.client.spawn([](Runtime& rt, apps::HttpGetOptions o, Net* net,
                          apps::HttpGetResult* out) -> Task<void> {
            *out = co_await apps::http_get(
                rt, o, [net](const std::string& l) { net->client_lines.push_back(l); });
        }(n.client, get, &n, &result));
        n.run(10_s);
        ASSERT_FALSE(result.error) << *result.error;
        ASSERT_EQ(result.fetches.size(), 2u);
        EXPECT_EQ(result.fetches[0].body_bytes, 100000u);
        EXPECT_EQ(result.fetches[0].sha256, expected) << "keep_bodies " << keep;
        EXPECT_EQ(result.fetches[1].sha256, base::sha256_hex({})) << "a fresh digest per body";
        const auto line = std::find_if(
            n.client_lines.begin(), n.client_lines.end(),
            [](const std::string& l) { return l.starts_with("web: GET /bytes/100000 -> 200"); });
        ASSERT_NE(line, n.client_lines.end());
        EXPECT_TRUE(line->ends_with(", sha256 " + expected)) << *line;
    }
}

// Without it, no digest is taken and the lines are as before.
TEST(Web, NoSha256UnlessAsked) {
    Net n;
    n.serve();
    apps::HttpGetResult result;
    const apps::HttpGetOptions get{.to = {server_addr, 80}, .host = "server"};
    n.client.spawn(
        [](Runtime& rt, apps::HttpGetOptions o, Net* net, apps::HttpGetResult* out) -> Task<void> {
            *out = co_await apps::http_get(
                rt, o, [net](const std::string& l) { net->client_lines.push_back(l); });
        }(n.client, get, &n, &result));
    n.run(10_s);
    ASSERT_EQ(result.fetches.size(), 1u);
    EXPECT_TRUE(result.fetches[0].sha256.empty());
    for (const std::string& l : n.client_lines)
        EXPECT_EQ(l.find("sha256"), std::string::npos) << l;
}

TEST(Web, NoServerMeansConnectionRefused) {
    Net n;
    apps::HttpGetResult result;
    // (Options made outside the coroutine: g++ 12 cannot build this aggregate,
    // with its vector's default, inside one.)
    const apps::HttpGetOptions get{.to = {server_addr, 80}, .host = "server"};
    n.client.spawn([](Runtime& rt, apps::HttpGetOptions o, apps::HttpGetResult* out) -> Task<void> {
        *out = co_await apps::http_get(rt, o, [](const std::string&) {});
    }(n.client, get, &result));
    n.run(5_s);
    ASSERT_TRUE(result.error);
    EXPECT_EQ(*result.error, "cannot connect to 10.0.0.2:80: connection refused");
}

// Garbage instead of a request: the server answers 400 and closes, and its
// line says what was wrong.
TEST(Web, AMalformedRequestGets400) {
    Net n;
    n.serve();
    std::string reply;
    n.client.spawn([](Runtime& rt, std::string* out) -> Task<void> {
        auto s = co_await sockets::TcpStream::connect(rt, {server_addr, 80});
        if (!s) co_return;
        (void)co_await s->send(base::as_bytes("HELLO THERE\r\n\r\n"));
        while (true) {
            auto b = co_await s->receive(4096);
            if (!b || b->empty()) break;
            *out += std::string(base::as_chars(b->bytes()));
        }
        (void)co_await s->close();
    }(n.client, &reply));
    n.run(10_s);
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 Bad Request\r\n")) << reply;
    ASSERT_GE(n.server_lines.size(), 2u);
    EXPECT_NE(n.server_lines[1].find("malformed HTTP request at byte"), std::string::npos)
        << n.server_lines[1];
}

// The sample site answers a POST with the body's size and SHA-256.
TEST(Web, SampleSiteAnswersAPostWithItsSha256) {
    apps::http::Request post;
    post.method = "POST";
    post.target = "/upload";
    post.body = "abc";
    const apps::http::Response r = apps::sample_site(post, 3000);
    EXPECT_EQ(r.status, 200);
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    EXPECT_EQ(r.body, "received 3 bytes, sha256 " + abc + "\n");
    bool header = false;
    for (const auto& [name, value] : r.headers)
        header = header || (name == "X-Content-SHA256" && value == abc);
    EXPECT_TRUE(header);
}

}  // namespace
