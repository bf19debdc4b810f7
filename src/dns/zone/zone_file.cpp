// The master file reader: text → logical lines of tokens → records.
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "dns/zone/zone.hpp"

namespace dns {
namespace {

struct Token {
    std::string text;  // quotes removed; escapes left for the field's parser
    bool quoted = false;
    int line = 0;
    int column = 0;
};

// One entry: the tokens of a line, or of several joined by parentheses.
struct Entry {
    std::vector<Token> tokens;
    bool owner_omitted = false;  // the line began with a blank: the previous owner
    int line = 0;
};

class Tokenizer {
  public:
    Tokenizer(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

    // The next entry, nullopt at the end; an error for unbalanced parentheses
    // or an unterminated string.
    base::Expected<std::optional<Entry>, ZoneError> next() {
        while (pos_ < text_.size()) {
            Entry e;
            e.line = line_;
            e.owner_omitted = column() == 1 && (peek() == ' ' || peek() == '\t');
            int depth = 0;
            int open_line = 0, open_column = 0;
            while (pos_ < text_.size()) {
                const char c = peek();
                if (c == '\n') {
                    advance();
                    if (depth == 0) break;
                    continue;
                }
                if (c == ' ' || c == '\t' || c == '\r') {
                    advance();
                    continue;
                }
                if (c == ';') {
                    while (pos_ < text_.size() && peek() != '\n')
                        advance();
                    continue;
                }
                if (c == '(') {
                    if (depth == 0) {
                        open_line = line_;
                        open_column = column();
                    }
                    ++depth;
                    advance();
                    continue;
                }
                if (c == ')') {
                    if (depth == 0) return fail("a ')' with no '(' before it");
                    --depth;
                    advance();
                    continue;
                }
                auto t = token();
                if (!t) return base::fail(t.error());
                e.tokens.push_back(std::move(*t));
            }
            if (depth > 0) {
                return base::fail(
                    ZoneError{file_, open_line, open_column, "this '(' is never closed"});
            }
            if (!e.tokens.empty()) return std::optional<Entry>(std::move(e));
        }
        return std::optional<Entry>();
    }

  private:
    char peek() const { return text_[pos_]; }
    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            line_start_ = pos_ + 1;
        }
        ++pos_;
    }
    int column() const { return static_cast<int>(pos_ - line_start_) + 1; }
    base::Unexpected<ZoneError> fail(std::string what) const {
        return base::fail(ZoneError{file_, line_, column(), std::move(what)});
    }

    base::Expected<Token, ZoneError> token() {
        Token t{.line = line_, .column = column()};
        if (peek() == '"') {
            t.quoted = true;
            advance();
            while (true) {
                if (pos_ >= text_.size() || peek() == '\n')
                    return base::fail(ZoneError{file_, t.line, t.column,
                                                "this string's closing '\"' is missing"});
                if (peek() == '"') {
                    advance();
                    break;
                }
                if (peek() == '\\' && pos_ + 1 < text_.size()) {
                    t.text += peek();
                    advance();
                }
                t.text += peek();
                advance();
            }
            return t;
        }
        while (pos_ < text_.size()) {
            const char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' ||
                c == ')' || c == '"')
                break;
            if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '\n') {
                t.text += c;
                advance();
            }
            t.text += peek();
            advance();
        }
        return t;
    }

    std::string_view text_;
    std::string file_;
    size_t pos_ = 0;
    size_t line_start_ = 0;
    int line_ = 1;
};

class Reader {
  public:
    Reader(Zone* zone, const ZoneFileOptions& options) : zone_(zone), options_(options) {}

