// Runs a script against a target, playing the peer: builds the peer's
// frames, answers ARP, learns the SUT's initial sequence number, port and
// timestamps, and checks each segment the SUT sends against the script.
#pragma once

#include <string>

#include "base/time.hpp"
#include "conformance/script.hpp"
#include "conformance/target.hpp"

namespace conformance {

struct Outcome {
    bool passed = false;
    int line = 0;           // of the first step that failed
    std::string message;    // what was expected and what came instead
    base::Duration took{};  // on the target's clock
};

Outcome run_script(const Script& script, Target& target);

}  // namespace conformance
