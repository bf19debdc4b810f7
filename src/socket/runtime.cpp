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
    if (spare_timers_.empty()) {
        timers_.emplace(std::pair{at, id}, std::move(fn));
        timer_times_.emplace(id, at);
        return id;
    }
    Timers::node_type timer = std::move(spare_timers_.back());
    spare_timers_.pop_back();
    TimerTimes::node_type time = std::move(spare_times_.back());
    spare_times_.pop_back();
    timer.key() = {at, id};
    timer.mapped() = std::move(fn);
    time.key() = id;
    time.mapped() = at;
    timers_.insert(std::move(timer));
    timer_times_.insert(std::move(time));
    return id;
}

void Runtime::keep(Timers::node_type timer, TimerTimes::node_type time) {
    constexpr size_t most = 64;
    if (spare_timers_.size() >= most) return;  // the nodes go with their handles
    timer.mapped() = nullptr;
    spare_timers_.push_back(std::move(timer));
    spare_times_.push_back(std::move(time));
}

void Runtime::cancel_timer(TimerId id) {
    const auto it = timer_times_.find(id);
    if (it == timer_times_.end()) return;
    Timers::node_type timer = timers_.extract({it->second, id});
    keep(std::move(timer), timer_times_.extract(it));
}

void Runtime::poll(base::Time now) {
    now_ = now;
    // Most polls find nothing to do (the host polls every attached part).
    if (ready_.empty() && (timers_.empty() || timers_.begin()->first.first > now)) return;
    while (!timers_.empty() && timers_.begin()->first.first <= now) {
        Timers::node_type timer = timers_.extract(timers_.begin());
        TimerTimes::node_type time = timer_times_.extract(timer.key().second);
        std::function<void()> fn = std::move(timer.mapped());
        keep(std::move(timer), std::move(time));
        fn();
    }
    // Resume what is ready now; what they make ready in turn waits for the
    // next poll (at the same time), so one poll always ends.
    // The ready list is swapped out whole, and its storage comes back for
    // the next poll.
    std::vector<std::coroutine_handle<>> batch;
    batch.swap(ready_);
    ready_.swap(batch_);  // empty, with the capacity kept from the last poll
    for (std::coroutine_handle<> h : batch)
        h.resume();
    batch.clear();
    batch_.swap(batch);
}

base::Time Runtime::next_deadline() const {
    if (!ready_.empty()) return base::Time::zero();
    return timers_.empty() ? base::Time::never() : timers_.begin()->first.first;
}

}  // namespace sockets
