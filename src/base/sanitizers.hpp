// What the build is instrumented with. Caches that keep freed memory for
// reuse turn themselves off under AddressSanitizer, so that memory used after
// it was given back stays an error the sanitizer reports.
#pragma once

namespace base {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool address_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool address_sanitizer = true;
#else
inline constexpr bool address_sanitizer = false;
#endif
#else
inline constexpr bool address_sanitizer = false;
#endif

}  // namespace base
