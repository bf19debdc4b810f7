#include "tcp/options.hpp"

#include <fmt/format.h>

#include "tcp/connection.hpp"

namespace tcp {

std::optional<std::string> Options::problem() const {
    auto buffer = [](const char* name, std::optional<size_t> v) -> std::optional<std::string> {
        if (v && (*v < min_socket_buffer || *v > max_socket_buffer)) {
            return fmt::format("{}: {} bytes is not from {} to {}", name, *v, min_socket_buffer,
                               max_socket_buffer);
        }
        return std::nullopt;
    };
    if (auto p = buffer("SO_SNDBUF", send_buffer)) return p;
    if (auto p = buffer("SO_RCVBUF", receive_buffer)) return p;
    if (max_segment && *max_segment < min_max_segment)
        return fmt::format("TCP_MAXSEG: {} is below {}", *max_segment, min_max_segment);
    if (linger && *linger < base::Duration::zero())
        return fmt::format("SO_LINGER: {} ns is negative", linger->ns());
    if (linger && linger_off) return std::string("SO_LINGER: both a time and off");
    if (keepalive) {
        // Linux's ranges: 1 to 32767 seconds, 1 to 127 probes.
        const base::Duration most = base::Duration::seconds(32767);
        if (keepalive->idle < base::Duration::seconds(1) || keepalive->idle > most)
            return fmt::format("TCP_KEEPIDLE: {} ms is not from 1 s to 32767 s",
                               keepalive->idle.ms());
        if (keepalive->interval < base::Duration::seconds(1) || keepalive->interval > most)
            return fmt::format("TCP_KEEPINTVL: {} ms is not from 1 s to 32767 s",
                               keepalive->interval.ms());
        if (keepalive->probes < 1 || keepalive->probes > 127)
            return fmt::format("TCP_KEEPCNT: {} is not from 1 to 127", keepalive->probes);
    }
    if (keepalive && keepalive_off) return std::string("SO_KEEPALIVE: both a timing and off");
    if (user_timeout && *user_timeout < base::Duration::zero())
        return fmt::format("TCP_USER_TIMEOUT: {} ms is negative", user_timeout->ms());
    return std::nullopt;
}

void Options::apply(Config& c) const {
    if (send_buffer) c.send_buffer = *send_buffer;
    if (receive_buffer) c.receive_buffer = *receive_buffer;
    if (max_segment) c.mss = std::min(c.mss, *max_segment);
    if (nodelay) c.nagle = !*nodelay;
    if (cork) c.cork = *cork;
    if (linger) c.linger = *linger;
    if (linger_off) c.linger.reset();
    if (keepalive) c.keepalive = *keepalive;
    if (keepalive_off) c.keepalive.reset();
    if (user_timeout) c.user_timeout = *user_timeout;
    if (congestion) c.congestion = *congestion;
}

}  // namespace tcp
