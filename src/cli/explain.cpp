#include "cli/explain.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/captures.hpp"
#include "report/dissect.hpp"
#include "report/event_fields.hpp"
#include "report/timeline.hpp"

namespace cli {
namespace {

struct Found {
    std::string node;
    std::string iface;
    uint64_t frame_index = 0;  // in that interface's capture, from 0
    base::Time sent;
    std::string summary;
};

int fail(const std::string& what) {
    fmt::print(stderr, "minternet explain: {}\n", what);
    return 2;
}

}  // namespace

int run_explain(const ExplainCommand& c, std::FILE* out) {
    const std::filesystem::path dir(c.run_dir);
    const std::filesystem::path events_path = dir / "events.jsonl";
    std::ifstream events(events_path);
    if (!events)
        return fail(fmt::format("no {} (give the folder a run wrote, such as out/seeds)",
                                events_path.string()));

    // Walk the log: number the frames sent, and count each interface's
    // frames (its capture holds those it sent and those it received).
    std::map<std::string, uint64_t> frames_on;  // "node-iface" -> frames so far
    std::optional<Found> found;
    uint64_t sent = 0;
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
        ++sent;
        const base::Time t =
            base::Time::zero() + base::Duration::nanoseconds(e.value("t_ns", int64_t{0}));
        if (!c.packet) {
            fmt::print(out, "#{:<6} [{:>14}] {:<12} {:<5} {}\n", sent, base::to_string(t), node,
                       iface, report::describe_packet(e));
        } else if (sent == *c.packet) {
            found = Found{node, iface, index, t, report::describe_packet(e)};
            break;
        }
    }
    if (!c.packet) {
        fmt::print(out, "\n{} packets; `minternet explain {} N` shows packet #N layer by layer.\n",
                   sent, c.run_dir);
        return 0;
    }
    if (!found)
        return fail(fmt::format("the run sent {} packets; there is no #{}", sent, *c.packet));

    report::CaptureFrames captures((dir / "pcap").string());
    const auto frame = captures.frame(found->node, found->iface, found->frame_index);
    if (!frame) return fail(frame.error());

    fmt::print(out, "Packet #{}: sent by {} on {} at {} s, {} bytes\n{}\n(frame {} of {})\n\n",
               *c.packet, found->node, found->iface, base::to_string(found->sent), frame->size(),
               found->summary, found->frame_index + 1, captures.path(found->node, found->iface));
    std::string indent;
    for (const report::DissectedLayer& layer : report::dissect(*frame)) {
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

}  // namespace cli
