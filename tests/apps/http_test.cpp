#include "apps/http.hpp"

#include <gtest/gtest.h>

namespace {

using apps::http::Parser;
using apps::http::Request;
using apps::http::Response;

base::ByteSpan bytes(std::string_view s) {
    return base::as_bytes(s);
}

TEST(HttpParser, ReadsARequestWithHeaders) {
    Parser p(Parser::Kind::request);
    ASSERT_TRUE(
        p.feed(bytes("GET /index.html HTTP/1.1\r\nHost: kiminje.shop\r\n"
                     "User-Agent: test\r\n\r\n")));
    auto r = p.next_request();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->method, "GET");
    EXPECT_EQ(r->target, "/index.html");
    EXPECT_EQ(r->version_minor, 1);
    ASSERT_TRUE(r->header("host"));
    EXPECT_EQ(*r->header("HOST"), "kiminje.shop");
    EXPECT_TRUE(r->keep_alive) << "HTTP/1.1 keeps the connection by default";
    EXPECT_FALSE(p.next_request());
}

// Bytes arrive as TCP hands them over: one at a time must work too.
TEST(HttpParser, ReadsPipelinedRequestsSplitAnywhere) {
    const std::string two =
        "POST /up HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        "GET /next HTTP/1.0\r\n\r\n";
    Parser p(Parser::Kind::request);
    for (char c : two)
        ASSERT_TRUE(p.feed(bytes(std::string_view(&c, 1))));
    auto a = p.next_request();
    auto b = p.next_request();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->method, "POST");
    EXPECT_EQ(a->body, "hello");
    EXPECT_EQ(b->target, "/next");
    EXPECT_FALSE(b->keep_alive) << "HTTP/1.0 closes by default";
}

TEST(HttpParser, DecodesAChunkedBody) {
    Parser p(Parser::Kind::response);
    ASSERT_TRUE(
        p.feed(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nHello\r\n1\r\n!\r\n0\r\n\r\n")));
    auto r = p.next_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->reason, "OK");
    EXPECT_EQ(r->body, "Hello!");
}

TEST(HttpParser, ABodyThatRunsToTheCloseEndsAtFinish) {
    Parser p(Parser::Kind::response);
    ASSERT_TRUE(p.feed(bytes("HTTP/1.0 200 OK\r\n\r\nall of it")));
    EXPECT_FALSE(p.next_response()) << "no length: the body runs until the close";
    ASSERT_TRUE(p.finish());
    auto r = p.next_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "all of it");
}

TEST(HttpParser, AResponseToHeadHasNoBodyWhateverItsLength) {
    Parser p(Parser::Kind::response);
    p.expect_head_response();
    ASSERT_TRUE(
        p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                     "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")));
    auto head = p.next_response();
    auto next = p.next_response();
    ASSERT_TRUE(head && next);
    EXPECT_TRUE(head->body.empty());
    EXPECT_EQ(next->status, 404);
    EXPECT_EQ(next->body, "no");
}

TEST(HttpParser, MalformedInputIsAnErrorNamingTheByte) {
    Parser p(Parser::Kind::request);
    auto r = p.feed(bytes("GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("malformed HTTP request at byte"), std::string::npos) << r.error();
    EXPECT_FALSE(p.feed(bytes("GET / HTTP/1.1\r\n\r\n"))) << "stays failed";
}

// Found by fuzzing: http-parser itself takes "HTTP/2.1 00".
TEST(HttpParser, OnlyHttp1WithThreeDigitStatusCodes) {
    Parser two(Parser::Kind::response);
    auto e = two.feed(bytes("HTTP/2.1 200 OK\r\n\r\n"));
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().find("HTTP/2.1 is not HTTP/1.x"), std::string::npos) << e.error();
    Parser short_status(Parser::Kind::response);
    e = short_status.feed(bytes("HTTP/1.1 00 O\r\n\r\n"));
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().find("status 0 is not a three-digit code"), std::string::npos) << e.error();
}

// Found by fuzzing: "Transfer-Encoding :" was taken as a header named
// "Transfer-Encoding " and yet made the body chunked.
TEST(HttpParser, HeaderNamesMustBeTokens) {
    Parser p(Parser::Kind::request);
    auto e = p.feed(bytes("POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"));
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().find("header name 'Transfer-Encoding ' is not a token"), std::string::npos)
        << e.error();
}

TEST(HttpParser, ACutShortMessageIsAnErrorAtFinish) {
    Parser p(Parser::Kind::response);
    ASSERT_TRUE(p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")));
    auto r = p.finish();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("cut short"), std::string::npos) << r.error();
}

TEST(HttpParser, BodiesOverTheLimitAreRefused) {
    Parser declared(Parser::Kind::request, 100);
    EXPECT_FALSE(declared.feed(bytes("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n")));
    EXPECT_TRUE(declared.body_too_large());
    Parser chunked(Parser::Kind::request, 4);
    EXPECT_FALSE(
        chunked.feed(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")));
    EXPECT_TRUE(chunked.body_too_large());
}

TEST(HttpParser, ABodySinkTakesTheBodyInstead) {
    Parser p(Parser::Kind::response);
    size_t got = 0;
    p.set_body_sink([&](base::ByteSpan b) { got += b.size(); });
    ASSERT_TRUE(p.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nHello!")));
    auto r = p.next_response();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->body.empty());
    EXPECT_EQ(got, 6u);
}

TEST(HttpSerialize, RequestAndResponseReadBackThroughTheParser) {
    Request q;
    q.method = "POST";
    q.target = "/upload";
    q.headers = {{"Host", "example"}};
    q.body = "data";
    EXPECT_EQ(apps::http::serialize(q),
              "POST /upload HTTP/1.1\r\nHost: example\r\nContent-Length: 4\r\n\r\ndata");
    Response a;
    a.body = "OK";
    const std::string text = apps::http::serialize(a);
    EXPECT_EQ(text, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
    Parser p(Parser::Kind::response);
    ASSERT_TRUE(p.feed(bytes(text)));
    EXPECT_EQ(p.next_response()->body, "OK");
}

TEST(HttpSerialize, HeadKeepsTheLengthAndDropsTheBody) {
    Response a;
    a.body = "12345";
    EXPECT_EQ(apps::http::serialize(a, /*answers_head=*/true),
              "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
    Response none;
    none.status = 204;
    none.reason = "No Content";
    EXPECT_EQ(apps::http::serialize(none), "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(HttpSerialize, ReasonPhrases) {
    EXPECT_EQ(apps::http::reason_phrase(404), "Not Found");
    EXPECT_EQ(apps::http::reason_phrase(413), "Payload Too Large");
    EXPECT_EQ(apps::http::reason_phrase(799), "");
}

}  // namespace
