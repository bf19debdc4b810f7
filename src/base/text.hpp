// Small text transformations shared by the layers that write text for people.
#pragma once

#include <string>
#include <string_view>

namespace base {

// Text made safe to put inside HTML, in an element or an attribute's value:
// < > & " become entities.
std::string escape_html(std::string_view s);

}  // namespace base
