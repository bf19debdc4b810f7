// The runtime of one host's applications: it owns the host's sockets engines
// (UDP now, TCP later), runs coroutine applications, and keeps their timers.
//
// Coroutines are never resumed from inside a callback of the stack: when a
// datagram arrives (during Host::receive) the waiting coroutine is queued, and
// the runtime — a Pollable of the host — resumes it in the next poll, at the
// same virtual time. So an application always runs at a known `now()`, and
// never inside the stack's own processing.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "base/time.hpp"
#include "socket/task.hpp"
#include "stack/host.hpp"
#include "stack/tcp.hpp"
#include "stack/udp.hpp"

namespace sockets {

class Runtime : public stack::Pollable {
  public:
    using TimerId = uint64_t;

    // Attaches to `host`, which must outlive the runtime.
    explicit Runtime(stack::Host& host, stack::UdpConfig udp = {}, stack::TcpConfig tcp = {});
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;
    // Destroys the applications still running (their sockets close) and detaches.
    ~Runtime() override;

    stack::Host& host() { return host_; }
    stack::Udp& udp() { return *udp_; }
    stack::Tcp& tcp() { return *tcp_; }
    // The time of the poll the applications are running in.
    base::Time now() const { return now_; }

    // Runs `task` from the next poll on, until it finishes; the runtime owns it.
    void spawn(Task<void> task);
    size_t running() const { return spawned_.size(); }

    // co_await runtime.sleep(d): resumes d later.
    auto sleep(base::Duration d) {
        struct Sleep {
            Runtime& rt;
            base::Duration d;
            TimerId timer = 0;
            bool await_ready() const noexcept { return d <= base::Duration::zero(); }
            void await_suspend(std::coroutine_handle<> h) {
                timer = rt.add_timer(rt.now() + d, [this, h] {
                    timer = 0;
                    rt.schedule(h);
                });
            }
            void await_resume() noexcept {}
            ~Sleep() {
                if (timer) rt.cancel_timer(timer);
            }
        };
        return Sleep{*this, d};
    }

    // For awaiters: resume `h` in the next poll; timers run `fn` at `at`.
    void schedule(std::coroutine_handle<> h) { ready_.push_back(h); }
    TimerId add_timer(base::Time at, std::function<void()> fn);
    void cancel_timer(TimerId id);

    void poll(base::Time now) override;
    base::Time next_deadline() const override;

  private:
    struct Detached;
    Detached run(Task<void> task, uint64_t id);

    stack::Host& host_;
    std::unique_ptr<stack::Udp> udp_;
    std::unique_ptr<stack::Tcp> tcp_;
    base::Time now_ = base::Time::zero();
    std::vector<std::coroutine_handle<>> ready_;
    using Timers = std::map<std::pair<base::Time, TimerId>, std::function<void()>>;
    using TimerTimes = std::map<TimerId, base::Time>;
    Timers timers_;
    TimerTimes timer_times_;
    // Nodes of timers gone, kept to be used again: a program that sends with
    // a deadline sets and cancels a timer for every send.
    std::vector<Timers::node_type> spare_timers_;
    std::vector<TimerTimes::node_type> spare_times_;
    void keep(Timers::node_type timer, TimerTimes::node_type time);
    std::vector<std::coroutine_handle<>> batch_;  // poll()'s, kept for its capacity
    TimerId next_timer_ = 1;
    std::map<uint64_t, std::coroutine_handle<>> spawned_;  // by spawn order
    uint64_t next_spawn_ = 1;
};

}  // namespace sockets
