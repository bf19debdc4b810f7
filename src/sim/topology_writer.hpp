// Writes a topology file (docs/topology.md) as text, fast: one line per host,
// link and application, in YAML flow style ("{gateway: 10.0.0.1}"), straight
// into a buffer that goes to the stream in large pieces. A generator of
// 100,000 hosts needs no YAML library and no document in memory.
//
// The caller writes the sections in file order — top-level keys, defaults,
// hosts, routers, links, apps — and passes only text that is valid where it
// goes (names by the topology's naming rules, quantities by sim/units.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "wire/address.hpp"

namespace sim {

// Link parameters as text; an empty one is left out.
struct LinkText {
    std::string_view bandwidth;
    std::string_view delay;
    std::string_view queue;
};

class TopologyWriter {
  public:
    explicit TopologyWriter(std::ostream& out) : out_(out) {}
    // Flushes, unless an exception is leaving: half a file is worse than none.
    ~TopologyWriter() {
        if (std::uncaught_exceptions() == exceptions_) flush();
    }
    TopologyWriter(const TopologyWriter&) = delete;
    TopologyWriter& operator=(const TopologyWriter&) = delete;

    // "# text" on a line of its own (at the indentation of the section).
    void comment(std::string_view text);
    void blank_line() { buffer_.push_back('\n'); }
    void top_level(std::string_view name, uint64_t seed, std::optional<std::string_view> duration);
    void link_defaults(const LinkText& params);

    // Begins a section ("hosts", "links", …) after a blank line; call before
    // the first of its entries.
    void begin(std::string_view section);

    void host(std::string_view name, wire::Ipv4Address gateway, std::optional<uint8_t> ttl = {});
    void router(std::string_view name, std::optional<uint8_t> ttl = {});
    // `addresses` in the order of `ends`. `name` empty: the default ("a-b").
    void link(std::string_view end0, std::string_view end1,
              const std::array<wire::Ipv4Cidr, 2>& addresses, const LinkText& params = {},
              std::string_view name = {});
    using Param = std::pair<std::string_view, std::string_view>;
    void app(std::string_view node, std::string_view kind, const std::vector<Param>& params);

    // Hands what is buffered to the stream.
    void flush();

  private:
    void address(wire::Ipv4Address a);
    void cidr(const wire::Ipv4Cidr& c);
    void params(const LinkText& p);
    void maybe_flush() {
        if (buffer_.size() >= flush_at) flush();
    }

    static constexpr size_t flush_at = 1 << 16;
    std::ostream& out_;
    fmt::memory_buffer buffer_;
    bool in_section_ = false;  // comments are indented inside a section
    int exceptions_ = std::uncaught_exceptions();
};

}  // namespace sim
