// Where a program's lines go: the terminal, a test, a report.
#pragma once

#include <functional>
#include <string>

namespace apps {

using Output = std::function<void(const std::string& line)>;

}  // namespace apps
