#include "live/secrets.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace live {

base::Expected<uint64_t, std::string> secret_seed(std::optional<uint64_t> given) {
    if (given) return *given;
    uint64_t value = 0;
    ssize_t got;
    do {
        got = getrandom(&value, sizeof value, 0);  // blocks only before the pool is ready
    } while (got < 0 && errno == EINTR);
    if (got != static_cast<ssize_t>(sizeof value))
        return base::fail(fmt::format("no secret keys: getrandom failed ({})",
                                      got < 0 ? std::strerror(errno) : "short read"));
    return value;
}

}  // namespace live
