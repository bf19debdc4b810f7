#include "apps/http.hpp"

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include <fmt/format.h>

namespace apps::http {
namespace {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// RFC 9110 §5.6.2: tchar.
bool is_token(std::string_view s) {
    constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != extra.npos;
    });
}

bool has_header(const Message& m, std::string_view name) {
    return m.header(name) != nullptr;
}

void write_headers(std::string& out, const Message& m, size_t content_length, bool with_length) {
    for (const Header& h : m.headers)
        out += fmt::format("{}: {}\r\n", h.name, h.value);
    if (with_length && !has_header(m, "Content-Length") && !has_header(m, "Transfer-Encoding"))
        out += fmt::format("Content-Length: {}\r\n", content_length);
    out += "\r\n";
}

}  // namespace

const std::string* Message::header(std::string_view name) const {
    for (const Header& h : headers) {
        if (same_name(h.name, name)) return &h.value;
    }
    return nullptr;
}

std::string_view reason_phrase(int status) {
    if (status < 100 || status > 599) return "";
    const std::string_view s = http_status_str(static_cast<http_status>(status));
    return s == "<unknown>" ? "" : s;
}

std::string serialize(const Request& r) {
    std::string out = fmt::format("{} {} HTTP/1.{}\r\n", r.method, r.target, r.version_minor);
    const bool carries_body = !r.body.empty() || r.method == "POST" || r.method == "PUT";
    write_headers(out, r, r.body.size(), carries_body);
    out += r.body;
    return out;
}

std::string serialize(const Response& r, bool answers_head) {
    std::string out = fmt::format("HTTP/1.{} {} {}\r\n", r.version_minor, r.status, r.reason);
    // 1xx, 204 and 304 never have a body (RFC 9112 §6.3).
    const bool bodiless = r.status < 200 || r.status == 204 || r.status == 304;
    write_headers(out, r, r.source ? r.source->size : r.body.size(), !bodiless);
    if (!answers_head && !bodiless && !r.source) out += r.body;
    return out;
}

// ---- Parser ------------------------------------------------------------------

struct Parser::State {
    http_parser parser{};
    http_parser_settings settings{};
};

// http-parser's callbacks, each finding its Parser through parser->data.
struct Parser::Callbacks {
    static Parser& self(http_parser* p) { return *static_cast<Parser*>(p->data); }
    static Message& message(Parser& s) {
        return s.kind_ == Kind::request ? static_cast<Message&>(s.request_)
                                        : static_cast<Message&>(s.response_);
    }
    // Ends the header being read. Its name must be a token (RFC 9110 §5.1):
    // http-parser lets "Transfer-Encoding :" through, and a name that one
    // reader takes for a framing header and another does not is how requests
    // are smuggled (RFC 9112 §5.1 says to reject it).
    static bool flush_header(Parser& s) {
        if (s.field_.empty() && !s.in_value_) return true;
        if (!is_token(s.field_)) {
            s.error_ = fmt::format("header name '{}' is not a token", s.field_);
            return false;
        }
        message(s).headers.push_back({std::move(s.field_), std::move(s.value_)});
        s.field_.clear();
        s.value_.clear();
        s.in_value_ = false;
        return true;
    }

