#include "conformance/linux_target.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>

#include "live/loop.hpp"
#include "live/tap.hpp"

namespace conformance {

namespace {

using base::Duration;
using base::fail;

constexpr std::array<KernelSetting, 8> settings{{
    {"ipv6/conf/all/disable_ipv6", "1", "no IPv6 chatter (router solicitations, MLD) on the TAP"},
    {"ipv6/conf/default/disable_ipv6", "1", "the same for the TAP created afterwards"},
    {"ipv4/tcp_rmem", "4096 131072 262144",
     "the largest receive buffer is minternet's 256 KiB (the window scale still follows the "
     "machine-wide net.core.rmem_max, which a namespace cannot set)"},
    {"ipv4/tcp_wmem", "4096 16384 262144", "the largest send buffer is minternet's 256 KiB"},
    {"ipv4/tcp_comp_sack_nr", "0",
     "an ACK for each out-of-order segment at once (RFC 5681 §4.2), not Linux's compressed "
     "SACK, which thins them on a timer"},
    {"ipv4/tcp_autocorking", "0",
     "small writes go when Nagle lets them, not when the TAP's driver frees the previous one"},
    {"ipv4/tcp_timestamps", "1", "the default, stated"},
    {"ipv4/tcp_sack", "1", "the default, stated"},
}};

base::Expected<void, std::string> write_sysctl(const KernelSetting& s) {
    const std::string path = std::string("/proc/sys/net/") + s.path;
    std::ofstream f(path);
    f << s.value;
    f.close();
    if (!f) return fail("cannot set " + path + " to " + s.value);
    return {};
}

base::Expected<void, std::string> run(std::vector<std::string> argv) {
    std::vector<char*> args;
    for (auto& a : argv)
        args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) return fail(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string line;
        for (auto& a : argv)
            line += a + " ";
        return fail("'" + line + "' failed");
    }
    return {};
}

SocketError error_from_errno(int e) {
    switch (e) {
        case ECONNRESET:
        case EPIPE:
            return SocketError::reset;
        case ECONNREFUSED:
            return SocketError::refused;
        case ETIMEDOUT:
            return SocketError::timed_out;
        default:
            return SocketError::none;
    }
}

class LinuxTarget final : public Target {
  public:
    explicit LinuxTarget(live::TapDevice tap) : tap_(std::move(tap)) { start_ = clock(); }
    ~LinuxTarget() override {
        if (listener_ >= 0) ::close(listener_);
        if (connection_ >= 0) ::close(connection_);
    }

    TargetKind kind() const override { return TargetKind::linux_kernel; }
    // Linux's timers run in jiffies (4 ms at HZ 250) and may fire a tick
    // early against a clock read in nanoseconds; a loaded 2-core machine may
    // schedule the harness late.
    Duration early_slack() const override { return Duration::milliseconds(5); }
    Duration late_slack() const override { return Duration::milliseconds(25); }
    Duration now() override { return clock() - start_; }

    void send_frame(base::ByteSpan frame) override { (void)tap_.write(frame); }

    std::optional<Frame> next_frame(Duration deadline) override {
        if (!queue_.empty()) {
            Frame f = std::move(queue_.front());
            queue_.pop_front();
            return f;
        }
        return wait_frame(deadline);
    }

    Result listen(uint16_t port, uint32_t backlog, const SocketSettings& s) override {
        settle();
        listener_ = new_socket();
        const int one = 1;
        setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (auto r = apply(listener_, s); !r) return r;
        sockaddr_in a = address(sut_address, port);
        if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            return fail(std::string("bind: ") + std::strerror(errno));
        if (::listen(listener_, static_cast<int>(backlog)) != 0)
            return fail(std::string("listen: ") + std::strerror(errno));
        return {};
    }
    Result accept() override {
        settle();
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return fail(std::string("accept: ") + std::strerror(errno));
        connection_ = fd;
        return {};
    }
    Result connect(uint16_t port, const SocketSettings& s) override {
        settle();
        connection_ = new_socket();
        if (auto r = apply(connection_, s); !r) return r;
        sockaddr_in a = address(peer_address, port);
        if (::connect(connection_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 &&
            errno != EINPROGRESS)
            return fail(std::string("connect: ") + std::strerror(errno));
        return {};
    }
    base::Expected<size_t, std::string> write(size_t count) override {
        settle();
        std::vector<std::byte> data(count);
        for (size_t i = 0; i < count; ++i)
            data[i] = pattern_byte(written_ + i);
        const ssize_t n = ::send(connection_, data.data(), count, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) return size_t{0};
            return fail(std::string("send: ") + std::strerror(errno));
        }
        written_ += static_cast<size_t>(n);
        return static_cast<size_t>(n);
    }
    ReadResult read(size_t max) override {
        settle();
        std::vector<std::byte> data(max);
        const ssize_t n = ::recv(connection_, data.data(), max, MSG_DONTWAIT);
        if (n > 0) {
            for (ssize_t i = 0; i < n; ++i)
                if (data[static_cast<size_t>(i)] != pattern_byte(read_ + static_cast<size_t>(i)))
                    return {.kind = ReadResult::Kind::error};
            read_ += static_cast<size_t>(n);
            return {.kind = ReadResult::Kind::data, .bytes = static_cast<size_t>(n)};
        }
        if (n == 0) return {.kind = ReadResult::Kind::eof};
        if (errno == EAGAIN) return {.kind = ReadResult::Kind::would_block};
        return {.kind = ReadResult::Kind::error, .error = error_from_errno(errno)};
    }
    SocketError pending_error() override {
        settle();
        int e = 0;
        socklen_t len = sizeof e;
        getsockopt(connection_, SOL_SOCKET, SO_ERROR, &e, &len);
        return error_from_errno(e);
    }
    Result set_options(const SocketSettings& s) override {
        settle();
        return apply(connection_, s);
    }
    Result shutdown() override {
        settle();
        if (::shutdown(connection_, SHUT_WR) != 0)
            return fail(std::string("shutdown: ") + std::strerror(errno));
        return {};
    }
    Result close() override {
        settle();
        ::close(connection_);
        connection_ = -1;
        return {};
    }

