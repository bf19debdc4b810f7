// The report page's program and style: web/report, bundled by esbuild at
// build time (scripts/build-report-assets.sh) and compiled in, so that a
// report is one file that opens offline.
#pragma once

#include <string_view>

namespace report {

std::string_view report_script();
std::string_view report_style();

}  // namespace report
