// Fuzzes the master-file reader (dns::parse_zone) with arbitrary text.
//
// Invariants: nothing crashes; an error names the file and a line within the
// text; a zone that loads is written out as a master file and read back to a
// zone with the same records.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "dns/zone/zone.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 16 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    dns::ZoneFileOptions options;
    options.origin = *dns::Name::parse("example.");
    options.max_include_depth = 0;  // no files from the fuzzer's text
    auto zone = dns::parse_zone(text, "fuzz.zone", options);
    if (!zone) {
        const dns::ZoneError& e = zone.error();
        require(!e.message.empty(), "an error says what is wrong");
        require(e.file == "fuzz.zone", "an error names the file");
        const auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
        require(e.line >= 1 && e.line <= lines, "an error's line is in the file");
        require(e.column >= 1, "an error has a column");
        return 0;
    }
    const std::string written = dns::to_master_file(*zone);
    auto again = dns::parse_zone(written, "written.zone", options);
    require(again.has_value(), "a zone written out reads back");
    require(again->record_count() == zone->record_count(), "the same number of records");
    const auto a = zone->rrsets(), b = again->rrsets();
    require(a.size() == b.size(), "the same RRsets");
    for (size_t i = 0; i < a.size(); ++i) {
        require(a[i]->name == b[i]->name && a[i]->type == b[i]->type && a[i]->ttl == b[i]->ttl,
                "each RRset keeps its owner, type and TTL");
        require(a[i]->rdatas == b[i]->rdatas, "each RRset keeps its data");
    }
    return 0;
}