  private:
    static Duration clock() { return live::Loop::now() - base::Time::zero(); }
    static sockaddr_in address(wire::Ipv4Address ip, uint16_t port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(ip.to_u32());
        return a;
    }
    // CUBIC, Linux's default and minternet's, unless the script picks: this
    // machine's kernel defaults to BBR, and a namespace may not make a
    // restricted algorithm its default, but root may set it per socket.
    static int new_socket() {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        static constexpr char cubic[] = "cubic";
        setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cubic, sizeof cubic - 1);
        return fd;
    }

    static Result apply(int fd, const SocketSettings& s) {
        const auto set = [&](int level, int name, int value, const char* what) -> Result {
            if (setsockopt(fd, level, name, &value, sizeof value) != 0)
                return fail(std::string(what) + ": " + std::strerror(errno));
            return {};
        };
        Result r;
        if (s.receive_buffer)
            r = set(SOL_SOCKET, SO_RCVBUF, static_cast<int>(*s.receive_buffer), "SO_RCVBUF");
        if (r && s.send_buffer)
            r = set(SOL_SOCKET, SO_SNDBUF, static_cast<int>(*s.send_buffer), "SO_SNDBUF");
        if (r && s.max_segment) r = set(IPPROTO_TCP, TCP_MAXSEG, *s.max_segment, "TCP_MAXSEG");
        if (r && s.nodelay) r = set(IPPROTO_TCP, TCP_NODELAY, *s.nodelay, "TCP_NODELAY");
        if (r && s.cork) r = set(IPPROTO_TCP, TCP_CORK, *s.cork, "TCP_CORK");
        if (r && s.user_timeout_ms)
            r = set(IPPROTO_TCP, TCP_USER_TIMEOUT, static_cast<int>(*s.user_timeout_ms),
                    "TCP_USER_TIMEOUT");
        if (r && s.keepalive_idle) {
            r = set(SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
            if (r)
                r = set(IPPROTO_TCP, TCP_KEEPIDLE, static_cast<int>(*s.keepalive_idle),
                        "TCP_KEEPIDLE");
            if (r)
                r = set(IPPROTO_TCP, TCP_KEEPINTVL, static_cast<int>(*s.keepalive_interval),
                        "TCP_KEEPINTVL");
            if (r)
                r = set(IPPROTO_TCP, TCP_KEEPCNT, static_cast<int>(*s.keepalive_count),
                        "TCP_KEEPCNT");
        }
        if (r && s.linger_seconds) {
            const linger l{.l_onoff = 1, .l_linger = static_cast<int>(*s.linger_seconds)};
            if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) != 0)
                r = fail(std::string("SO_LINGER: ") + std::strerror(errno));
        }
        if (r && s.congestion) {
            if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, s.congestion->data(),
                           static_cast<socklen_t>(s.congestion->size())) != 0)
                r = fail(std::string("TCP_CONGESTION: ") + std::strerror(errno));
        }
        return r;
    }

    std::optional<Frame> wait_frame(Duration deadline) {
        std::array<std::byte, 65536 + 64> buffer{};
        for (;;) {
            auto n = tap_.read(buffer);
            if (n && *n) {
                const auto* b = buffer.data();
                return Frame{{b, b + **n}, now()};
            }
            const Duration left = deadline - now();
            if (left <= Duration::zero()) return std::nullopt;
            pollfd p{.fd = tap_.fd(), .events = POLLIN, .revents = 0};
            // Wake to the millisecond, rounded up so the deadline is passed.
            const int ms = static_cast<int>((left.us() + 999) / 1000);
            ::poll(&p, 1, ms);
        }
    }

    // The kernel takes an injected frame in softirq context, a moment after
    // write() returns: a socket call waits 2 ms first so it sees the state
    // the script means. Frames that come meanwhile are queued, with their
    // times.
    void settle() {
        const Duration until = now() + Duration::milliseconds(2);
        while (auto f = wait_frame(until))
            queue_.push_back(std::move(*f));
    }

    live::TapDevice tap_;
    Duration start_{};
    std::deque<Frame> queue_;
    int listener_ = -1;
    int connection_ = -1;
    size_t written_ = 0;
    size_t read_ = 0;
};

}  // namespace

std::span<const KernelSetting> kernel_settings() {
    return settings;
}

base::Expected<std::unique_ptr<Target>, std::string> make_linux_target() {
    for (const auto& s : settings)
        if (auto r = write_sysctl(s); !r) return fail(r.error());
    auto tap = live::TapDevice::open("tap0");
    if (!tap) return fail("cannot open a TAP device: " + tap.error());
    for (auto cmd : std::vector<std::vector<std::string>>{
             {"ip", "link", "set", "dev", "lo", "up"},
             {"ip", "link", "set", "dev", "tap0", "address", "02:00:00:00:00:01"},
             {"ip", "address", "add", "10.0.0.1/24", "dev", "tap0"},
             {"ip", "link", "set", "dev", "tap0", "up"},
             {"ip", "neigh", "replace", "10.0.0.2", "lladdr", "02:00:00:00:00:02", "dev", "tap0",
              "nud", "permanent"},
         })
        if (auto r = run(cmd); !r) return fail(r.error());
    return std::unique_ptr<Target>(std::make_unique<LinuxTarget>(std::move(*tap)));
}

}  // namespace conformance
