// The Linux kernel as the system under test: a TAP device (10.0.0.1) in a
// network namespace of the calling process's own, with no other interface
// and no route out; the harness's frames go in through the TAP and the
// kernel's come out of it. Socket calls are this process's, made in that
// namespace.
//
// The caller must have entered a fresh namespace (unshare(CLONE_NEWNET)) so
// sysctls set here stay in it and nothing outlives the script.
#pragma once

#include <memory>
#include <string>

#include "base/result.hpp"
#include "conformance/target.hpp"

namespace conformance {

// The sysctls the harness sets in the namespace, and why, for docs/tcp.md.
struct KernelSetting {
    const char* path;
    const char* value;
    const char* why;
};
std::span<const KernelSetting> kernel_settings();

base::Expected<std::unique_ptr<Target>, std::string> make_linux_target();

}  // namespace conformance
