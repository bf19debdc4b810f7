#include "cli/host_port.hpp"

#include <charconv>

#include <fmt/format.h>

namespace cli {

std::optional<HostPort> parse_host_port(std::string_view text) {
    std::string_view address = text;
    std::optional<std::string_view> port;
    if (text.starts_with('[')) {
        const size_t close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        address = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) return std::nullopt;
            port = rest.substr(1);
        }
    } else if (const size_t colon = text.find(':'); colon != std::string_view::npos) {
        if (text.find(':', colon + 1) != std::string_view::npos)
            return std::nullopt;  // IPv6 without brackets: where would the port be?
        address = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const auto a = wire::IpAddress::parse(address);
    if (!a || (text.starts_with('[') && a->is_v4())) return std::nullopt;
    HostPort hp{.address = *a, .port = std::nullopt};
    if (port) {
        uint16_t p = 0;
        const auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), p);
        if (port->empty() || ec != std::errc{} || end != port->data() + port->size())
            return std::nullopt;
        hp.port = p;
    }
    return hp;
}

std::string host_port_text(const wire::IpAddress& address, uint16_t port) {
    if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), port);
    return fmt::format("{}:{}", address.to_string(), port);
}

}  // namespace cli
