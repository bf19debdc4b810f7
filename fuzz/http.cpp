// Fuzzes the HTTP message reader (apps::http::Parser over http-parser).
//
// The first byte picks requests or responses and how the stream is cut into
// pieces (TCP hands bytes over in arbitrary pieces). Invariants: nothing
// crashes; an error says what and where; a request read is written back by
// serialize() and read again to the same method, target and body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "apps/http.hpp"
#include "check.hpp"

using apps::http::Parser;
using fuzz::require;

namespace {

bool says_what_and_where(const std::string& e) {
    return e.starts_with("malformed HTTP ") || e.starts_with("HTTP upgrade at byte") ||
           e.starts_with("HTTP request cut short") || e.starts_with("HTTP response cut short");
}

bool is_framing(const apps::http::Header& h) {
    std::string n = h.name;
    for (char& c : n)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    // http-parser 2.9 takes any name that begins "transfer-encoding" for it
    // (and then refuses a Content-Length beside it), so those go too.
    return n == "content-length" || n.starts_with("transfer-encoding") || n == "connection" ||
           n == "upgrade";
}

// Written back without its framing headers (serialize adds its own length).
void round_trip(apps::http::Request r) {
    std::erase_if(r.headers, is_framing);
    Parser again(Parser::Kind::request);
    const std::string text = apps::http::serialize(r);
    auto ok = again.feed(base::as_bytes(text));
    if (!ok) std::fprintf(stderr, "%s\n", ok.error().c_str());
    require(ok.has_value(), "a request written back reads back");
    auto back = again.next_request();
    require(back.has_value(), "a request written back is read back whole");
    require(back->method == r.method, "round trip keeps the method");
    require(back->target == r.target, "round trip keeps the target");
    require(back->body == r.body, "round trip keeps the body");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1 || size > 64 * 1024) return 0;
    const bool requests = (data[0] & 1) != 0;
    const size_t piece = 1 + (data[0] >> 1);  // 1 to 128 bytes at a time
    const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
    Parser p(requests ? Parser::Kind::request : Parser::Kind::response, 1 << 20);
    bool failed = false;
    for (size_t at = 0; at < stream.size() && !failed; at += piece) {
        auto ok = p.feed(base::as_bytes(stream.substr(at, piece)));
        if (!ok) {
            require(says_what_and_where(ok.error()), "a feed error says what and where");
            failed = true;
        }
    }
    if (!failed) {
        auto end = p.finish();
        if (!end) require(says_what_and_where(end.error()), "a finish error says what and where");
    }
    while (auto r = p.next_request())
        round_trip(std::move(*r));
    while (auto r = p.next_response())
        require(r->status >= 100 && r->status <= 999, "a status has three digits");
    return 0;
}
