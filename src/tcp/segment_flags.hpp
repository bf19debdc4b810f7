// The TCP header's flags as plain numbers, for the connection's files to
// combine (`syn | ack`) without spelling out wire::TcpFlags each time.
#pragma once

#include <cstdint>

#include "wire/tcp.hpp"

namespace tcp::segment_flags {

inline constexpr uint16_t syn = wire::TcpFlags::syn;
inline constexpr uint16_t ack = wire::TcpFlags::ack;
inline constexpr uint16_t fin = wire::TcpFlags::fin;
inline constexpr uint16_t rst = wire::TcpFlags::rst;
inline constexpr uint16_t psh = wire::TcpFlags::psh;
inline constexpr uint8_t max_window_shift = 14;  // RFC 7323 §2.3

}  // namespace tcp::segment_flags
