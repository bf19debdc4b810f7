#include "live/impaired_path.hpp"

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "netem/units.hpp"

namespace live {

base::Expected<Impairment, std::string> parse_impairment(std::string_view text) {
    Impairment out;
    netem::Impairments& imp = out.impairments;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t end = std::min(text.find(',', at), text.size());
        const std::string_view item = text.substr(at, end - at);
        const size_t column = at + 1;
        const size_t eq = item.find('=');
        if (item.empty() || eq == std::string_view::npos || eq == 0)
            return base::fail(
                fmt::format("--impair, character {}: '{}' is not KEY=VALUE", column, item));
        const std::string_view key = item.substr(0, eq);
        const std::string_view value = item.substr(eq + 1);
        auto wrong = [&](const std::string& why) {
            return base::fail(fmt::format("--impair, character {}: {}: {}", column, key, why));
        };
        auto probability = [&](double& field) -> std::optional<std::string> {
            auto p = netem::parse_probability(value);
            if (!p) return p.error();
            field = *p;
            return std::nullopt;
        };
        std::optional<std::string> error;
        if (key == "loss") {
            error = probability(imp.loss);
        } else if (key == "loss_correlation") {
            error = probability(imp.loss_correlation);
        } else if (key == "reorder") {
            error = probability(imp.reorder);
        } else if (key == "reorder_correlation") {
            error = probability(imp.reorder_correlation);
        } else if (key == "duplicate") {
            error = probability(imp.duplicate);
        } else if (key == "duplicate_correlation") {
            error = probability(imp.duplicate_correlation);
        } else if (key == "corrupt") {
            error = probability(imp.corrupt);
        } else if (key == "corrupt_correlation") {
            error = probability(imp.corrupt_correlation);
        } else if (key == "jitter_correlation") {
            error = probability(imp.jitter_correlation);
        } else if (key == "delay" || key == "jitter") {
            auto d = netem::parse_duration(value);
            if (!d) {
                error = d.error();
            } else if (*d < base::Duration::zero() || *d > base::Duration::seconds(60)) {
                error = "between 0 and 60s";
            } else {
                (key == "delay" ? out.delay : imp.jitter) = *d;
            }
        } else if (key == "reorder_gap") {
            unsigned gap = 0;
            const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), gap);
            if (ec != std::errc{} || p != value.data() + value.size() || gap < 1 || gap > 1'000'000)
                error = "a whole number from 1 to 1000000";
            else
                imp.reorder_gap = gap;
        } else if (key == "jitter_distribution") {
            bool found = false;
            for (auto d :
                 {netem::JitterDistribution::uniform, netem::JitterDistribution::normal,
                  netem::JitterDistribution::pareto, netem::JitterDistribution::paretonormal}) {
                if (netem::to_string(d) == value) {
                    imp.jitter_distribution = d;
                    found = true;
                }
            }
            if (!found) error = "one of uniform, normal, pareto, paretonormal";
        } else {
            return wrong(
                "unknown key (known: loss, loss_correlation, delay, jitter, "
                "jitter_distribution, jitter_correlation, reorder, reorder_correlation, "
                "reorder_gap, duplicate, duplicate_correlation, corrupt, corrupt_correlation)");
        }
        if (error) return wrong(*error);
        if (end == text.size()) break;
        at = end + 1;
    }
    if (imp.reorder > 0 && out.delay == base::Duration::zero())
        return base::fail(std::string(
            "--impair: reorder needs a delay (a reordered frame skips the delay the others wait "
            "out, as with netem)"));
    return out;
}

ImpairedPath::ImpairedPath(Loop& loop, Impairment impairment, base::Seed seed, Deliver deliver)
    : loop_(loop),
      config_(std::move(impairment)),
      state_(config_.impairments, seed),
      deliver_(std::move(deliver)),
      timer_(loop, [this] { release_due(); }) {}

ImpairedPath::~ImpairedPath() = default;

void ImpairedPath::push(base::PacketBuffer frame) {
    ++stats_.frames;
    if (!config_.any()) {
        ++stats_.delivered;
        deliver_(std::move(frame));
        return;
    }
    const base::Time now = Loop::now();
    // The same decisions, in the same order, as on a simulated link.
    const netem::ImpairmentState::FrameFate fate = state_.decide_frame();
    std::vector<std::pair<netem::ImpairmentState::Decision, base::PacketBuffer>> copies;
    if (fate.duplicate) {
        ++stats_.duplicated;
        copies.emplace_back(*fate.duplicate, frame.clone());
    }
    copies.emplace_back(fate.frame, std::move(frame));
    for (auto& [decision, f] : copies) {
        if (decision.lose) {
            ++stats_.lost;
            continue;
        }
        if (decision.corrupt) {
            state_.corrupt(f.bytes());
            ++stats_.corrupted;
        }
        if (decision.reorder) {
            ++stats_.reordered;
            ++stats_.delivered;
            deliver_(std::move(f));
            continue;
        }
        // Jitter alone never reorders: a frame is not due before the one
        // that entered ahead of it.
        base::Time due = std::max(now, now + config_.delay + decision.jitter);
        if (!held_.empty()) due = std::max(due, held_.rbegin()->first.first);
        if (due <= now && held_.empty()) {
            ++stats_.delivered;
            deliver_(std::move(f));
        } else {
            hold(due, std::move(f));
        }
    }
}

void ImpairedPath::hold(base::Time due, base::PacketBuffer frame) {
    held_.emplace(std::make_pair(due, next_seq_++), std::move(frame));
    if (held_.begin()->first.first < timer_.at()) timer_.set(held_.begin()->first.first);
}

void ImpairedPath::release_due() {
    const base::Time now = Loop::now();
    while (!held_.empty() && held_.begin()->first.first <= now) {
        base::PacketBuffer f = std::move(held_.begin()->second);
        held_.erase(held_.begin());
        ++stats_.delivered;
        deliver_(std::move(f));
    }
    if (!held_.empty()) timer_.set(held_.begin()->first.first);
}

}  // namespace live
