// minternet's host (stack::Host with stack::Tcp, default configuration) as
// the system under test, on a virtual clock that jumps from one timer to the
// next: a script that waits two minutes for retransmissions takes
// milliseconds.
#pragma once

#include <deque>
#include <memory>

#include "conformance/target.hpp"

namespace conformance {

std::unique_ptr<Target> make_minternet_target();

}  // namespace conformance
