// A system under test: a TCP behind an Ethernet interface at 10.0.0.1, whose
// frames the harness sees and answers as the peer 10.0.0.2, and one program
// on it making socket calls (one listener and one connection at a time).
//
// Two implementations: minternet's stack::Host on a virtual clock, and the
// Linux kernel in a network namespace of its own behind a TAP device, on the
// wall clock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "conformance/script.hpp"
#include "wire/address.hpp"

namespace conformance {

inline const wire::Ipv4Address sut_address{10, 0, 0, 1};
inline const wire::Ipv4Address peer_address{10, 0, 0, 2};
inline const wire::MacAddress sut_mac{{0x02, 0, 0, 0, 0, 0x01}};
inline const wire::MacAddress peer_mac{{0x02, 0, 0, 0, 0, 0x02}};

struct Frame {
    std::vector<std::byte> bytes;
    base::Duration at;  // since the script began
};

// What a read found.
struct ReadResult {
    enum class Kind : uint8_t { data, eof, would_block, error };
    Kind kind = Kind::would_block;
    size_t bytes = 0;
    SocketError error = SocketError::none;
};

class Target {
  public:
    virtual ~Target() = default;
    virtual TargetKind kind() const = 0;
    // How far measured times may stray from a script's window: none on a
    // virtual clock; on the wall clock, timer granularity and scheduling.
    virtual base::Duration early_slack() const = 0;
    virtual base::Duration late_slack() const = 0;

    // Time since the script began.
    virtual base::Duration now() = 0;
    // A frame from the peer to the SUT.
    virtual void send_frame(base::ByteSpan frame) = 0;
    // The SUT's next frame if one comes by `deadline`; otherwise time has
    // reached `deadline` and nothing came.
    virtual std::optional<Frame> next_frame(base::Duration deadline) = 0;

    using Result = base::Expected<void, std::string>;
    virtual Result listen(uint16_t port, uint32_t backlog, const SocketSettings& settings) = 0;
    virtual Result accept() = 0;
    virtual Result connect(uint16_t port, const SocketSettings& settings) = 0;
    virtual base::Expected<size_t, std::string> write(size_t count) = 0;
    virtual ReadResult read(size_t max) = 0;
    virtual SocketError pending_error() = 0;
    virtual Result set_options(const SocketSettings& settings) = 0;
    virtual Result shutdown() = 0;
    virtual Result close() = 0;
};

// The byte a program writes at `offset` of its stream (and checks on read).
inline std::byte pattern_byte(size_t offset) {
    return static_cast<std::byte>('a' + offset % 26);
}

}  // namespace conformance
