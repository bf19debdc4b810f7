// An HTTP handler that serves a directory, for `minternet live --serve
// http:80=DIR`: GET and HEAD of files under DIR (a directory's index.html, or
// a listing of it), each streamed from the file; POST anywhere answers with
// the size and SHA-256 of the body it received, so a client can check an
// upload arrived whole.
//
// Paths are percent-decoded; a path that would leave DIR ("..", a NUL, a
// symbolic link pointing out) is 404, the same as a missing file, so nothing
// about the rest of the machine can be learnt through it.
#pragma once

#include <filesystem>
#include <string>

#include "apps/http.hpp"

namespace apps {

http::Response serve_directory(const std::filesystem::path& root, const http::Request& request);

// "/a%20b/c" -> "/a b/c"; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view path);

}  // namespace apps
