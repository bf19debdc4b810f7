/*
 * minternet's C API: a TCP/IP host in user space (Ethernet, ARP, IPv4, ICMP,
 * UDP, TCP) with sockets shaped like BSD's.
 *
 * A host is sans-IO: it owns no thread, clock or device. Its driver (your
 * event loop) hands it frames with mnet_host_input, calls mnet_host_poll
 * when mnet_host_next_deadline comes, and receives the frames it sends
 * through the output callback. Times are nanoseconds on the driver's clock
 * (CLOCK_MONOTONIC for a real device, anything monotonic otherwise).
 *
 * Sockets take the host first and otherwise follow POSIX: descriptors are
 * small non-negative integers (of this host, not of the process), addresses
 * are struct sockaddr with socklen_t, and a failing call returns -1 with
 * errno set to the POSIX value. A host you drive yourself cannot wait for
 * the network inside a call, so there every socket behaves as O_NONBLOCK:
 * a call that would block fails with EAGAIN (connect: EINPROGRESS) and you
 * retry after feeding the host; docs/embedding.md says more.
 *
 * One host belongs to one thread at a time; hosts are independent.
 */
#ifndef MINTERNET_MINTERNET_H
#define MINTERNET_MINTERNET_H

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MNET_VERSION_MAJOR 0
#define MNET_VERSION_MINOR 1
#define MNET_VERSION_PATCH 0

/* No deadline: mnet_host_next_deadline has nothing to do. */
#define MNET_NEVER UINT64_MAX

typedef struct mnet_host mnet_host;

/* The library's version, "MAJOR.MINOR.PATCH", as built (the header's
 * MNET_VERSION_* are what a program was compiled against). */
const char* mnet_version(void);

/* A host with no interface yet. Its secrets (TCP initial sequence numbers,
 * ephemeral ports) derive from `seed`; 0 takes them from the OS (getrandom),
 * as a host on a real network should. NULL (errno ENOMEM or EIO) on failure. */
mnet_host* mnet_host_new(uint64_t seed);
void mnet_host_free(mnet_host* host);

/* Adds an Ethernet interface with `address_cidr` ("10.0.0.1/24") and its
 * connected route; `mac` is 6 bytes; `mtu` from 576 to 9000 (0: 1500).
 * An IPv6 address ("2001:db8::1/64") makes an interface without IPv4 (MTU
 * at least 1280). Returns the interface's number (0, 1, ...) or -1 (EINVAL:
 * a bad address, MAC or MTU; EFAULT: a NULL pointer). */
int mnet_host_add_interface(mnet_host* host, const uint8_t mac[6], const char* address_cidr,
                            unsigned mtu);
/* Adds an IPv6 address ("2001:db8::1/64") to an interface, as `ip -6 addr
 * add`: IPv6 comes up on it with a link-local address made from its MAC,
 * and each address is usable once duplicate address detection has passed
 * (about a second of the host's time). 0 or -1 (EINVAL: no such interface,
 * a bad address, an MTU below 1280; EAFNOSUPPORT: an IPv4 address, of
 * which an interface has one; EFAULT). */
int mnet_host_add_address(mnet_host* host, int interface, const char* address_cidr);
/* A static route: `prefix_cidr` ("0.0.0.0/0" or "::/0" for the default)
 * through `gateway`, which must be on a connected subnet (for IPv6 a
 * link-local gateway will do when one interface speaks IPv6). 0 or -1
 * (EINVAL, ENETUNREACH: no interface reaches the gateway, EFAULT). */
int mnet_host_add_route(mnet_host* host, const char* prefix_cidr, const char* gateway);

/* Where the host's frames go: called from inside mnet_host_input,
 * mnet_host_poll and socket calls, with a whole Ethernet frame, valid only
 * during the call. */
typedef void (*mnet_output_fn)(void* user, int interface, const void* frame, size_t length);
void mnet_host_set_output(mnet_host* host, mnet_output_fn output, void* user);

/* A frame arrived on `interface` at `now_ns`. 0, or -1 with EINVAL (no
 * such interface, a frame longer than 65,549 bytes) or EFAULT. A malformed
 * frame is not an error of the call: the host drops and counts it. */
int mnet_host_input(mnet_host* host, int interface, const void* frame, size_t length,
                    uint64_t now_ns);
/* Runs the timers due by `now_ns`. Times never go backwards: an earlier
 * `now_ns` than the host has seen counts as the latest. */
void mnet_host_poll(mnet_host* host, uint64_t now_ns);
/* When the host next needs mnet_host_poll, or MNET_NEVER. */
uint64_t mnet_host_next_deadline(const mnet_host* host);

/* A ready driver for simple programs: the host on the TAP device `tap` (an
 * existing one, `ip tuntap add dev NAME mode tap`, or a new one that goes
 * with the process), with `address_cidr` and, unless `gateway` is NULL, a
 * default route through it; the host's clock is CLOCK_MONOTONIC. With it,
 * sockets block as POSIX says (unless O_NONBLOCK), driving the host while
 * they wait. 0 or -1 (EBUSY: attached already; EINVAL; EPERM or ENODEV
 * from the TAP). */
