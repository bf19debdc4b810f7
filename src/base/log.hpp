// Diagnostic logging, through spdlog.
//
// There is no global logger: a component that logs is handed a `Logger` (a
// shared spdlog logger) by whoever builds it. Protocol events that users look at
// (the event log, traces) are not logging; they are typed observer callbacks.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace base {

using Logger = std::shared_ptr<spdlog::logger>;

// A logger that writes to stderr (coloured when stderr is a terminal).
Logger make_stderr_logger(std::string name, spdlog::level::level_enum level);
// A logger that discards everything: the default for components given none.
Logger make_null_logger(std::string name);
// "trace", "debug", "info", "warn", "error", "off"; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

}  // namespace base
