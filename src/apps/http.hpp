// HTTP/1.1 messages (RFC 9112) for the programs that speak it.
//
// Writing a message is a few lines of text, so it is done here; reading one is
// where the traps are (chunked bodies, bodies that run to the close, lengths
// that lie, pipelined requests), so `Parser` leaves it to Debian's http-parser
// and only collects what it reports. A parser is bounded: headers by
// http-parser's own limit (80 KiB), bodies by `max_body`.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace apps::http {

struct Header {
    std::string name;
    std::string value;
};

struct Message {
    int version_minor = 1;  // HTTP/1.x
    std::vector<Header> headers;
    std::string body;
    // What the sender asked for (Connection header and version); set by Parser.
    bool keep_alive = true;

    // The first header with this name (names compare case-insensitively).
    const std::string* header(std::string_view name) const;
};

struct Request : Message {
    std::string method = "GET";
    std::string target = "/";
};

// A body too large to hold in memory (a file of 100 MB): its length, and a
// function that copies the bytes at `offset` into `out` and says how many it
// copied (0: the source failed). The server sends it in pieces, as fast as the
// connection takes them.
struct BodySource {
    size_t size = 0;
    std::function<size_t(size_t offset, base::MutableByteSpan out)> read;
};

struct Response : Message {
    int status = 200;
    std::string reason = "OK";
    // When set, the body comes from here and `body` stays empty.
    std::shared_ptr<BodySource> source;
};

// The standard reason phrase for a status code ("Not Found"), or "".
std::string_view reason_phrase(int status);

// The message's bytes. Content-Length is added when the message has a body (or,
// for a request, when its method carries one); a response to HEAD keeps the
// Content-Length of the body it leaves out. A response with a `source` gets
// its Content-Length and only its head: the body follows from the source.
std::string serialize(const Request& r);
std::string serialize(const Response& r, bool answers_head = false);

class Parser {
  public:
    enum class Kind { request, response };

    explicit Parser(Kind kind, size_t max_body = 1 << 30);
    ~Parser();
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    // Reads bytes; complete messages queue up for next_request/next_response.
    // A malformed message is an error naming what and at which byte of the
    // stream; the parser stays failed after it.
    base::Expected<void, std::string> feed(base::ByteSpan data);
    // The stream ended: completes a response whose body runs to the close, and
    // is an error if a message was cut short.
    base::Expected<void, std::string> finish();

    // For a response parser: the next response answers a HEAD, so it has no
    // body whatever its headers say. Call before feeding that response.
    void expect_head_response() { head_pending_ = true; }
    // While set, body bytes go here instead of into the message (a download
    // too large to hold).
    void set_body_sink(std::function<void(base::ByteSpan)> sink) { body_sink_ = std::move(sink); }

    std::optional<Request> next_request();
    std::optional<Response> next_response();
    // A message has begun and not ended.
    bool in_message() const { return in_message_; }
    // Body bytes of the message being read so far (sunk or kept).
    size_t body_bytes() const { return body_bytes_; }
    // The error was a body over `max_body` (a server answers 413).
    bool body_too_large() const { return too_large_; }

  private:
    struct Callbacks;
    struct State;

    Kind kind_;
    size_t max_body_;
    std::unique_ptr<State> state_;
    std::deque<Request> requests_;
    std::deque<Response> responses_;
    Request request_;  // the message being read
    Response response_;
    std::string field_, value_;
    bool in_value_ = false;
    bool in_message_ = false;
    bool head_pending_ = false;
    bool too_large_ = false;
    size_t body_bytes_ = 0;
    size_t offset_ = 0;  // bytes of the stream read so far
    std::optional<std::string> error_;
    std::function<void(base::ByteSpan)> body_sink_;
};

}  // namespace apps::http
