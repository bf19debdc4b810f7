#include "sim/capture.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "sim/network.hpp"
#include "wire/pcap.hpp"
#include "wire/pcapng.hpp"

namespace sim {
namespace {
// A pcap writer's buffer: big enough for few writes, small enough that
// hundreds of interfaces do not hold much memory.
constexpr size_t pcap_buffer = 1 << 15;
constexpr size_t pcapng_buffer = 1 << 18;
}  // namespace

base::Expected<std::unique_ptr<PcapWriter>, std::string> PcapWriter::open(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return base::fail(fmt::format("cannot create capture file {}", path));
    std::unique_ptr<PcapWriter> w(new PcapWriter(f, path));
    wire::pcap::append_file_header(w->buffer_);
    return w;
}

PcapWriter::~PcapWriter() {
    flush();
    std::fclose(file_);
}

void PcapWriter::write(base::Time t, base::ByteSpan frame) {
    wire::pcap::append_record(buffer_, t.ns(), frame);
    ++frames_;
    if (buffer_.size() >= pcap_buffer) flush();
}

void PcapWriter::flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), file_);
    buffer_.clear();
    std::fflush(file_);
}

base::Expected<std::unique_ptr<Capture>, std::string> Capture::open(const Network& network,
                                                                    CaptureOptions options) {
    std::unique_ptr<Capture> c(new Capture(std::move(options)));
    const CaptureOptions& o = c->options_;
    const auto& nodes = network.nodes();
    c->slot_.resize(nodes.size());
    for (size_t n = 0; n < nodes.size(); ++n)
        c->slot_[n].assign(nodes[n]->config().interfaces.size(), -1);
    auto chosen = [&](NodeIndex n, stack::InterfaceId i) {
        if (o.all) return true;
        for (const CapturePoint& p : o.points)
            if (p.node == n && (!p.interface || *p.interface == i)) return true;
        return false;
    };

    std::error_code ec;
    const std::filesystem::path folder = o.format == CaptureFormat::pcap
                                             ? std::filesystem::path(o.path)
                                             : std::filesystem::path(o.path).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    if (ec) return base::fail(fmt::format("cannot create {}: {}", folder.string(), ec.message()));
    if (o.format == CaptureFormat::pcapng) {
        c->pcapng_ = std::fopen(o.path.c_str(), "wb");
        if (!c->pcapng_) return base::fail(fmt::format("cannot create capture file {}", o.path));
        c->buffer_.reserve(pcapng_buffer + 4096);
        wire::pcapng::append_section_header(c->buffer_);
    }
    for (size_t n = 0; n < nodes.size(); ++n) {
        const Node& node = *nodes[n];
        const auto& ifaces = node.config().interfaces;
        for (size_t i = 0; i < ifaces.size(); ++i) {
            if (!chosen(static_cast<NodeIndex>(n), static_cast<stack::InterfaceId>(i))) continue;
            const std::string name = fmt::format("{}-{}", node.name(), ifaces[i].name);
            if (o.format == CaptureFormat::pcap) {
                auto w = PcapWriter::open(fmt::format("{}/{}.pcap", o.path, name));
                if (!w) return base::fail(w.error());
                c->slot_[n][i] = static_cast<int32_t>(c->pcaps_.size());
                c->pcaps_.push_back(std::move(*w));
            } else {
                const Link* link = node.link_of(static_cast<stack::InterfaceId>(i));
                const std::string description = fmt::format(
                    "{} of {} ({}){}", ifaces[i].name, node.name(), ifaces[i].address.to_string(),
                    link ? fmt::format(", on link {}", link->name()) : "");
                wire::pcapng::append_interface(c->buffer_, name, description);
                c->slot_[n][i] = static_cast<int32_t>(c->interfaces_);
            }
            ++c->interfaces_;
        }
    }
    return c;
}

Capture::~Capture() {
    flush();
    if (pcapng_) std::fclose(pcapng_);
}

void Capture::event(const Event& e) {
    if (const auto* s = std::get_if<ev::FrameSent>(&e)) {
        write(s->node, s->iface, s->t, s->frame, true);
    } else if (const auto* r = std::get_if<ev::FrameReceived>(&e)) {
        write(r->node, r->iface, r->t, r->frame, false);
    }
}

void Capture::write(NodeIndex node, stack::InterfaceId iface, base::Time t, base::ByteSpan frame,
                    bool sent) {
    if (node >= slot_.size() || iface >= slot_[node].size()) return;
    const int32_t slot = slot_[node][iface];
    if (slot < 0) return;
    ++frames_;
    if (options_.format == CaptureFormat::pcap) {
        pcaps_[static_cast<size_t>(slot)]->write(t, frame);
        return;
    }
    wire::pcapng::append_packet(
        buffer_, static_cast<uint32_t>(slot), t.ns(), frame,
        sent ? wire::pcapng::Direction::outbound : wire::pcapng::Direction::inbound);
    if (buffer_.size() >= pcapng_buffer) flush();
}

void Capture::flush() {
    for (const auto& p : pcaps_)
        p->flush();
    if (pcapng_) {
        if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), pcapng_);
        buffer_.clear();
        std::fflush(pcapng_);
    }
}

std::vector<std::string> Capture::files() const {
    std::vector<std::string> out;
    if (options_.format == CaptureFormat::pcapng) {
        out.push_back(options_.path);
    } else {
        for (const auto& p : pcaps_)
            out.push_back(p->path());
    }
    return out;
}

}  // namespace sim
