// HTTP/1.1 over the socket API: a server and a client, the "web request" of
// a network's life. The server serves each connection in its own task, with
// keep-alive and pipelined requests; the client fetches one or more paths over
// one connection and reports how long each step took.
//
// Both run unchanged in the simulator and (with a live runtime) on a TAP.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "apps/http.hpp"
#include "apps/output.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "stack/port_table.hpp"

namespace apps {

using HttpHandler = std::function<http::Response(const http::Request&)>;

struct HttpServerOptions {
    uint16_t port = 80;
    std::string label = "web server";   // what its lines call it
    size_t max_body = size_t{1} << 30;  // a larger request body gets 413
};

// Accepts for ever (until its runtime goes), one task per connection.
sockets::Task<void> http_server(sockets::Runtime& rt, HttpServerOptions options,
                                HttpHandler handler, Output output);

// A site to serve without files: `/` is an HTML page of `page_size` bytes,
// `/bytes/N` is N bytes (a download of any size up to 1 GiB), POST anywhere
// answers with the size of what it got; anything else is 404.
http::Response sample_site(const http::Request& request, size_t page_size);

struct HttpGetOptions {
    stack::Endpoint to;
    std::string host;  // the Host header: the name the user gave
    // Look `host` up in DNS first (through the host's nameservers) and
    // connect to the address it gives; `to`'s port is kept.
    bool resolve_host = false;
    std::vector<std::string> paths = {"/"};  // fetched in turn on one connection
    std::string label = "web";
    bool keep_bodies = true;  // false: count body bytes without holding them
    // Take each body's SHA-256 (HttpFetch::sha256) and print it on the
    // response's line, so a transfer can be checked byte for byte.
    bool sha256 = false;
    // When set, every body's bytes go here as they arrive (to a file, into a
    // hash) and are not kept.
    std::function<void(base::ByteSpan)> on_body;
};

struct HttpFetch {
    std::string path;
    int status = 0;
    size_t body_bytes = 0;
    std::string body;         // when kept
    std::string sha256;       // hex, when asked for (HttpGetOptions::sha256)
    base::Duration duration;  // request sent to last byte of the response
};

struct HttpGetResult {
    std::vector<HttpFetch> fetches;
    std::optional<std::string> error;  // what stopped it early, if anything
    base::Duration connect_time;       // the 3-way handshake
    base::Duration total_time;         // connect to close
};

sockets::Task<HttpGetResult> http_get(sockets::Runtime& rt, HttpGetOptions options, Output output);

}  // namespace apps
