#include "sim/topology_writer.hpp"

#include <iterator>

namespace sim {

void TopologyWriter::comment(std::string_view text) {
    fmt::format_to(std::back_inserter(buffer_), "{}#{}{}\n", in_section_ ? "  " : "",
                   text.empty() ? "" : " ", text);
    maybe_flush();
}

void TopologyWriter::top_level(std::string_view name, uint64_t seed,
                               std::optional<std::string_view> duration) {
    fmt::format_to(std::back_inserter(buffer_), "name: {}\nseed: {}\n", name, seed);
    if (duration) fmt::format_to(std::back_inserter(buffer_), "duration: {}\n", *duration);
}

void TopologyWriter::link_defaults(const LinkText& p) {
    fmt::format_to(std::back_inserter(buffer_), "defaults:\n  link: {{");
    params(p);
    fmt::format_to(std::back_inserter(buffer_), "}}\n");
}

void TopologyWriter::begin(std::string_view section) {
    fmt::format_to(std::back_inserter(buffer_), "\n{}:\n", section);
    in_section_ = true;
}

void TopologyWriter::host(std::string_view name, wire::Ipv4Address gateway,
                          std::optional<uint8_t> ttl) {
    fmt::format_to(std::back_inserter(buffer_), "  {}: {{gateway: ", name);
    address(gateway);
    if (ttl) fmt::format_to(std::back_inserter(buffer_), ", ttl: {}", *ttl);
    fmt::format_to(std::back_inserter(buffer_), "}}\n");
    maybe_flush();
}

void TopologyWriter::router(std::string_view name, std::optional<uint8_t> ttl) {
    if (ttl) {
        fmt::format_to(std::back_inserter(buffer_), "  {}: {{ttl: {}}}\n", name, *ttl);
    } else {
        fmt::format_to(std::back_inserter(buffer_), "  {}: {{}}\n", name);
    }
    maybe_flush();
}

void TopologyWriter::link(std::string_view end0, std::string_view end1,
                          const std::array<wire::Ipv4Cidr, 2>& addresses, const LinkText& p,
                          std::string_view name) {
    fmt::format_to(std::back_inserter(buffer_), "  - {{");
    if (!name.empty()) fmt::format_to(std::back_inserter(buffer_), "name: {}, ", name);
    fmt::format_to(std::back_inserter(buffer_), "ends: [{}, {}], addresses: [", end0, end1);
    cidr(addresses[0]);
    fmt::format_to(std::back_inserter(buffer_), ", ");
    cidr(addresses[1]);
    fmt::format_to(std::back_inserter(buffer_), "]");
    if (!p.bandwidth.empty() || !p.delay.empty() || !p.queue.empty()) {
        fmt::format_to(std::back_inserter(buffer_), ", ");
        params(p);
    }
    fmt::format_to(std::back_inserter(buffer_), "}}\n");
    maybe_flush();
}

void TopologyWriter::app(std::string_view node, std::string_view kind,
                         const std::vector<Param>& params) {
    fmt::format_to(std::back_inserter(buffer_), "  - {{node: {}, run: {}", node, kind);
    for (const auto& [key, value] : params)
        fmt::format_to(std::back_inserter(buffer_), ", {}: {}", key, value);
    fmt::format_to(std::back_inserter(buffer_), "}}\n");
    maybe_flush();
}

void TopologyWriter::flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
}

void TopologyWriter::address(wire::Ipv4Address a) {
    fmt::format_to(std::back_inserter(buffer_), "{}.{}.{}.{}", unsigned{a.octet(0)},
                   unsigned{a.octet(1)}, unsigned{a.octet(2)}, unsigned{a.octet(3)});
}

void TopologyWriter::cidr(const wire::Ipv4Cidr& c) {
    address(c.address);
    fmt::format_to(std::back_inserter(buffer_), "/{}", c.prefix_len);
}

void TopologyWriter::params(const LinkText& p) {
    const char* separator = "";
    for (const auto& [key, value] :
         {Param{"bandwidth", p.bandwidth}, Param{"delay", p.delay}, Param{"queue", p.queue}}) {
        if (value.empty()) continue;
        fmt::format_to(std::back_inserter(buffer_), "{}{}: {}", separator, key, value);
        separator = ", ";
    }
}

}  // namespace sim
