#include "conformance/minternet_target.hpp"

#include <deque>

#include "stack/host.hpp"
#include "stack/tcp.hpp"

namespace conformance {
namespace {

using base::Duration;
using base::Time;

tcp::Options options_for(const SocketSettings& s) {
    tcp::Options o;
    if (s.receive_buffer) o.receive_buffer = *s.receive_buffer;
    if (s.send_buffer) o.send_buffer = *s.send_buffer;
    o.max_segment = s.max_segment;
    o.nodelay = s.nodelay;
    o.cork = s.cork;
    if (s.linger_seconds) o.linger = Duration::seconds(*s.linger_seconds);
    if (s.user_timeout_ms) o.user_timeout = Duration::milliseconds(*s.user_timeout_ms);
    if (s.keepalive_idle)
        o.keepalive = tcp::KeepAlive{.idle = Duration::seconds(*s.keepalive_idle),
                                     .interval = Duration::seconds(*s.keepalive_interval),
                                     .probes = static_cast<int>(*s.keepalive_count)};
    if (s.congestion)
        o.congestion = *s.congestion == "reno" ? tcp::CongestionAlgorithm::new_reno
                                               : tcp::CongestionAlgorithm::cubic;
    return o;
}

SocketError error_of(const tcp::Connection* c) {
    if (c == nullptr || !c->error()) return SocketError::none;
    switch (*c->error()) {
        case tcp::Error::refused:
            return SocketError::refused;
        case tcp::Error::reset:
            return SocketError::reset;
        case tcp::Error::timed_out:
            return SocketError::timed_out;
        default:
            return SocketError::none;
    }
}

class MinternetTarget final : public Target {
  public:
    MinternetTarget() : host_(stack::HostConfig{.name = "sut"}, pool_, base::Seed{1}), tcp_(host_) {
        host_.add_interface({.name = "eth0", .mac = sut_mac, .address = {sut_address, 24}});
        host_.set_frame_sink([this](stack::InterfaceId, base::PacketBuffer f) {
            out_.push_back({{f.bytes().begin(), f.bytes().end()}, now_ - Time::zero()});
        });
    }

    TargetKind kind() const override { return TargetKind::minternet; }
    Duration early_slack() const override { return Duration::zero(); }
    Duration late_slack() const override { return Duration::zero(); }
    Duration now() override { return now_ - Time::zero(); }

    void send_frame(base::ByteSpan frame) override {
        host_.receive(0, pool_.copy_of(frame), now_);
        host_.poll(now_);
    }

    std::optional<Frame> next_frame(Duration deadline) override {
        const Time until = Time::zero() + deadline;
        while (out_.empty()) {
            const Time next = host_.next_deadline();
            if (next > until) {
                if (until > now_) now_ = until;
                return std::nullopt;
            }
            if (next > now_) now_ = next;
            host_.poll(now_);
        }
        Frame f = std::move(out_.front());
        out_.pop_front();
        return f;
    }

    Result listen(uint16_t port, uint32_t backlog, const SocketSettings& settings) override {
        auto l = tcp_.listen({sut_address, port}, backlog, options_for(settings));
        if (!l) return base::fail(std::string("listen: ") + std::string(to_string(l.error())));
        listener_ = *l;
        return {};
    }
    Result accept() override {
        if (!listener_) return base::fail(std::string("accept: no listener"));
        auto c = tcp_.accept(*listener_);
        if (!c) return base::fail(std::string("accept: no connection is waiting"));
        connection_ = *c;
        return {};
    }
    Result connect(uint16_t port, const SocketSettings& settings) override {
        auto c = tcp_.connect({peer_address, port}, now_, std::nullopt, options_for(settings));
        if (!c) return base::fail(std::string("connect: ") + std::string(to_string(c.error())));
        connection_ = *c;
        host_.poll(now_);
        return {};
    }
    base::Expected<size_t, std::string> write(size_t count) override {
        if (!connection_) return base::fail(std::string("write: no connection"));
        std::vector<std::byte> data(count);
        for (size_t i = 0; i < count; ++i)
            data[i] = pattern_byte(written_ + i);
        const size_t n = tcp_.send(*connection_, data, now_);
        written_ += n;
        host_.poll(now_);
        return n;
    }
    ReadResult read(size_t max) override {
        tcp::Connection* c = connection_ ? tcp_.connection(*connection_) : nullptr;
        if (c == nullptr) return {.kind = ReadResult::Kind::error, .error = SocketError::none};
        std::vector<std::byte> data(max);
        const size_t n = tcp_.receive(*connection_, data, now_);
        host_.poll(now_);
        if (n > 0) {
            for (size_t i = 0; i < n; ++i)
                if (data[i] != pattern_byte(read_ + i))
                    return {.kind = ReadResult::Kind::error, .error = SocketError::none};
            read_ += n;
            return {.kind = ReadResult::Kind::data, .bytes = n};
        }
        if (auto e = error_of(c); e != SocketError::none)
            return {.kind = ReadResult::Kind::error, .error = e};
        if (c->peer_finished()) return {.kind = ReadResult::Kind::eof};
        return {.kind = ReadResult::Kind::would_block};
    }
    SocketError pending_error() override {
        return connection_ ? error_of(tcp_.connection(*connection_)) : SocketError::none;
    }
    Result set_options(const SocketSettings& settings) override {
        if (!connection_) return base::fail(std::string("setsockopt: no connection"));
        auto r = tcp_.set_options(*connection_, options_for(settings), now_);
        if (!r) return base::fail(std::string("setsockopt: ") + std::string(to_string(r.error())));
        host_.poll(now_);
        return {};
    }
    Result shutdown() override {
        if (!connection_) return base::fail(std::string("shutdown: no connection"));
        tcp_.shutdown(*connection_, now_);
        host_.poll(now_);
        return {};
    }
    Result close() override {
        if (!connection_) return base::fail(std::string("close: no connection"));
        tcp_.release(*connection_, now_);
        connection_.reset();
        host_.poll(now_);
        return {};
    }

  private:
    base::BufferPool pool_;
    stack::Host host_;
    stack::Tcp tcp_;
    Time now_ = Time::zero();
    std::deque<Frame> out_;
    std::optional<stack::SocketId> listener_;
    std::optional<stack::SocketId> connection_;
    size_t written_ = 0;
    size_t read_ = 0;
};

}  // namespace

std::unique_ptr<Target> make_minternet_target() {
    return std::make_unique<MinternetTarget>();
}

}  // namespace conformance