int mnet_tap_attach(mnet_host* host, const char* tap, const char* address_cidr,
                    const char* gateway);
/* Drives the attached host for `timeout_ms` (-1: until mnet_stop). 0, or -1
 * with EINVAL when no TAP is attached. */
int mnet_run(mnet_host* host, int timeout_ms);
/* Makes mnet_run, and any blocking call, return soon (safe from a signal
 * handler). A blocking call stopped this way fails with EINTR. */
void mnet_stop(mnet_host* host);

/* Name resolution. A recursive resolver the host asks, IPv4 or IPv6
 * (resolv.conf's `nameserver` line; up to three, asked in turn). 0 or -1
 * (EINVAL, EFAULT, ENOSPC: three already). */
int mnet_host_add_nameserver(mnet_host* host, const char* address);
/* getaddrinfo(3) over the host's resolver: the addresses of `node` (AAAA and
 * A records, following CNAMEs; AF_INET6 or AF_INET asks for one family,
 * AF_UNSPEC both at once), IPv6 first, one entry per address and socket type;
 * AI_ADDRCONFIG leaves out a family the host has no address in. Numeric
 * addresses and "localhost" (::1, 127.0.0.1) need no lookup; a service is a
 * number or a name from /etc/services. Returns 0 or an EAI_* value
 * (gai_strerror names it): EAI_NONAME (no such name, no address of the
 * family, or a name with AI_NUMERICHOST), EAI_ADDRFAMILY (a numeric address
 * of the other family), EAI_AGAIN
 * (no answer; or, on a host you drive yourself, the lookup has started or
 * is still going: call again after feeding the host), EAI_FAIL (no
 * nameserver), EAI_FAMILY, EAI_SOCKTYPE, EAI_SERVICE, EAI_BADFLAGS,
 * EAI_MEMORY, EAI_SYSTEM (errno EFAULT, or EINTR after mnet_stop). With a
 * TAP attached it waits for the answer. Free the list with
 * mnet_freeaddrinfo. */
struct addrinfo; /* <netdb.h> declares it only with POSIX features on */
int mnet_getaddrinfo(mnet_host* host, const char* node, const char* service,
                     const struct addrinfo* hints, struct addrinfo** result);
void mnet_freeaddrinfo(struct addrinfo* list);

/* Sockets. domain AF_INET or AF_INET6; type SOCK_STREAM (TCP) or SOCK_DGRAM
 * (UDP), optionally with SOCK_NONBLOCK or SOCK_CLOEXEC; protocol 0 or the
 * type's. An AF_INET6 socket takes and gives struct sockaddr_in6; unless
 * IPV6_V6ONLY is set (IPPROTO_IPV6, before bind), one bound to :: takes
 * IPv4 too, and IPv4 peers show as ::ffff:a.b.c.d, as on Linux. */
int mnet_socket(mnet_host* host, int domain, int type, int protocol);
int mnet_bind(mnet_host* host, int fd, const struct sockaddr* address, socklen_t length);
int mnet_listen(mnet_host* host, int fd, int backlog);
int mnet_accept(mnet_host* host, int fd, struct sockaddr* address, socklen_t* length);
int mnet_connect(mnet_host* host, int fd, const struct sockaddr* address, socklen_t length);
ssize_t mnet_send(mnet_host* host, int fd, const void* data, size_t length, int flags);
ssize_t mnet_recv(mnet_host* host, int fd, void* buffer, size_t length, int flags);
ssize_t mnet_sendto(mnet_host* host, int fd, const void* data, size_t length, int flags,
                    const struct sockaddr* to, socklen_t to_length);
ssize_t mnet_recvfrom(mnet_host* host, int fd, void* buffer, size_t length, int flags,
                      struct sockaddr* from, socklen_t* from_length);
int mnet_shutdown(mnet_host* host, int fd, int how);
int mnet_close(mnet_host* host, int fd);
int mnet_setsockopt(mnet_host* host, int fd, int level, int name, const void* value,
                    socklen_t length);
int mnet_getsockopt(mnet_host* host, int fd, int level, int name, void* value, socklen_t* length);
int mnet_getsockname(mnet_host* host, int fd, struct sockaddr* address, socklen_t* length);
int mnet_getpeername(mnet_host* host, int fd, struct sockaddr* address, socklen_t* length);
/* Readiness, as poll(2): POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL. A
 * host you drive yourself answers at once whatever `timeout_ms` says. */
int mnet_poll(mnet_host* host, struct pollfd* fds, nfds_t count, int timeout_ms);
/* F_GETFL and F_SETFL (O_NONBLOCK), as fcntl(2). */
int mnet_fcntl(mnet_host* host, int fd, int command, ...);

#ifdef __cplusplus
}
#endif

#endif /* MINTERNET_MINTERNET_H */
