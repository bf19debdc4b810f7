#include "base/log.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace base {

Logger make_stderr_logger(std::string name, spdlog::level::level_enum level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_st>();
    auto logger = std::make_shared<spdlog::logger>(std::move(name), std::move(sink));
    logger->set_level(level);
    logger->set_pattern("%^%l%$ [%n] %v");
    return logger;
}

Logger make_null_logger(std::string name) {
    auto sink = std::make_shared<spdlog::sinks::null_sink_st>();
    auto logger = std::make_shared<spdlog::logger>(std::move(name), std::move(sink));
    logger->set_level(spdlog::level::off);
    return logger;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
    constexpr std::pair<std::string_view, spdlog::level::level_enum> levels[] = {
        {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
        {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
        {"error", spdlog::level::err},   {"off", spdlog::level::off},
    };
    for (const auto& [n, level] : levels) {
        if (n == name) return level;
    }
    return std::nullopt;
}

}  // namespace base
