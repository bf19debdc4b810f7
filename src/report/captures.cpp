#include "report/captures.hpp"

#include <fstream>

#include <fmt/format.h>

#include "wire/pcap.hpp"

namespace report {

std::string CaptureFrames::path(const std::string& node, const std::string& iface) const {
    return fmt::format("{}/{}-{}.pcap", dir_, node, iface);
}

const CaptureFrames::File& CaptureFrames::load(const std::string& node, const std::string& iface) {
    const std::string p = path(node, iface);
    if (const auto it = files_.find(p); it != files_.end()) return it->second;
    File& f = files_[p];
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        f.error = fmt::format("cannot read {}", p);
        return f;
    }
    in.seekg(0, std::ios::end);
    f.bytes.resize(static_cast<size_t>(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(f.bytes.data()), static_cast<std::streamsize>(f.bytes.size()));
    auto reader = wire::pcap::Reader::open(f.bytes);
    if (!reader) {
        f.error = fmt::format("{}: {}", p, wire::to_string(reader.error()));
        return f;
    }
    for (;;) {
        auto next = reader->next();
        if (!next) {
            f.error = fmt::format("{}: record {}: {}", p, f.frames.size() + 1,
                                  wire::to_string(next.error()));
            break;
        }
        if (!*next) break;
        f.frames.push_back((*next)->data);
    }
    return f;
}

base::Expected<base::ByteSpan, std::string> CaptureFrames::frame(const std::string& node,
                                                                 const std::string& iface,
                                                                 uint64_t index) {
    const File& f = load(node, iface);
    if (index < f.frames.size()) return f.frames[index];
    if (!f.error.empty()) return base::fail(f.error);
    return base::fail(
        fmt::format("{} ends before frame {} (the run's capture and its event log disagree)",
                    path(node, iface), index + 1));
}

}  // namespace report
