// Task<T>: the coroutine type of applications.
//
// A Task starts when it is first awaited (or spawned on a Runtime) and hands
// its result to whoever awaits it, resuming them directly (symmetric
// transfer). Errors travel as values in T (Expected); an exception escaping a
// task is a bug, and terminates.
//
// A GCC 12 bug to know when writing tasks: inside a coroutine, a temporary of
// an *aggregate* type holding a std::string, passed as an argument in a
// co_await expression (`co_await f(Options{.name = "x"})`), is moved into
// the frame bytewise, and the short string then points into the old copy: a
// bad free later (ASan: "attempting free on address which was not
// malloc()-ed"). Name such arguments first (`Options o{...}; co_await
// f(std::move(o))`), or give the type a constructor, as dns::Question has.
// A lambda with captures written inside the co_await expression (converted
// to a std::function argument) is hit the same way: its captures are
// destroyed twice. Name it first. clang is not affected; the sanitizer build
// catches it.
//
// Namespace `sockets`, not `socket`: the folder's name would collide with POSIX
// ::socket() wherever <sys/socket.h> is included too (the live driver).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

namespace sockets {

template <class T>
class Task;

namespace detail {

// At the end of a task, resume whoever awaited it (or nothing).
struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
        const std::coroutine_handle<> next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
};

// Coroutine frames come from here. The socket API makes a frame for every
// receive and send a program awaits, so frames that end are kept, by size,
// and handed out again instead of going back to the heap each time. The
// cache is per thread and bounded (docs/sockets.md).
void* allocate_frame(std::size_t size);
void free_frame(void* frame, std::size_t size) noexcept;

struct PromiseBase {
    std::coroutine_handle<> continuation;

    static void* operator new(std::size_t size) { return allocate_frame(size); }
    static void operator delete(void* frame, std::size_t size) noexcept { free_frame(frame, size); }

    std::suspend_always initial_suspend() noexcept { return {}; }
    FinalAwaiter final_suspend() noexcept { return {}; }
    void unhandled_exception() noexcept { std::terminate(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
  public:
    struct promise_type : detail::PromiseBase {
        std::optional<T> value;
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        template <class U>
        void return_value(U&& v) {
            value.emplace(std::forward<U>(v));
        }
    };

    Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Task& operator=(Task&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Task() {
        if (h_) h_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h_.promise().continuation = awaiting;
        return h_;
    }
    T await_resume() { return std::move(*h_.promise().value); }

  private:
    explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
    std::coroutine_handle<promise_type> h_;
};

template <>
class [[nodiscard]] Task<void> {
  public:
    struct promise_type : detail::PromiseBase {
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        void return_void() noexcept {}
    };

    Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    Task& operator=(Task&& o) noexcept {
        if (this != &o) {
            if (h_) h_.destroy();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    ~Task() {
        if (h_) h_.destroy();
    }

    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        h_.promise().continuation = awaiting;
        return h_;
    }
    void await_resume() noexcept {}

  private:
    explicit Task(std::coroutine_handle<promise_type> h) : h_(h) {}
    std::coroutine_handle<promise_type> h_;
};

}  // namespace sockets
