// A flag coroutines can wait on: `co_await event.wait()` returns at once if
// the event is set, else when someone calls set(). Waiters resume in the
// runtime's next poll, like every other wake-up. `wait_until(deadline)`
// gives up at the deadline: one coroutine can so wait for whichever comes
// first of several things that all set one event, or a timer (as poll(2)
// with a timeout does).
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

    // As wait(), until `deadline` at the latest; true if the event was set.
    auto wait_until(base::Time deadline) {
        struct Awaiter {
            Event* e;
            base::Time deadline;
            std::coroutine_handle<> handle;
            Runtime::TimerId timer = 0;
            bool await_ready() const noexcept { return e->set_ || deadline <= e->rt_->now(); }
            void await_suspend(std::coroutine_handle<> h) {
                handle = h;
                e->waiting_.push_back(h);
                if (deadline.is_never()) return;
                timer = e->rt_->add_timer(deadline, [this] {
                    timer = 0;
                    // Unless set() has already queued it.
                    if (std::erase(e->waiting_, handle) > 0) e->rt_->schedule(handle);
                });
            }
            bool await_resume() noexcept {
                if (timer) e->rt_->cancel_timer(timer);
                timer = 0;
                handle = {};
                return e->set_;
            }
            ~Awaiter() {
                if (handle) std::erase(e->waiting_, handle);  // destroyed while waiting
                if (timer) e->rt_->cancel_timer(timer);
            }
        };
        return Awaiter{this, deadline, {}};
    }

  private:
    Runtime* rt_;
    bool set_ = false;
    std::vector<std::coroutine_handle<>> waiting_;
};

}  // namespace sockets
