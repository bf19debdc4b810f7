#include "wire/error.hpp"

namespace wire {

std::string_view to_string(Error e) {
    switch (e) {
        case Error::truncated:
            return "truncated";
        case Error::bad_length:
            return "bad length field";
        case Error::bad_header_length:
            return "bad header length";
        case Error::bad_version:
            return "bad version";
        case Error::bad_checksum:
            return "bad checksum";
        case Error::option_overrun:
            return "option runs past the header";
        case Error::bad_option_length:
            return "bad option length";
        case Error::unsupported:
            return "unsupported";
        case Error::bad_magic:
            return "bad magic number";
        case Error::bad_syntax:
            return "bad syntax";
        case Error::not_allowed:
            return "a value the protocol forbids";
    }
    return "unknown error";
}

}  // namespace wire
