// What a run leaves behind: a pcap file per interface (Wireshark opens them),
// and a JSON-lines event log of every send, receive, forward, drop (with its
// reason), ARP and ICMP event, link impairment and fault.
//
// Timestamps are virtual time, so the same topology and seed give byte-identical
// files.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "stack/events.hpp"
#include "wire/address.hpp"

namespace sim {

class PcapWriter {
  public:
    // Creates (truncates) the file and writes the pcap header.
    static base::Expected<std::unique_ptr<PcapWriter>, std::string> open(const std::string& path);
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;
    ~PcapWriter();

    void write(base::Time t, base::ByteSpan frame);
    void flush();
    const std::string& path() const { return path_; }
    uint64_t frames() const { return frames_; }

  private:
    PcapWriter(std::FILE* f, std::string path) : file_(f), path_(std::move(path)) {}
    std::FILE* file_;
    std::string path_;
    std::vector<std::byte> buffer_;
    uint64_t frames_ = 0;
};

// One JSON object per line: {"t_ns":…, "node":…, "event":…, …}.
class EventLog {
  public:
    // Sees every event as it is written (the run's timeline is one).
    using Listener = std::function<void(base::Time, std::string_view node, std::string_view event,
                                        std::string_view fields_json)>;

    explicit EventLog(std::ostream& out) : out_(out) {}

    // `fields_json` is the rest of the object (without braces), or empty.
    void write(base::Time t, std::string_view node, std::string_view event,
               const std::string& fields_json);
    uint64_t lines() const { return lines_; }
    void set_listener(Listener l) { listener_ = std::move(l); }

  private:
    std::ostream& out_;
    uint64_t lines_ = 0;
    Listener listener_;
};

// The fields of a frame worth logging, as JSON members without braces:
// "len":98,"src":"10.0.0.1","dst":"10.0.0.2","proto":"ICMP","icmp_type":8,…
std::string frame_fields(base::ByteSpan frame);
// The same for a bare IPv4 packet.
std::string packet_fields(base::ByteSpan packet);

}  // namespace sim
