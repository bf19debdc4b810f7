#include "apps/tcp_apps.hpp"

#include <list>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "socket/tcp.hpp"

namespace apps {
namespace {

std::string peer_of(const sockets::TcpStream& s) {
    const tcp::Connection* c = s.connection();
    if (!c) return "?";
    return fmt::format("{}:{}", c->tuple().remote_address.to_string(), c->tuple().remote_port);
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

}  // namespace

sockets::Task<void> tcp_echo(sockets::Runtime& rt, uint16_t port, Output output) {
    auto l = sockets::TcpListener::listen(rt, {wire::Ipv4Address::any(), port});
    if (!l) {
        output(fmt::format("echo: cannot listen on TCP port {}: {}", port,
                           stack::to_string(l.error())));
        co_return;
    }
    output(fmt::format("echo: listening on TCP port {}", port));
    while (true) {
        auto s = co_await l->accept();
        if (s) rt.spawn(echo_connection(std::move(*s), output));
    }
}

sockets::Task<void> chat_server(sockets::Runtime& rt, uint16_t port, Output output) {
    auto l = sockets::TcpListener::listen(rt, {wire::Ipv4Address::any(), port});
    if (!l) {
        output(fmt::format("chat: cannot listen on TCP port {}: {}", port,
                           stack::to_string(l.error())));
        co_return;
    }
    output(fmt::format("chat: listening on TCP port {}", port));
    auto room = std::make_shared<Room>();
    while (true) {
        auto s = co_await l->accept();
        if (s) rt.spawn(chat_connection(std::move(*s), room, output));
    }
}

}  // namespace apps
