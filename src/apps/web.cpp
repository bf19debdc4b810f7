#include "apps/web.hpp"

#include <charconv>

#include <fmt/format.h>

#include "apps/connect.hpp"
#include "base/sha256.hpp"
#include "socket/tcp.hpp"

namespace apps {
namespace {

constexpr size_t read_size = 64 * 1024;
constexpr size_t max_download = size_t{1} << 30;
// A body from a source goes out in pieces of this size.
constexpr size_t body_piece = 256 * 1024;

std::string endpoint_of(const sockets::TcpStream& s) {
    const tcp::Connection* c = s.connection();
    if (!c) return "?";
    return stack::Endpoint{c->tuple().remote_address, c->tuple().remote_port}.to_string();
}

http::Response error_response(int status, std::string text) {
    http::Response r;
    r.status = status;
    r.reason = std::string(http::reason_phrase(status));
    r.headers = {{"Content-Type", "text/plain"}, {"Connection", "close"}};
    r.body = std::move(text) + "\n";
    return r;
}

sockets::Task<void> serve_connection(sockets::TcpStream s, HttpServerOptions o, HttpHandler handler,
                                     Output output) {
    const std::string peer = endpoint_of(s);
    http::Parser parser(http::Parser::Kind::request, o.max_body);
    bool open = true;
    while (open) {
        auto data = co_await s.receive(read_size);
        if (!data) {
            output(fmt::format("{}: {}: {}", o.label, peer, stack::to_string(data.error())));
            co_return;
        }
        if (data->empty()) {  // the client finished sending
            if (auto done = parser.finish(); !done)
                output(fmt::format("{}: {}: {}", o.label, peer, done.error()));
            break;
        }
        if (auto ok = parser.feed(data->bytes()); !ok) {
            output(fmt::format("{}: {}: {}", o.label, peer, ok.error()));
            const int status = parser.body_too_large() ? 413 : 400;
            (void)co_await s.send(
                base::as_bytes(http::serialize(error_response(status, ok.error()))));
            break;
        }
        while (auto request = parser.next_request()) {
            http::Response response = handler(*request);
            if (response.reason.empty()) response.reason = http::reason_phrase(response.status);
            if (!request->keep_alive) {
                response.headers.push_back({"Connection", "close"});
                open = false;
            }
            output(fmt::format("{}: {} {} from {}: {} {}, {} bytes", o.label, request->method,
                               request->target, peer, response.status, response.reason,
                               response.source ? response.source->size : response.body.size()));
            const bool head = request->method == "HEAD";
            const std::string bytes = http::serialize(response, head);
            if (auto sent = co_await s.send(base::as_bytes(bytes)); !sent) co_return;
            if (response.source && !head) {
                const http::BodySource& src = *response.source;
                std::vector<std::byte> piece(std::min(src.size, body_piece));
                for (size_t at = 0; at < src.size;) {
                    const size_t n = src.read(at, base::MutableByteSpan(piece).first(
                                                      std::min(piece.size(), src.size - at)));
                    if (n == 0) {
                        // The file went away mid-body: the length promised
                        // cannot be kept, so the connection must end.
                        output(fmt::format("{}: {} {}: body source failed at byte {}", o.label,
                                           request->method, request->target, at));
                        s.abort();
                        co_return;
                    }
                    if (auto sent = co_await s.send(base::ByteSpan(piece).first(n)); !sent)
                        co_return;
                    at += n;
                }
            }
            if (!open) break;
        }
    }
    (void)co_await s.close();
}

}  // namespace

sockets::Task<void> http_server(sockets::Runtime& rt, HttpServerOptions o, HttpHandler handler,
                                Output output) {
    auto listener = sockets::TcpListener::listen_any(rt, o.port);
    if (!listener) {
        output(fmt::format("{}: cannot listen on port {}: {}", o.label, o.port,
                           stack::to_string(listener.error())));
        co_return;
    }
    output(fmt::format("{}: listening on port {}", o.label, o.port));
    while (true) {
        auto s = co_await listener->accept();
        if (!s) continue;
        rt.spawn(serve_connection(std::move(*s), o, handler, output));
    }
}

http::Response sample_site(const http::Request& request, size_t page_size) {
    http::Response r;
    const std::string_view target = request.target;
    if (request.method == "POST") {
        // What arrived, and its SHA-256 (as the live path's file server says
        // it): a client can check every byte of an upload.
        const std::string digest = base::sha256_hex(base::as_bytes(request.body));
        r.headers = {{"Content-Type", "text/plain"}, {"X-Content-SHA256", digest}};
        r.body = fmt::format("received {} bytes, sha256 {}\n", request.body.size(), digest);
        return r;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        r = error_response(405, "only GET, HEAD and POST");
        r.headers = {{"Allow", "GET, HEAD, POST"}, {"Content-Type", "text/plain"}};
        return r;
    }
    if (target == "/") {
        const std::string head =
            "<!doctype html>\n<html><head><title>minternet</title></head><body>\n"
            "<p>Hello! This page came to you in TCP segments, inside IP packets, inside "
            "Ethernet frames.</p>\n";
        const std::string tail = "</body></html>\n";
        r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
        r.body = head;
        // Filler, so the page has the size asked for (and takes several segments).
        for (size_t i = 0; r.body.size() + tail.size() < page_size; ++i)
            r.body += static_cast<char>('a' + i % 26);
        r.body += tail;
        return r;
    }
    if (target.starts_with("/bytes/")) {
        const std::string_view digits = target.substr(7);
        size_t n = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (ec == std::errc{} && end == digits.data() + digits.size() && n <= max_download) {
            // Made as it is sent: a gigabyte is never held in memory.
            r.headers = {{"Content-Type", "application/octet-stream"}};
            r.source = std::make_shared<http::BodySource>(
                http::BodySource{.size = n, .read = [](size_t offset, base::MutableByteSpan out) {
                                     for (size_t i = 0; i < out.size(); ++i)
                                         out[i] = static_cast<std::byte>('a' + (offset + i) % 26);
                                     return out.size();
                                 }});
            return r;
        }
        return error_response(400, "/bytes/N takes a number of bytes up to 1 GiB");
    }
    return error_response(404, fmt::format("{} is not here", target));
}

sockets::Task<HttpGetResult> http_get(sockets::Runtime& rt, HttpGetOptions o, Output output) {
    HttpGetResult result;
    const base::Time start = rt.now();
    // A name through DNS and Happy Eyeballs, else the address given.
    // Named, not a temporary in the co_await: GCC 12 (socket/task.hpp).
    std::string host = o.resolve_host ? o.host : o.to.address.to_string();
    auto connected = co_await connect_to(rt, std::move(host), o.to.port, o.label, output);
    if (!connected) {
        result.error = connected.error();
        output(fmt::format("{}: {}", o.label, *result.error));
        result.total_time = rt.now() - start;
        co_return result;
    }
    o.to = connected->remote;
    const std::string to = o.to.to_string();
    sockets::TcpStream& s = connected->stream;
    result.connect_time = connected->handshake;
    output(fmt::format("{}: connected to {} ({}) in {}", o.label, o.host, to,
                       in_ms(result.connect_time)));
    http::Parser parser(http::Parser::Kind::response, max_download);
    size_t sunk = 0;
    std::optional<base::Sha256> digest;  // the body being received, when asked for
    if (o.on_body) o.keep_bodies = false;
    if (!o.keep_bodies) {
        parser.set_body_sink([&sunk, &digest, &o](base::ByteSpan b) {
            sunk += b.size();
            if (digest) digest->add(b);
            if (o.on_body) o.on_body(b);
        });
    }
    for (size_t i = 0; i < o.paths.size() && !result.error; ++i) {
        http::Request request;
        request.target = o.paths[i];
        request.headers = {{"Host", o.host}, {"User-Agent", "minternet"}};
        const bool last = i + 1 == o.paths.size();
        if (last) request.headers.push_back({"Connection", "close"});
        const base::Time sent_at = rt.now();
        sunk = 0;
        if (o.sha256) digest.emplace();
        if (auto sent = co_await s.send(base::as_bytes(http::serialize(request))); !sent) {
            result.error = fmt::format("sending the request: {}", stack::to_string(sent.error()));
            break;
        }
        std::optional<http::Response> response;
        while (!response && !result.error) {
            auto data = co_await s.receive(read_size);
            if (!data) {
                result.error = fmt::format("receiving: {}", stack::to_string(data.error()));
            } else if (data->empty()) {
                if (auto done = parser.finish(); !done) result.error = done.error();
                response = parser.next_response();
                if (!response && !result.error)
                    result.error = "the server closed the connection without answering";
                break;
            } else if (auto ok = parser.feed(data->bytes()); !ok) {
                result.error = ok.error();
            } else {
                response = parser.next_response();
            }
        }
        if (!response) break;
        HttpFetch f{.path = o.paths[i],
                    .status = response->status,
                    .body_bytes = o.keep_bodies ? response->body.size() : sunk,
                    .body = std::move(response->body),
                    .duration = rt.now() - sent_at};
        if (digest) {
            if (o.keep_bodies) digest->add(base::as_bytes(f.body));
            f.sha256 = digest->hex();
        }
        output(fmt::format("{}: GET {} -> {} {}, {} bytes in {}{}", o.label, f.path, f.status,
                           response->reason, f.body_bytes, in_ms(f.duration),
                           f.sha256.empty() ? "" : ", sha256 " + f.sha256));
        result.fetches.push_back(std::move(f));
        if (!response->keep_alive && !last) result.error = "the server closed the connection";
    }
    if (result.error) output(fmt::format("{}: {}", o.label, *result.error));
    (void)co_await s.close();
    result.total_time = rt.now() - start;
    co_return result;
}

}  // namespace apps
