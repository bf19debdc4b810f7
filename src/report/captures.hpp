// The frames a run captured, one pcap file per interface (NODE-IFACE.pcap in
// the run's capture folder), read when first asked for and kept.
//
// A frame is named by its node, interface and index in that interface's
// capture: the event log's send and receive events at an interface are its
// capture's records, in the same order.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace report {

class CaptureFrames {
  public:
    explicit CaptureFrames(std::string dir) : dir_(std::move(dir)) {}

    // The index-th frame (from 0) of node's interface; the error names the file
    // and what is wrong with it.
    base::Expected<base::ByteSpan, std::string> frame(const std::string& node,
                                                      const std::string& iface, uint64_t index);
    std::string path(const std::string& node, const std::string& iface) const;

  private:
    struct File {
        std::vector<std::byte> bytes;
        std::vector<base::ByteSpan> frames;
        std::string error;  // why it could not be read in full
    };
    const File& load(const std::string& node, const std::string& iface);

    std::string dir_;
    std::map<std::string, File> files_;  // by path
};

}  // namespace report
