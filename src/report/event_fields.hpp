// Reading the event log's fields (sim::EventLog writes them as JSON members),
// and saying what a packet or a DNS message is in a few words. The timeline
// and the HTML report both tell the run from these events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace report {

// A string or number member, or "" / 0 when it is absent or of another type.
std::string field_str(const nlohmann::json& f, const char* key);
uint64_t field_num(const nlohmann::json& f, const char* key);

// A connection's key "a:p-b:q" -> {"a:p", "b:q"}.
std::pair<std::string, std::string> ends_of(const std::string& conn);

// Text data on one line: line ends shown as \r \n, as in a C string.
std::string one_line(const std::string& text);

// "56dd01…" -> bytes; empty when it is not hex.
std::vector<std::byte> unhex(const std::string& hex);

// A DNS message (the log's dns_hex) in a few words: "query kiminje.shop. A",
// "answer kiminje.shop. A is 200.200.200.2", "referral for …".
std::string describe_dns(const std::string& hex);

// "TCP 100.100.100.1:59221 -> 200.200.200.2:7000 [SYN]" style, from a
// frame's fields.
std::string describe_packet(const nlohmann::json& f);

}  // namespace report
