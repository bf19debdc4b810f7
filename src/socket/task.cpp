#include "socket/task.hpp"

#include <array>
#include <new>
#include <vector>

#include "base/sanitizers.hpp"

namespace sockets::detail {
namespace {

// Under AddressSanitizer frames go straight back to the heap: a frame used
// after its coroutine ended must stay a use-after-free it can see.
constexpr bool recycle = !base::address_sanitizer;

// Sizes in steps of 64 bytes up to 2 KiB; larger frames (rare) go to the
// heap as they come. At most `kept` frames of each size wait for reuse.
constexpr std::size_t step = 64;
constexpr std::size_t classes = 32;
constexpr std::size_t kept = 256;

struct FrameCache {
    std::array<std::vector<void*>, classes> free;
    ~FrameCache() {
        for (auto& list : free)
            for (void* frame : list)
                ::operator delete(frame);
    }
};

thread_local FrameCache cache;

std::size_t class_of(std::size_t size) {
    return (size + step - 1) / step - 1;
}

}  // namespace

void* allocate_frame(std::size_t size) {
    const std::size_t c = class_of(size);
    if (!recycle || c >= classes) return ::operator new(size);
    auto& list = cache.free[c];
    if (list.empty()) return ::operator new((c + 1) * step);
    void* frame = list.back();
    list.pop_back();
    return frame;
}

void free_frame(void* frame, std::size_t size) noexcept {
    const std::size_t c = class_of(size);
    if (!recycle || c >= classes) return ::operator delete(frame);
    auto& list = cache.free[c];
    if (list.size() >= kept) return ::operator delete(frame);
    if (list.capacity() == 0) {
        try {
            list.reserve(kept);
        } catch (...) {
            return ::operator delete(frame);
        }
    }
    list.push_back(frame);  // within the capacity reserved: cannot throw
}

}  // namespace sockets::detail
