// A flag coroutines can wait on: `co_await event.wait()` returns at once if
// the event is set, else when someone calls set(). Waiters resume in the
// runtime's next poll, like every other wake-up.
#pragma once

#include <coroutine>
#include <vector>

#include "socket/runtime.hpp"

namespace sockets {

class Event {
  public:
    explicit Event(Runtime& rt) : rt_(&rt) {}
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    ~Event() = default;

    void set() {
        set_ = true;
        for (std::coroutine_handle<> h : waiting_)
            rt_->schedule(h);
        waiting_.clear();
    }
    void reset() { set_ = false; }
    bool is_set() const { return set_; }

    auto wait() {
        struct Awaiter {
            Event* e;
            std::coroutine_handle<> handle;
            bool await_ready() const noexcept { return e->set_; }
            void await_suspend(std::coroutine_handle<> h) {
                handle = h;
                e->waiting_.push_back(h);
            }
            void await_resume() noexcept { handle = {}; }
            ~Awaiter() {
                if (handle) std::erase(e->waiting_, handle);  // destroyed while waiting
            }
        };
        return Awaiter{this, {}};
    }

  private:
    Runtime* rt_;
    bool set_ = false;
    std::vector<std::coroutine_handle<>> waiting_;
};

}  // namespace sockets
