#include "apps/tcp_apps.hpp"

#include <functional>
#include <list>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "apps/connect.hpp"
#include "socket/tcp.hpp"

namespace apps {
namespace {

std::string peer_of(const sockets::TcpStream& s) {
    const tcp::Connection* c = s.connection();
    if (!c) return "?";
    return stack::Endpoint{c->tuple().remote_address, c->tuple().remote_port}.to_string();
}

sockets::Task<void> echo_connection(sockets::TcpStream s, Output output) {
    const std::string peer = peer_of(s);
    uint64_t bytes = 0;
    while (true) {
        auto data = co_await s.receive(64 * 1024);
        if (!data || data->empty()) break;
        bytes += data->size();
        if (!co_await s.send(data->bytes())) break;
    }
    (void)co_await s.close();
    output(fmt::format("echo: {} done, {} bytes echoed", peer, bytes));
}

constexpr size_t max_line = 4096;

struct Room {
    struct Member {
        sockets::TcpStream* stream;
        std::string name;
    };
    std::list<Member> members;

    // Queued on each other member's send buffer; a member that cannot take
    // more (its buffer is full) misses the line rather than stall the room.
    void say(const Member* from, const std::string& line) {
        for (Member& m : members) {
            if (&m == from) continue;
            (void)m.stream->try_send(base::as_bytes(line));
        }
    }
};

sockets::Task<void> chat_connection(sockets::TcpStream s, std::shared_ptr<Room> room,
                                    Output output) {
    room->members.push_back({&s, peer_of(s)});
    Room::Member* me = &room->members.back();
    output(fmt::format("chat: {} joined ({} here)", me->name, room->members.size()));
    room->say(me, fmt::format("* {} joined\n", me->name));
    std::string pending;
    while (true) {
        auto data = co_await s.receive(max_line);
        if (!data || data->empty()) break;
        pending.append(base::as_chars(data->bytes()));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos || pending.size() >= max_line) {
            const size_t cut = nl == std::string::npos ? max_line : nl + 1;
            std::string line = pending.substr(0, cut);
            pending.erase(0, cut);
            if (!line.ends_with('\n')) line += '\n';
            room->say(me, fmt::format("{}: {}", me->name, line));
        }
    }
    room->say(me, fmt::format("* {} left\n", me->name));
    room->members.remove_if([&](const Room::Member& m) { return &m == me; });
    output(fmt::format("chat: {} left", peer_of(s)));
    (void)co_await s.close();
}

using Serve = std::function<sockets::Task<void>(sockets::TcpStream)>;

// Listens on `port` and serves each connection in its own task, for ever.
sockets::Task<void> accept_each(sockets::Runtime& rt, uint16_t port, std::string_view label,
                                Output output, Serve serve) {
    auto l = sockets::TcpListener::listen_any(rt, port);
    if (!l) {
        output(fmt::format("{}: cannot listen on TCP port {}: {}", label, port,
                           stack::to_string(l.error())));
        co_return;
    }
    output(fmt::format("{}: listening on TCP port {}", label, port));
    while (true) {
        auto s = co_await l->accept();
        if (s) rt.spawn(serve(std::move(*s)));
    }
}

}  // namespace

// The handlers are named before the co_await: a lambda with captures made in
// a co_await expression is destroyed twice by GCC 12 (see socket/task.hpp).
sockets::Task<void> tcp_echo(sockets::Runtime& rt, uint16_t port, Output output) {
    Serve serve = [output](sockets::TcpStream s) { return echo_connection(std::move(s), output); };
    co_await accept_each(rt, port, "echo", output, std::move(serve));
}

sockets::Task<void> chat_server(sockets::Runtime& rt, uint16_t port, Output output) {
    auto room = std::make_shared<Room>();
    Serve serve = [room, output](sockets::TcpStream s) {
        return chat_connection(std::move(s), room, output);
    };
    co_await accept_each(rt, port, "chat", output, std::move(serve));
}

namespace {

sockets::Task<void> hello_connection(sockets::TcpStream s, std::string reply, Output output) {
    const std::string peer = peer_of(s);
    auto first = co_await s.receive(4096);
    if (first && !first->empty()) {
        output(fmt::format("hello: {} says \"{}\"; answering \"{}\"", peer,
                           base::as_chars(first->bytes()), reply));
        (void)co_await s.send(base::as_bytes(reply));
        // Wait for the client to close first, reading (and dropping) anything more.
        while (true) {
            auto more = co_await s.receive(4096);
            if (!more || more->empty()) break;
        }
    }
    (void)co_await s.close();
    output(fmt::format("hello: {} closed", peer));
}

}  // namespace

sockets::Task<void> hello_server(sockets::Runtime& rt, uint16_t port, std::string reply,
                                 Output output) {
    Serve serve = [reply, output](sockets::TcpStream s) {
        return hello_connection(std::move(s), reply, output);
    };
    co_await accept_each(rt, port, "hello", output, std::move(serve));
}

sockets::Task<bool> hello_client(sockets::Runtime& rt, HelloOptions o, Output output) {
    auto connected = co_await connect_to(rt, o.to, o.port, o.label, output);
    if (!connected) {
        output(fmt::format("{}: {}", o.label, connected.error()));
        co_return false;
    }
    sockets::TcpStream& stream = connected->stream;
    output(fmt::format("{}: connected to {} (3-way handshake, {})", o.label,
                       connected->remote.to_string(), in_ms(connected->handshake)));
    const base::Time sending = rt.now();
    if (!co_await stream.send(base::as_bytes(o.message))) {
        output(fmt::format("{}: the connection broke while sending", o.label));
        co_return false;
    }
    auto answer = co_await stream.receive(4096);
    const bool answered = answer && !answer->empty();
    if (answered) {
        output(fmt::format("{}: sent \"{}\", got \"{}\" ({})", o.label, o.message,
                           base::as_chars(answer->bytes()), in_ms(rt.now() - sending)));
    } else {
        output(fmt::format("{}: sent \"{}\", no answer", o.label, o.message));
    }
    const base::Time closing = rt.now();
    (void)co_await stream.close();
    output(fmt::format("{}: closed (4-way close, {})", o.label, in_ms(rt.now() - closing)));
    co_return answered;
}

}  // namespace apps
