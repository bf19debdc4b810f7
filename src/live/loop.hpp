// The live driver's event loop: file descriptors in epoll, timers on the
// monotonic clock, SIGINT and SIGTERM through a signalfd. Single-threaded:
// every handler runs on the thread that calls run().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "base/result.hpp"
#include "base/time.hpp"

namespace live {

class Loop {
  public:
    using Handler = std::function<void(uint32_t events)>;  // EPOLLIN, EPOLLOUT, …
    using TimerId = uint64_t;

    static base::Expected<std::unique_ptr<Loop>, std::string> create();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // CLOCK_MONOTONIC, as a Time.
    static base::Time now();

    // Watches `fd` for `events` (EPOLLIN | EPOLLOUT …); the handler may add,
    // change or remove any fd, itself included.
    base::Expected<void, std::string> add(int fd, uint32_t events, Handler handler);
    void modify(int fd, uint32_t events);
    void remove(int fd);

    TimerId at(base::Time when, std::function<void()> fn);
    TimerId after(base::Duration d, std::function<void()> fn) {
        return at(now() + d, std::move(fn));
    }
    void cancel(TimerId id);

    // Calls `fn` when SIGINT or SIGTERM arrives (they no longer kill the process).
    void on_stop_signal(std::function<void()> fn);

    // Runs until stop() (or a stop signal with no handler of its own); an
    // error if epoll itself fails. A stop() before run() — work that ended
    // while it was being set up — makes run() return at once.
    base::Expected<void, std::string> run();
    void stop() { stop_requested_ = true; }

  private:
    explicit Loop(int epoll) : epoll_(epoll) {}
    void run_timers();

    int epoll_ = -1;
    int signal_fd_ = -1;
    bool stop_requested_ = false;  // taken (and cleared) when run() returns
    std::unordered_map<int, Handler> handlers_;
    std::set<std::pair<base::Time, TimerId>> timers_;
    std::map<TimerId, std::pair<base::Time, std::function<void()>>> timer_fns_;
    TimerId next_timer_ = 1;
    std::function<void()> on_signal_;
};

// A timer that is moved rather than added: `set(at)` re-arms it for `at`
// (nothing to do if it is already there; `never` disarms it). For a driver
// that sleeps until a component's next deadline, which changes all the time.
class DeadlineTimer {
  public:
    DeadlineTimer(Loop& loop, std::function<void()> fn) : loop_(loop), fn_(std::move(fn)) {}
    ~DeadlineTimer() { set(base::Time::never()); }
    DeadlineTimer(const DeadlineTimer&) = delete;
    DeadlineTimer& operator=(const DeadlineTimer&) = delete;

    void set(base::Time at);
    base::Time at() const { return at_; }

  private:
    Loop& loop_;
    std::function<void()> fn_;
    Loop::TimerId id_ = 0;
    base::Time at_ = base::Time::never();
};

}  // namespace live