    static int on_message_begin(http_parser* p) {
        Parser& s = self(p);
        s.request_ = Request{};
        s.request_.target.clear();
        s.response_ = Response{};
        s.response_.reason.clear();
        s.in_message_ = true;
        s.body_bytes_ = 0;
        return 0;
    }
    static int on_url(http_parser* p, const char* at, size_t n) {
        self(p).request_.target.append(at, n);
        return 0;
    }
    static int on_status(http_parser* p, const char* at, size_t n) {
        self(p).response_.reason.append(at, n);
        return 0;
    }
    static int on_header_field(http_parser* p, const char* at, size_t n) {
        Parser& s = self(p);
        if (s.in_value_ && !flush_header(s)) return -1;
        s.field_.append(at, n);
        return 0;
    }
    static int on_header_value(http_parser* p, const char* at, size_t n) {
        Parser& s = self(p);
        s.in_value_ = true;
        s.value_.append(at, n);
        return 0;
    }
    static int on_headers_complete(http_parser* p) {
        Parser& s = self(p);
        if (!flush_header(s)) return -1;
        Message& m = message(s);
        if (p->http_major != 1) {
            s.error_ = fmt::format("HTTP/{}.{} is not HTTP/1.x", p->http_major, p->http_minor);
            return -1;
        }
        if (s.kind_ == Kind::response && (p->status_code < 100 || p->status_code > 999)) {
            s.error_ = fmt::format("status {} is not a three-digit code",
                                   static_cast<unsigned>(p->status_code));
            return -1;
        }
        m.version_minor = p->http_minor;
        m.keep_alive = http_should_keep_alive(p) != 0;
        if (s.kind_ == Kind::request) {
            s.request_.method = http_method_str(static_cast<http_method>(p->method));
        } else {
            s.response_.status = static_cast<int>(p->status_code);
        }
        if ((p->flags & F_CONTENTLENGTH) && p->content_length > s.max_body_) {
            s.error_ = fmt::format("body of {} bytes is over the limit of {}", p->content_length,
                                   s.max_body_);
            s.too_large_ = true;
            return -1;
        }
        if (s.kind_ == Kind::response && std::exchange(s.head_pending_, false)) return 1;
        return 0;
    }
    static int on_body(http_parser* p, const char* at, size_t n) {
        Parser& s = self(p);
        s.body_bytes_ += n;
        if (s.body_bytes_ > s.max_body_) {
            s.error_ = fmt::format("body is over the limit of {} bytes", s.max_body_);
            s.too_large_ = true;
            return -1;
        }
        if (s.body_sink_) {
            s.body_sink_(base::ByteSpan(reinterpret_cast<const std::byte*>(at), n));
        } else {
            message(s).body.append(at, n);
        }
        return 0;
    }
    static int on_message_complete(http_parser* p) {
        Parser& s = self(p);
        s.in_message_ = false;
        message(s).keep_alive = http_should_keep_alive(p) != 0;
        if (s.kind_ == Kind::request) {
            s.requests_.push_back(std::move(s.request_));
        } else {
            s.responses_.push_back(std::move(s.response_));
        }
        return 0;
    }
};

Parser::Parser(Kind kind, size_t max_body)
    : kind_(kind), max_body_(max_body), state_(std::make_unique<State>()) {
    http_parser_init(&state_->parser, kind == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE);
    state_->parser.data = this;
    http_parser_settings& s = state_->settings;
    http_parser_settings_init(&s);
    s.on_message_begin = &Callbacks::on_message_begin;
    s.on_url = &Callbacks::on_url;
    s.on_status = &Callbacks::on_status;
    s.on_header_field = &Callbacks::on_header_field;
    s.on_header_value = &Callbacks::on_header_value;
    s.on_headers_complete = &Callbacks::on_headers_complete;
    s.on_body = &Callbacks::on_body;
    s.on_message_complete = &Callbacks::on_message_complete;
}

Parser::~Parser() = default;

base::Expected<void, std::string> Parser::feed(base::ByteSpan data) {
    if (error_) return base::fail(*error_);
    const size_t used =
        http_parser_execute(&state_->parser, &state_->settings,
                            reinterpret_cast<const char*>(data.data()), data.size());
    const auto err = HTTP_PARSER_ERRNO(&state_->parser);
    if (err != HPE_OK) {
        const std::string what = error_ ? *error_ : http_errno_description(err);
        error_ = fmt::format("malformed HTTP {} at byte {}: {}",
                             kind_ == Kind::request ? "request" : "response", offset_ + used, what);
        return base::fail(*error_);
    }
    if (state_->parser.upgrade) {
        error_ = fmt::format("HTTP upgrade at byte {} is not supported", offset_ + used);
        return base::fail(*error_);
    }
    offset_ += data.size();
    return {};
}

base::Expected<void, std::string> Parser::finish() {
    if (error_) return base::fail(*error_);
    http_parser_execute(&state_->parser, &state_->settings, nullptr, 0);
    const auto err = HTTP_PARSER_ERRNO(&state_->parser);
    if (err != HPE_OK || in_message_) {
        error_ = fmt::format("HTTP {} cut short at byte {}: the connection closed mid-message",
                             kind_ == Kind::request ? "request" : "response", offset_);
        return base::fail(*error_);
    }
    return {};
}

std::optional<Request> Parser::next_request() {
    if (requests_.empty()) return std::nullopt;
    Request r = std::move(requests_.front());
    requests_.pop_front();
    return r;
}

std::optional<Response> Parser::next_response() {
    if (responses_.empty()) return std::nullopt;
    Response r = std::move(responses_.front());
    responses_.pop_front();
    return r;
}

}  // namespace apps::http
