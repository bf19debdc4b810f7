// Params: reads one application's parameters from a topology file, checking
// each against what the kind takes and keeping the first error with its place
// in the file ("file:line:column: …"). After an error it hands back defaults,
// so a kind's parse function reads straight through and checks once at the end.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/time.hpp"
#include "sim/network.hpp"
#include "sim/topology.hpp"
#include "wire/address.hpp"

namespace scenario {

// "file:line:column"
std::string at(const sim::Location& l);

// "a, b ,c" -> {"a", "b", "c"}; empty items are dropped.
std::vector<std::string> comma_list(const std::string& text);

// A file named in a topology, relative to the topology file's folder.
std::string relative_to(const std::string& file, const std::string& topology_file);

class Params {
  public:
    // `known`: the keys the kind takes; any other key is the first error.
    Params(const sim::AppSpec& spec, std::span<const std::string_view> known);
    Params(const sim::AppSpec& spec, std::initializer_list<std::string_view> known)
        : Params(spec, std::span<const std::string_view>(known.begin(), known.size())) {}

    int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max);
    base::Duration duration(const std::string& key, base::Duration fallback);
    // A size in bytes ("10MB", "1GiB", "1500"), at least `min`.
    uint64_t size(const std::string& key, uint64_t fallback, uint64_t min);
    // A bandwidth in bits per second ("10Mbit").
    uint64_t bandwidth(const std::string& key, uint64_t fallback);
    // `true` or `false`.
    bool boolean(const std::string& key, bool fallback);
    std::string text(const std::string& key, std::string fallback);

    // The required 'to': a node name or an address.
    std::pair<wire::IpAddress, std::string> destination(sim::Network& net);

    // 'to' for a program that can look names up: a node, an address, or else a
    // DNS name, looked up when the program runs (the node needs a nameserver).
    struct Target {
        wire::IpAddress address;
        std::string name;
        bool by_dns = false;
    };
    Target target(sim::Network& net, const sim::NodeSpec& node);

    // A file named relative to the topology file.
    std::string path(const std::string& key, const std::string& topology_file);
    // A node's name or an IPv4 address; nullopt when the key is absent or
    // wrong (then an error).
    std::optional<wire::Ipv4Address> node_or_address(sim::Network& net, const std::string& key);
    // Comma-separated addresses; an error names the first wrong one.
    std::vector<wire::Ipv4Address> addresses(const std::string& key);

    const sim::AppParam* param(const std::string& key) const;
    // Records an error of the kind's own (kept only if it is the first).
    void fail_with(std::string e);

    const std::optional<std::string>& error() const { return error_; }

  private:
    void fail(std::string e);

    const sim::AppSpec& spec_;
    std::optional<std::string> error_;
};

}  // namespace scenario
