// TCP sockets for coroutine applications: TcpListener and TcpStream.
//
// Declared here so that applications and the runtime can be written against
// the whole socket API; the TCP issue defines them (there is no definition
// yet, so using them does not link).
#pragma once

#include <cstddef>

#include "base/result.hpp"
#include "socket/runtime.hpp"
#include "socket/task.hpp"
#include "stack/udp.hpp"

namespace sockets {

class TcpStream {
  public:
    // Opens a connection (the 3-way handshake): refused, timed out or
    // unreachable come back as errors.
    static Task<base::Expected<TcpStream, stack::SocketError>> connect(Runtime& rt,
                                                                       stack::Endpoint remote);

    // Sends all of `data`, waiting while the send buffer is full.
    Task<base::Expected<void, stack::SocketError>> send(base::ByteSpan data);
    // Up to `max` bytes as they arrive; an empty result is the end of the stream.
    Task<base::Expected<base::PacketBuffer, stack::SocketError>> receive(size_t max);
    // Half-close: sends FIN, keeps receiving.
    base::Expected<void, stack::SocketError> shutdown();
    // Closes gracefully (the 4-way close).
    Task<base::Expected<void, stack::SocketError>> close();
    // Resets the connection at once.
    void abort();
};

class TcpListener {
  public:
    static base::Expected<TcpListener, stack::SocketError> listen(Runtime& rt,
                                                                  stack::Endpoint local,
                                                                  size_t backlog = 128);
    Task<base::Expected<TcpStream, stack::SocketError>> accept();
};

}  // namespace sockets
