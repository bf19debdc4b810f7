// `minternet hello`: the seeds' "Hello!" wrapped in a TCP segment, an IP packet
// and an Ethernet frame by the wire codecs, shown layer by layer, then parsed back.
#pragma once

#include <cstdio>
#include <string>

namespace cli {

struct HelloOptions {
    std::string message = "Hello!";
    std::string pcap_path;  // empty: no capture file
};

// Returns the process exit status.
int run_hello(const HelloOptions& options, std::FILE* out);

}  // namespace cli
