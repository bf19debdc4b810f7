// How GoogleTest prints the project's value types in failure messages.
#pragma once

#include <ostream>

#include "base/time.hpp"
#include "wire/address.hpp"

namespace base {
inline void PrintTo(Duration d, std::ostream* os) {
    *os << to_string(d);
}
inline void PrintTo(Time t, std::ostream* os) {
    *os << to_string(t);
}
}  // namespace base

namespace wire {
inline void PrintTo(Ipv4Address a, std::ostream* os) {
    *os << a.to_string();
}
inline void PrintTo(MacAddress a, std::ostream* os) {
    *os << a.to_string();
}
inline void PrintTo(const Ipv6Address& a, std::ostream* os) {
    *os << a.to_string();
}
}  // namespace wire
