#include "apps/static_site.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "base/sha256.hpp"
#include "base/text.hpp"

namespace apps {
namespace {

namespace fs = std::filesystem;

http::Response text(int status, std::string body) {
    http::Response r;
    r.status = status;
    r.reason = std::string(http::reason_phrase(status));
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    r.body = std::move(body);
    return r;
}

std::string_view content_type(const fs::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
    if (ext == ".css") return "text/css";
    if (ext == ".js") return "text/javascript";
    if (ext == ".json") return "application/json";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".svg") return "image/svg+xml";
    return "application/octet-stream";
}

// The file's bytes, read at an offset as the server sends them. The stream
// is opened once and kept by the source.
std::shared_ptr<http::BodySource> file_source(const fs::path& file, size_t size) {
    auto in = std::make_shared<std::ifstream>(file, std::ios::binary);
    if (!*in) return nullptr;
    return std::make_shared<http::BodySource>(http::BodySource{
        .size = size, .read = [in](size_t offset, base::MutableByteSpan out) -> size_t {
            in->clear();
            in->seekg(static_cast<std::streamoff>(offset));
            in->read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
            return static_cast<size_t>(std::max<std::streamsize>(in->gcount(), 0));
        }});
}

http::Response listing(const fs::path& dir, const std::string& url_path) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        names.push_back(e.path().filename().string() + (e.is_directory() ? "/" : ""));
    std::sort(names.begin(), names.end());
    http::Response r;
    r.headers = {{"Content-Type", "text/html; charset=utf-8"}};
    r.body = fmt::format("<!doctype html>\n<title>{0}</title>\n<h1>{0}</h1>\n<ul>\n",
                         base::escape_html(url_path));
    for (const std::string& n : names)
        r.body += fmt::format("<li><a href=\"{0}\">{0}</a></li>\n", base::escape_html(n));
    r.body += "</ul>\n";
    return r;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view path) {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%') {
            out += path[i];
            continue;
        }
        if (i + 2 >= path.size()) return std::nullopt;
        auto hex = [](char c) -> int {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = hex(path[i + 1]), lo = hex(path[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

http::Response serve_directory(const fs::path& root, const http::Request& request) {
    if (request.method == "POST") {
        http::Response r = text(200, "");
        const std::string digest = base::sha256_hex(base::as_bytes(request.body));
        r.headers.push_back({"X-Content-SHA256", digest});
        r.body = fmt::format("received {} bytes, sha256 {}\n", request.body.size(), digest);
        return r;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        http::Response r = text(405, "only GET, HEAD and POST\n");
        r.headers.push_back({"Allow", "GET, HEAD, POST"});
        return r;
    }
    const std::string_view target = request.target;
    const auto decoded = percent_decode(target.substr(0, target.find('?')));
    if (!decoded || decoded->empty() || decoded->front() != '/' ||
        decoded->find('\0') != std::string::npos)
        return text(400, "a path starting with '/'\n");
    std::error_code ec;
    const fs::path base = fs::weakly_canonical(root, ec);
    if (ec) return text(500, "the served directory is gone\n");
    fs::path p = fs::weakly_canonical(base / fs::path(decoded->substr(1)), ec);
    // Anything that resolves outside the directory does not exist here.
    const auto rel = p.lexically_relative(base);
    if (ec || rel.empty() || *rel.begin() == "..")
        return text(404, fmt::format("{} is not here\n", *decoded));
    if (fs::is_directory(p, ec)) {
        if (!decoded->ends_with('/')) {
            http::Response r = text(301, "");
            r.headers.push_back({"Location", *decoded + "/"});
            return r;
        }
        if (fs::is_regular_file(p / "index.html", ec))
            p /= "index.html";
        else
            return listing(p, *decoded);
    }
    if (!fs::is_regular_file(p, ec)) return text(404, fmt::format("{} is not here\n", *decoded));
    const auto size = fs::file_size(p, ec);
    if (ec) return text(404, fmt::format("{} is not here\n", *decoded));
    auto source = file_source(p, static_cast<size_t>(size));
    if (!source) return text(403, fmt::format("{} cannot be read\n", *decoded));
    http::Response r;
    r.headers = {{"Content-Type", std::string(content_type(p))}};
    r.source = std::move(source);
    return r;
}

}  // namespace apps
