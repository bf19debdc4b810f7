#include "cli/explain.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/time.hpp"
#include "report/captures.hpp"
#include "report/dissect.hpp"
#include "report/event_fields.hpp"
#include "sim/frame_summary.hpp"
#include "wire/pcapng.hpp"

namespace cli {
namespace {

// A frame some node sent, numbered as the run's report numbers them.
struct Sent {
    std::string node;
    std::string iface;
    base::Time t;
    base::ByteSpan frame;
    std::string source;  // where the bytes are: "capture.pcapng" or the pcap file
    uint64_t index = 0;  // the frame's place in that file, from 0
};

int fail(const std::string& what) {
    fmt::print(stderr, "minternet explain: {}\n", what);
    return 2;
}

std::vector<std::byte> read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::vector<std::byte> bytes;
    if (!in) return bytes;
    in.seekg(0, std::ios::end);
    bytes.resize(static_cast<size_t>(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return bytes;
}

// Lists or shows; `all` holds every frame sent, in order.
int show(const ExplainCommand& c, const std::vector<Sent>& all, std::FILE* out) {
    if (!c.packet) {
        for (size_t i = 0; i < all.size(); ++i) {
            const Sent& s = all[i];
            fmt::print(out, "#{:<6} [{:>14}] {:<12} {:<5} {}\n", i + 1, base::to_string(s.t),
                       s.node, s.iface, report::describe_packet(sim::summarize_frame(s.frame)));
        }
        fmt::print(out, "\n{} packets; `minternet explain {} N` shows packet #N layer by layer.\n",
                   all.size(), c.run_dir);
        return 0;
    }
    if (*c.packet < 1 || *c.packet > all.size())
        return fail(fmt::format("the run sent {} packets; there is no #{}", all.size(), *c.packet));
    const Sent& s = all[*c.packet - 1];
    fmt::print(out, "Packet #{}: sent by {} on {} at {} s, {} bytes\n{}\n(frame {} of {})\n\n",
               *c.packet, s.node, s.iface, base::to_string(s.t), s.frame.size(),
               report::describe_packet(sim::summarize_frame(s.frame)), s.index + 1, s.source);
    std::string indent;
    for (const report::DissectedLayer& layer : report::dissect(s.frame)) {
        fmt::print(out, "{}{} — {}\n", indent, layer.name, layer.summary);
        for (const report::Field& f : layer.fields)
            fmt::print(out, "{}  {:<22} {}\n", indent, f.name, f.value);
        if (!layer.problem.empty()) fmt::print(out, "{}  !! {}\n", indent, layer.problem);
        if (!layer.header.empty()) {
            fmt::print(out, "{}  {} bytes:\n{}", indent, layer.header.size(),
                       report::hexdump(layer.header, indent + "    "));
        }
        indent += "    ";
    }
    return 0;
}

// One pcapng file for the run: the frames marked outbound are the ones sent.
int explain_pcapng(const ExplainCommand& c, const std::filesystem::path& path, std::FILE* out) {
    const std::vector<std::byte> bytes = read_file(path);
    auto reader = wire::pcapng::Reader::open(bytes);
    if (!reader) return fail(fmt::format("{}: {}", path.string(), wire::to_string(reader.error())));
    std::vector<Sent> all;
    for (uint64_t index = 0;; ++index) {
        auto p = reader->next();
        if (!p)
            return fail(fmt::format("{}: frame {}: {}", path.string(), index + 1,
                                    wire::to_string(p.error())));
        if (!*p) break;
        if ((*p)->direction != wire::pcapng::Direction::outbound) continue;
        const std::string& name = reader->interfaces()[(*p)->interface].name;
        const size_t dash = name.rfind('-');
        all.push_back(
            Sent{.node = name.substr(0, dash),
                 .iface = dash == std::string::npos ? "" : name.substr(dash + 1),
                 .t = base::Time::zero() + base::Duration::nanoseconds((*p)->timestamp_ns),
                 .frame = (*p)->data,
                 .source = path.string(),
                 .index = index});
    }
    return show(c, all, out);
}

}  // namespace

int run_explain(const ExplainCommand& c, std::FILE* out) {
    const std::filesystem::path dir(c.run_dir);
    if (std::filesystem::exists(dir / "capture.pcapng"))
        return explain_pcapng(c, dir / "capture.pcapng", out);

    const std::filesystem::path events_path = dir / "events.jsonl";
    std::ifstream events(events_path);
    if (!events)
        return fail(fmt::format(
            "no {} nor {} (give the folder a run wrote with its captures and event log, such "
            "as out/seeds; `minternet run --capture all --events on` records them)",
            (dir / "capture.pcapng").string(), events_path.string()));

    // Walk the log: the frames sent, and each interface's frames in order
    // (its capture holds those it sent and those it received).
    report::CaptureFrames captures((dir / "pcap").string());
    std::map<std::string, uint64_t> frames_on;  // "node-iface" -> frames so far
    std::vector<Sent> all;
    std::string line;
    for (uint64_t line_no = 1; std::getline(events, line); ++line_no) {
        const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
        if (e.is_discarded() || !e.is_object())
            return fail(fmt::format("{}:{}: not a JSON object", events_path.string(), line_no));
        const std::string event = e.value("event", "");
        if (event != "send" && event != "receive") continue;
        const std::string node = e.value("node", "");
        const std::string iface = e.value("iface", "");
        const uint64_t index = frames_on[node + "-" + iface]++;
        if (event != "send") continue;
        if (c.packet && all.size() + 1 != *c.packet) {
            all.push_back(Sent{.node = node, .iface = iface});
            continue;
        }
        const auto frame = captures.frame(node, iface, index);
        if (!frame) return fail(frame.error());
        all.push_back(
            Sent{.node = node,
                 .iface = iface,
                 .t = base::Time::zero() + base::Duration::nanoseconds(e.value("t_ns", int64_t{0})),
                 .frame = *frame,
                 .source = captures.path(node, iface),
                 .index = index});
        if (c.packet) break;
    }
    return show(c, all, out);
}

}  // namespace cli
