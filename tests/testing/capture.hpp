// The records of a pcap file in tests/data/, for known-answer tests.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "wire/pcap.hpp"

namespace testing_support {

// Reads tests/data/<name> whole; a file that does not read fails the test
// (and leaves the capture empty). Records borrow the file's bytes, so a
// Capture is pinned.
class Capture {
  public:
    explicit Capture(std::string_view name);
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    const wire::pcap::FileHeader& header() const { return header_; }
    size_t size() const { return records_.size(); }
    const wire::pcap::Record& record(size_t i) const { return records_.at(i); }
    base::ByteSpan frame(size_t i) const { return records_.at(i).data; }

  private:
    std::vector<std::byte> file_;
    wire::pcap::FileHeader header_;
    std::vector<wire::pcap::Record> records_;
};

}  // namespace testing_support
