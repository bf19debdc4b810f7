#include "socket/runtime.hpp"

#include <vector>

namespace sockets {

// The coroutine that owns a spawned task: it awaits it, then tells the runtime
// and destroys itself.
struct Runtime::Detached {
    struct promise_type {
        Runtime* runtime = nullptr;
        uint64_t id = 0;
        Detached get_return_object() {
            return Detached{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        auto final_suspend() noexcept {
            struct Finish {
                bool await_ready() noexcept { return false; }
                void await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                    h.promise().runtime->spawned_.erase(h.promise().id);
                    h.destroy();
                }
                void await_resume() noexcept {}
            };
            return Finish{};
        }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
    std::coroutine_handle<promise_type> handle;
};

Runtime::Runtime(stack::Host& host, stack::UdpConfig udp, stack::TcpConfig tcp)
    : host_(host),
      udp_(std::make_unique<stack::Udp>(host, udp)),
      tcp_(std::make_unique<stack::Tcp>(host, tcp)) {
    host_.attach(this);
}

Runtime::~Runtime() {
    // Unfinished applications are destroyed where they wait; their awaiters
    // let go of sockets and timers as they go.
    while (!spawned_.empty()) {
        const auto it = spawned_.begin();
        const std::coroutine_handle<> h = it->second;
        spawned_.erase(it);
        h.destroy();
    }
    ready_.clear();
    host_.detach(this);
}

Runtime::Detached Runtime::run(Task<void> task, uint64_t) {
    co_await std::move(task);
}

void Runtime::spawn(Task<void> task) {
    const uint64_t id = next_spawn_++;
    Detached d = run(std::move(task), id);
    d.handle.promise().runtime = this;
    d.handle.promise().id = id;
    spawned_.emplace(id, d.handle);
    schedule(d.handle);
}

Runtime::TimerId Runtime::add_timer(base::Time at, std::function<void()> fn) {
    const TimerId id = next_timer_++;
    timers_.emplace(std::pair{at, id}, std::move(fn));
    timer_times_.emplace(id, at);
    return id;
}

void Runtime::cancel_timer(TimerId id) {
    const auto it = timer_times_.find(id);
    if (it == timer_times_.end()) return;
    timers_.erase({it->second, id});
    timer_times_.erase(it);
}

void Runtime::poll(base::Time now) {
    now_ = now;
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
        auto node = timers_.extract(timers_.begin());
        timer_times_.erase(node.key().second);
        node.mapped()();
    }
    // Resume what is ready now; what they make ready in turn waits for the
    // next poll (at the same time), so one poll always ends.
    std::vector<std::coroutine_handle<>> batch(ready_.begin(), ready_.end());
    ready_.clear();
    for (std::coroutine_handle<> h : batch)
        h.resume();
}

base::Time Runtime::next_deadline() const {
    if (!ready_.empty()) return base::Time::zero();
    return timers_.empty() ? base::Time::never() : timers_.begin()->first.first;
}

}  // namespace sockets
