// Captures: the frames that interfaces send and receive, written as Wireshark
// reads them — a classic pcap file per interface (NODE-IFACE.pcap), or one
// pcapng file for the whole run with an interface description per interface
// (any number of interfaces, one file descriptor). A sink of FrameSent and
// FrameReceived events, for the interfaces chosen.
//
// Timestamps are virtual time, so the same topology and seed give
// byte-identical files.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "sim/trace.hpp"

namespace sim {

class Network;

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

enum class CaptureFormat : uint8_t {
    pcap,    // a file per interface, in a folder
    pcapng,  // one file
};

// One interface to capture, or every interface of a node.
struct CapturePoint {
    NodeIndex node;
    std::optional<stack::InterfaceId> interface;  // none: all of the node's
};

struct CaptureOptions {
    CaptureFormat format = CaptureFormat::pcap;
    std::string path;  // the folder (pcap) or the file (pcapng)
    bool all = true;   // every interface, or only `points`
    std::vector<CapturePoint> points;
};

class Capture : public EventSink {
  public:
    // Creates the files (and the folder). The error names the file.
    static base::Expected<std::unique_ptr<Capture>, std::string> open(const Network& network,
                                                                      CaptureOptions options);
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture() override;

    EventMask wants() const override { return EventMask::of<ev::FrameSent, ev::FrameReceived>(); }
    void event(const Event& e) override;

    // Writes out what is buffered (also done on destruction).
    void flush();
    const CaptureOptions& options() const { return options_; }
    // The files written: one per interface (pcap), or one.
    std::vector<std::string> files() const;
    size_t interfaces() const { return interfaces_; }
    uint64_t frames() const { return frames_; }

  private:
    explicit Capture(CaptureOptions options) : options_(std::move(options)) {}
    void write(NodeIndex node, stack::InterfaceId iface, base::Time t, base::ByteSpan frame,
               bool sent);

    CaptureOptions options_;
    // Per node, per interface: the pcap writer or pcapng interface number,
    // or -1 when not captured.
    std::vector<std::vector<int32_t>> slot_;
    std::vector<std::unique_ptr<PcapWriter>> pcaps_;
    std::FILE* pcapng_ = nullptr;
    std::vector<std::byte> buffer_;  // pcapng blocks not yet written
    size_t interfaces_ = 0;
    uint64_t frames_ = 0;
};

}  // namespace sim
