#include "live/loop.hpp"

#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <vector>

namespace live {

base::Expected<std::unique_ptr<Loop>, std::string> Loop::create() {
    const int fd = epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0) return base::fail(std::string("epoll_create1: ") + std::strerror(errno));
    return std::unique_ptr<Loop>(new Loop(fd));
}

Loop::~Loop() {
    if (signal_fd_ >= 0) {
        // A stop signal often comes twice (`timeout` sends it to the child
        // and to its process group): take whatever is still pending, or
        // unblocking would let it kill the process while it finishes (its
        // output not yet flushed).
        signalfd_siginfo info{};
        while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        }
        close(signal_fd_);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_UNBLOCK, &set, nullptr);
    }
    close(epoll_);
}

base::Time Loop::now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return base::Time::zero() + base::Duration::seconds(ts.tv_sec) +
           base::Duration::nanoseconds(ts.tv_nsec);
}

base::Expected<void, std::string> Loop::add(int fd, uint32_t events, Handler handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0)
        return base::fail(std::string("epoll_ctl: ") + std::strerror(errno));
    handlers_[fd] = std::move(handler);
    return {};
}

void Loop::modify(int fd, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, fd, &ev);
}

void Loop::remove(int fd) {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
    handlers_.erase(fd);
}

Loop::TimerId Loop::at(base::Time when, std::function<void()> fn) {
    const TimerId id = next_timer_++;
    timers_.insert({when, id});
    timer_fns_[id] = {when, std::move(fn)};
    return id;
}

void Loop::cancel(TimerId id) {
    const auto it = timer_fns_.find(id);
    if (it == timer_fns_.end()) return;
    timers_.erase({it->second.first, id});
    timer_fns_.erase(it);
}

void Loop::on_stop_signal(std::function<void()> fn) {
    on_signal_ = std::move(fn);
    if (signal_fd_ >= 0) return;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    (void)add(signal_fd_, EPOLLIN, [this](uint32_t) {
        signalfd_siginfo info{};
        while (read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        }
        if (on_signal_) {
            on_signal_();
        } else {
            stop();
        }
    });
}

void Loop::run_timers() {
    const base::Time t = now();
    while (!timers_.empty() && timers_.begin()->first <= t) {
        const TimerId id = timers_.begin()->second;
        timers_.erase(timers_.begin());
        auto node = timer_fns_.extract(id);
        if (!node.empty()) node.mapped().second();
    }
}

base::Expected<void, std::string> Loop::run() {
    std::vector<epoll_event> events(64);
    while (!stop_requested_) {
        int timeout_ms = -1;
        if (!timers_.empty()) {
            const base::Duration wait = timers_.begin()->first - now();
            timeout_ms = wait.ns() <= 0 ? 0 : static_cast<int>((wait.ns() + 999'999) / 1'000'000);
        }
        const int n =
            epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
        if (n < 0 && errno != EINTR) {
            return base::fail(std::string("epoll_wait: ") + std::strerror(errno));
        }
        if (n < 0) continue;  // a signal: look at the stop flag again
        for (int i = 0; i < n && !stop_requested_; ++i) {
            const auto it = handlers_.find(events[static_cast<size_t>(i)].data.fd);
            if (it == handlers_.end()) continue;  // removed by an earlier handler
            Handler h = it->second;               // a copy: the handler may remove itself
            h(events[static_cast<size_t>(i)].events);
        }
        run_timers();
    }
    stop_requested_ = false;  // taken: the next run() runs
    return {};
}

void DeadlineTimer::set(base::Time at) {
    if (at == at_) return;
    if (id_ != 0) loop_.cancel(id_);
    id_ = 0;
    at_ = at;
    if (at.is_never()) return;
    id_ = loop_.at(at, [this] {
        id_ = 0;
        at_ = base::Time::never();
        fn_();
    });
}

}  // namespace live
