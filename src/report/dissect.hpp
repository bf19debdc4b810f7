// A frame taken apart layer by layer, for people: the Ethernet frame around the
// IP packet around the TCP segment (or UDP datagram, ICMP message) around the
// data, each with its fields and its own bytes — the way Wireshark shows it.
//
// Dissection never fails: a layer that does not parse ends the list with its
// `problem` set, and a bad checksum is reported on its layer, not hidden.
#pragma once

#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace report {

struct Field {
    std::string name;
    std::string value;
};

struct DissectedLayer {
    std::string name;     // "Ethernet II", "IPv4", "TCP", "UDP", "ICMP", "ARP", "Data"
    std::string summary;  // one line: "100.100.100.1 → 200.200.200.2, TTL 64, TCP"
    std::vector<Field> fields;
    base::ByteSpan header;  // this layer's own bytes (for Data: the data)
    base::ByteSpan rest;    // what the layer carries
    std::string problem;    // why it is malformed or damaged; empty when fine
};

std::vector<DissectedLayer> dissect(base::ByteSpan frame);

// Classic hex dump, 16 bytes a line: offset, hex, printable ASCII.
std::string hexdump(base::ByteSpan bytes, std::string_view indent = "");

}  // namespace report
