// `minternet explain RUN [PACKET]`: one packet of a finished run as nested
// layers — the Ethernet frame around the IP packet around the TCP segment or
// UDP datagram around the data — each with its fields and its own bytes, as
// Wireshark shows them. Without PACKET, the list of the run's packets and
// their numbers.
//
// A packet's number counts every frame any node sent, in the order the event
// log has them (#1 is the first frame of the run). The frame itself comes
// from the sender's capture (pcap/NODE-IFACE.pcap), found by counting that
// interface's events.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace cli {

struct ExplainCommand {
    std::string run_dir;  // what `minternet run` wrote: events.jsonl, pcap/
    std::optional<uint64_t> packet;
};

int run_explain(const ExplainCommand& c, std::FILE* out);

}  // namespace cli
