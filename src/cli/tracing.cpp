#include "cli/tracing.hpp"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "sim/network.hpp"

namespace cli {
namespace {

// One choice, from the command line or else the file; `where` says which for
// error messages.
struct Choice {
    std::string value;
    std::string where;  // "--capture" or "file:line:column: trace capture"
};

std::optional<Choice> choose(const std::optional<std::string>& given, const char* option,
                             const std::optional<sim::TraceValue>& in_file, const char* key) {
    if (given) return Choice{*given, option};
    if (in_file)
        return Choice{in_file->value, fmt::format("{}:{}:{}: trace {}", in_file->where.file,
                                                  in_file->where.line, in_file->where.column, key)};
    return std::nullopt;
}

std::vector<std::string> comma_list(const std::string& text) {
    std::vector<std::string> items;
    std::stringstream list(text);
    std::string item;
    while (std::getline(list, item, ',')) {
        const auto begin = item.find_first_not_of(" \t");
        if (begin == std::string::npos) continue;
        items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
    }
    return items;
}

std::string known_nodes(const sim::Network& network) {
    std::string known;
    size_t shown = 0;
    for (const auto& n : network.nodes()) {
        if (shown++ == 10) return known + ", …";
        known += (known.empty() ? "" : ", ") + n->name();
    }
    return known;
}

// "client,r1:eth1" -> capture points; an error names the first bad one.
base::Expected<std::vector<sim::CapturePoint>, std::string> capture_points(
    const sim::Network& network, const Choice& c) {
    std::vector<sim::CapturePoint> points;
    for (const std::string& item : comma_list(c.value)) {
        const size_t colon = item.find(':');
        const std::string node = item.substr(0, colon);
        const auto index = network.index_of(node);
        if (!index)
            return base::fail(fmt::format("{}: no node '{}' in {} (nodes: {})", c.where, node,
                                          network.topology().file, known_nodes(network)));
        sim::CapturePoint p{*index, std::nullopt};
        if (colon != std::string::npos) {
            const std::string iface = item.substr(colon + 1);
            const auto& ifaces = network.nodes()[*index]->config().interfaces;
            std::string names;
            for (size_t i = 0; i < ifaces.size(); ++i) {
                if (ifaces[i].name == iface) p.interface = static_cast<stack::InterfaceId>(i);
                names += (names.empty() ? "" : ", ") + ifaces[i].name;
            }
            if (!p.interface)
                return base::fail(fmt::format("{}: {} has no interface '{}' (it has: {})", c.where,
                                              node, iface, names.empty() ? "none" : names));
        }
        points.push_back(p);
    }
    if (points.empty())
        return base::fail(
            fmt::format("{}: '{}' names no node; give all, none, or "
                        "NODE[:IFACE],…",
                        c.where, c.value));
    return points;
}

// "none" -> nothing; "on" -> the default file; anything else is a file.
base::Expected<std::optional<std::string>, std::string> file_choice(const std::optional<Choice>& c,
                                                                    bool default_on,
                                                                    const std::string& default_file,
                                                                    const std::string& out_dir) {
    if (!c) return default_on ? std::optional(default_file) : std::nullopt;
    if (c->value == "none" || c->value == "off") return std::optional<std::string>{};
    if (c->value == "on") return std::optional(default_file);
    if (c->value.empty()) return base::fail(fmt::format("{}: give none, on or a file", c->where));
    // A file named in the topology goes in the output folder; one on the
    // command line is where the shell says.
    if (c->where.starts_with("--") || std::filesystem::path(c->value).is_absolute())
        return std::optional(c->value);
    return std::optional((std::filesystem::path(out_dir) / c->value).string());
}

}  // namespace

base::Expected<TracePlan, std::string> plan_tracing(const sim::Network& network,
                                                    const TraceRequest& request,
                                                    const std::string& out_dir, bool defaults_on) {
    const sim::TraceSpec& file = network.topology().trace;
    TracePlan plan;
    const bool large = network.nodes().size() > large_topology_nodes;
    if (request.preset && *request.preset != "all" && *request.preset != "none")
        return base::fail(
            fmt::format("--trace: '{}' is all or none (each of --capture, --events, --report "
                        "then says otherwise for itself)",
                        *request.preset));
    const bool on_by_default = request.preset ? *request.preset == "all" : defaults_on && !large;

    // Captures.
    std::optional<Choice> capture = choose(request.capture, "--capture", file.capture, "capture");
    if (request.pcap_dir && !request.capture) capture = Choice{"all", "--pcap-dir"};
    const bool capture_default = !capture && on_by_default;
    if (capture_default || (capture && capture->value != "none")) {
        sim::CaptureOptions o;
        if (capture && capture->value != "all") {
            auto points = capture_points(network, *capture);
            if (!points) return base::fail(points.error());
            o.all = false;
            o.points = std::move(*points);
        }
        size_t interfaces = 0;
        for (sim::NodeIndex i = 0; i < network.nodes().size(); ++i) {
            const size_t n = network.nodes()[i]->config().interfaces.size();
            if (o.all) {
                interfaces += n;
                continue;
            }
            for (const sim::CapturePoint& p : o.points)
                if (p.node == i) interfaces += p.interface ? 1 : n;
        }
        const std::optional<Choice> format = choose(request.capture_format, "--capture-format",
                                                    file.capture_format, "capture_format");
        if (request.pcap_dir) {
            o.format = sim::CaptureFormat::pcap;
        } else if (!format) {
            o.format = interfaces > pcap_files_at_most ? sim::CaptureFormat::pcapng
                                                       : sim::CaptureFormat::pcap;
        } else if (format->value == "pcap") {
            o.format = sim::CaptureFormat::pcap;
        } else if (format->value == "pcapng") {
            o.format = sim::CaptureFormat::pcapng;
        } else {
            return base::fail(fmt::format("{}: '{}' is not a capture format (pcap or pcapng)",
                                          format->where, format->value));
        }
        o.path = request.pcap_dir ? *request.pcap_dir
                 : o.format == sim::CaptureFormat::pcap
                     ? (std::filesystem::path(out_dir) / "pcap").string()
                     : (std::filesystem::path(out_dir) / "capture.pcapng").string();
        plan.capture = std::move(o);
    }

    auto events =
        file_choice(choose(request.events, "--events", file.events, "events"), on_by_default,
                    (std::filesystem::path(out_dir) / "events.jsonl").string(), out_dir);
    if (!events) return base::fail(events.error());
    plan.events = *events;
    auto report =
        file_choice(choose(request.report, "--report", file.report, "report"), on_by_default,
                    (std::filesystem::path(out_dir) / "report.html").string(), out_dir);
    if (!report) return base::fail(report.error());
    plan.report = *report;

    if (file.timeline) {
        if (file.timeline->value != "on" && file.timeline->value != "off")
            return base::fail(fmt::format("{}:{}:{}: trace timeline is on or off, not '{}'",
                                          file.timeline->where.file, file.timeline->where.line,
                                          file.timeline->where.column, file.timeline->value));
        plan.timeline = file.timeline->value == "on";
    } else {
        plan.timeline = request.preset ? *request.preset == "all" : !large;
    }
    plan.off_by_size =
        defaults_on && large && !request.preset && !plan.capture && !plan.events && !plan.report;
    return plan;
}

base::Expected<std::unique_ptr<Tracing>, std::string> Tracing::open(sim::Network& network,
                                                                    const TracePlan& plan) {
    std::unique_ptr<Tracing> t(new Tracing(network));
    if (plan.capture) {
        auto c = sim::Capture::open(network, *plan.capture);
        if (!c) return base::fail(c.error());
        t->capture_ = std::move(*c);
        network.tracer().add(t->capture_.get());
    }
    if (plan.events) {
        const auto parent = std::filesystem::path(*plan.events).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        t->events_file_.open(*plan.events, std::ios::binary | std::ios::trunc);
        if (!t->events_file_) return base::fail(fmt::format("cannot create {}", *plan.events));
        t->events_ = std::make_unique<sim::EventLog>(t->events_file_, network);
        network.tracer().add(t->events_.get());
    }
    return t;
}

Tracing::~Tracing() {
    if (capture_) network_.tracer().remove(capture_.get());
    if (events_) network_.tracer().remove(events_.get());
    flush();
}

void Tracing::flush() {
    if (capture_) capture_->flush();
    if (events_) events_->flush();
    if (events_file_.is_open()) events_file_.flush();
}

}  // namespace cli