    base::Expected<void, ZoneError> read(std::string_view text, const std::string& file,
                                         std::optional<Name> origin, int depth) {
        Tokenizer tok(text, file);
        std::optional<Name> owner;
        while (true) {
            auto e = tok.next();
            if (!e) return base::fail(e.error());
            if (!*e) return {};
            const Entry& entry = **e;
            auto fail = [&](const Token& at, std::string what) {
                return base::fail(ZoneError{file, at.line, at.column, std::move(what)});
            };
            const Token& first = entry.tokens.front();
            if (!entry.owner_omitted && first.text.starts_with("$")) {
                if (auto ok = directive(entry, file, origin, depth); !ok)
                    return base::fail(ok.error());
                continue;
            }
            size_t i = 0;
            if (!entry.owner_omitted) {
                if (!origin && first.text != "." && !first.text.ends_with("."))
                    return fail(first, fmt::format("the relative name '{}' with no $ORIGIN "
                                                   "before it",
                                                   first.text));
                auto n = Name::parse(first.text, origin ? &*origin : nullptr);
                if (!n) return fail(first, n.error());
                owner = *n;
                i = 1;
            } else if (!owner) {
                return fail(first, "a record with no owner name, and none before it to repeat");
            }
            std::optional<uint32_t> ttl;
            std::optional<RrClass> cls;
            for (int k = 0; k < 2 && i < entry.tokens.size(); ++k) {
                const Token& t = entry.tokens[i];
                if (!ttl && !t.quoted && std::isdigit(static_cast<unsigned char>(t.text[0]))) {
                    ttl = parse_ttl(t.text);
                    if (!ttl)
                        return fail(t, fmt::format("'{}' is not a TTL (seconds, or units "
                                                   "like 1h30m, up to 2147483647)",
                                                   t.text));
                    ++i;
                } else if (auto c = parse_class(t.text); c && !cls && !parse_type(t.text)) {
                    cls = c;  // ("ANY" is a type here: no zone holds class ANY)
                    ++i;
                }
            }
            if (i >= entry.tokens.size()) return fail(entry.tokens.back(), "a record with no type");
            const Token& type_token = entry.tokens[i];
            const auto type = parse_type(type_token.text);
            if (!type)
                return fail(type_token, fmt::format("'{}' is not a record type", type_token.text));
            ++i;
            const RrClass record_class = cls.value_or(options_.cls);
            if (record_class != options_.cls)
                return fail(type_token,
                            fmt::format("class {} in a zone of class {}", to_string(record_class),
                                        to_string(options_.cls)));
            std::vector<std::string> fields;
            for (size_t k = i; k < entry.tokens.size(); ++k)
                fields.push_back(entry.tokens[k].text);
            const Token& data_at = i < entry.tokens.size() ? entry.tokens[i] : type_token;
            if (fields.empty())
                return fail(data_at, fmt::format("{} record with no data", to_string(*type)));
            const Name here = origin.value_or(Name{});
            auto data = parse_rdata(*type, record_class, fields, here);
            if (!data) return fail(data_at, data.error());
            if (!ttl) {
                if (default_ttl_) {
                    ttl = default_ttl_;
                } else if (last_ttl_) {
                    ttl = last_ttl_;  // RFC 1035: the last TTL given
                } else {
                    return fail(type_token, "no TTL on this record and no $TTL before it");
                }
            } else {
                last_ttl_ = ttl;
            }
            if (++records_ > options_.max_records)
                return fail(first, fmt::format("more than {} records", options_.max_records));
            if (auto ok = zone_->add(Record{*owner, *type, record_class, *ttl, std::move(*data)});
                !ok)
                return fail(entry.owner_omitted ? type_token : first, ok.error());
        }
    }

  private:
    base::Expected<void, ZoneError> directive(const Entry& entry, const std::string& file,
                                              std::optional<Name>& origin, int depth) {
        const Token& d = entry.tokens[0];
        auto fail = [&](const Token& at, std::string what) {
            return base::fail(ZoneError{file, at.line, at.column, std::move(what)});
        };
        auto args = [&](size_t min, size_t max,
                        std::string_view form) -> base::Expected<void, ZoneError> {
            const size_t n = entry.tokens.size() - 1;
            if (n < min || n > max) return fail(d, fmt::format("{} takes {}", d.text, form));
            return {};
        };
        if (d.text == "$ORIGIN") {
            if (auto ok = args(1, 1, "one name"); !ok) return ok;
            const Token& t = entry.tokens[1];
            auto n = Name::parse(t.text, origin ? &*origin : nullptr);
            if (!n) return fail(t, n.error());
            if (!origin && !t.text.ends_with("."))
                return fail(t, "the first $ORIGIN must be absolute");
            origin = *n;
            return {};
        }
        if (d.text == "$TTL") {
            if (auto ok = args(1, 1, "one TTL"); !ok) return ok;
            const Token& t = entry.tokens[1];
            default_ttl_ = parse_ttl(t.text);
            if (!default_ttl_) return fail(t, fmt::format("'{}' is not a TTL", t.text));
            return {};
        }
        if (d.text == "$INCLUDE") {
            if (auto ok = args(1, 2, "a file name and optionally an origin"); !ok) return ok;
            if (depth >= options_.max_include_depth)
                return fail(d, fmt::format("$INCLUDE nested more than {} deep",
                                           options_.max_include_depth));
            const Token& t = entry.tokens[1];
            std::filesystem::path path = t.text;
            if (path.is_relative()) path = std::filesystem::path(file).parent_path() / path;
            std::ifstream in(path, std::ios::binary);
            if (!in) return fail(t, fmt::format("cannot open '{}'", path.string()));
            std::stringstream ss;
            ss << in.rdbuf();
            std::optional<Name> inner = origin;
            if (entry.tokens.size() == 3) {
                auto n = Name::parse(entry.tokens[2].text, origin ? &*origin : nullptr);
                if (!n) return fail(entry.tokens[2], n.error());
                inner = *n;
            }
            // The included file has its own origin and owner; ours are
            // unchanged after it (RFC 1035 §5.1).
            return read(ss.str(), path.string(), inner, depth + 1);
        }
        return fail(d,
                    fmt::format("unknown directive '{}' (known: $ORIGIN, $TTL, $INCLUDE)", d.text));
    }

    Zone* zone_;
    const ZoneFileOptions& options_;
    std::optional<uint32_t> default_ttl_;
    std::optional<uint32_t> last_ttl_;
    size_t records_ = 0;
};

// The origin: the options', or the first $ORIGIN's.
std::optional<Name> first_origin(std::string_view text) {
    Tokenizer tok(text, "");
    while (true) {
        auto e = tok.next();
        if (!e || !*e) return std::nullopt;
        const auto& t = (*e)->tokens;
        if ((*e)->owner_omitted || t[0].text != "$ORIGIN") {
            if (t[0].text == "$TTL") continue;
            return std::nullopt;
        }
        if (t.size() != 2) return std::nullopt;
        auto n = Name::parse(t[1].text);
        return n && t[1].text.ends_with(".") ? std::optional<Name>(*n) : std::nullopt;
    }
}

}  // namespace

base::Expected<Zone, ZoneError> parse_zone(std::string_view text, const std::string& file_name,
                                           const ZoneFileOptions& options) {
    std::optional<Name> origin = options.origin ? options.origin : first_origin(text);
    if (!origin) {
        return base::fail(
            ZoneError{file_name, 1, 1, "no origin: give one, or start the file with $ORIGIN"});
    }
    Zone zone(*origin);
    Reader reader(&zone, options);
    if (auto ok = reader.read(text, file_name, options.origin, 0); !ok)
        return base::fail(ok.error());
    if (auto ok = zone.check(); options.check && !ok)
        return base::fail(ZoneError{file_name, 1, 1, ok.error()});
    return zone;
}

base::Expected<Zone, ZoneError> load_zone(const std::string& path, const ZoneFileOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return base::fail(ZoneError{path, 0, 0, "cannot open the file"});
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_zone(ss.str(), path, options);
}

}  // namespace dns
