/* The lwIP side of the live benchmark: Debian's lwIP 2.1.3 driven on a TAP
 * device from one thread, with the raw (callback) API, so that the kernel
 * talks to lwIP over the same kind of link as it talks to `minternet live`.
 *
 *   lwip_tap --tap TAP --address A/P --serve-discard PORT
 *   lwip_tap --tap TAP --address A/P --send ADDRESS:PORT [--bytes N]
 *
 * The driver is the plainest one lwIP allows: one read(2) per frame from the
 * TAP into a heap pbuf handed to netif->input, one write(2) per frame lwIP
 * sends, lwIP's timers run from the same loop (sys_check_timeouts), poll(2)
 * when there is nothing to read. No offloads: the TAP is opened without a
 * virtio-net header, so every frame is at most the MTU and every checksum is
 * lwIP's to make and check.
 *
 * --serve-discard accepts connections, reads and drops what they carry, and
 * prints one JSON line per connection when the peer closes. --send connects,
 * sends N bytes of the pattern `minternet live --send` sends (the alphabet,
 * over and over), shuts its side down, waits for the peer's FIN and prints
 * one JSON line. Both print the TCP settings lwIP really used (read from the
 * connection) so a run records what the library was built with.
 *
 * Built by scripts/bench-lwip.sh, not by the project's CMake
 * (bench/lwip/README.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

/* ------------------------------------------------------------------ options */

struct options {
    const char* tap;
    ip4_addr_t address;
    ip4_addr_t netmask;
    unsigned prefix;
    unsigned mtu;
    unsigned serve_port; /* 0: not serving */
    ip4_addr_t send_address;
    unsigned send_port; /* 0: not sending */
    uint64_t bytes;
    double duration_s; /* 0: no limit */
};

static void usage(FILE* to) {
    fprintf(to,
            "usage: lwip_tap --tap TAP --address A/P [--mtu N] [--duration S]\n"
            "                (--serve-discard PORT | --send ADDRESS:PORT [--bytes N])\n"
            "  --serve-discard PORT  accept, read and drop; one JSON line per connection\n"
            "  --send ADDRESS:PORT   send --bytes (default 100000000) of a pattern, shut\n"
            "                        down, wait for the peer's FIN; one JSON line\n");
}

static int fail_usage(const char* what, const char* value) {
    fprintf(stderr, "lwip_tap: %s '%s'\n", what, value ? value : "");
    usage(stderr);
    return 2;
}

static int parse_unsigned(const char* text, unsigned long long max, unsigned long long* out) {
    if (text == NULL || *text == '\0') return 0;
    char* end = NULL;
    errno = 0;
    const unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max || text[0] == '-') return 0;
    *out = v;
    return 1;
}

/* "A.B.C.D/P" into an address, a netmask and the prefix. */
static int parse_cidr(const char* text, struct options* o) {
    char copy[32];
    if (strlen(text) >= sizeof copy) return 0;
    strcpy(copy, text);
    char* slash = strchr(copy, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    unsigned long long prefix = 0;
    if (!parse_unsigned(slash + 1, 30, &prefix) || prefix == 0) return 0;
    if (!ip4addr_aton(copy, &o->address)) return 0;
    const uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
    ip4_addr_set_u32(&o->netmask, lwip_htonl(mask));
    o->prefix = (unsigned)prefix;
    return 1;
}

static int parse_endpoint(const char* text, ip4_addr_t* address, unsigned* port) {
    char copy[32];
    if (strlen(text) >= sizeof copy) return 0;
    strcpy(copy, text);
    char* colon = strrchr(copy, ':');
    if (colon == NULL) return 0;
    *colon = '\0';
    unsigned long long p = 0;
    if (!parse_unsigned(colon + 1, 65535, &p) || p == 0) return 0;
    if (!ip4addr_aton(copy, address)) return 0;
    *port = (unsigned)p;
    return 1;
}

/* Returns 0 when parsed, otherwise the exit status to leave with. */
static int parse_options(int argc, char** argv, struct options* o) {
    memset(o, 0, sizeof *o);
    o->mtu = 1500;
    o->bytes = 100000000ull;
    int have_address = 0;
    for (int i = 1; i < argc; ++i) {
        const char* flag = argv[i];
        if (strcmp(flag, "-h") == 0 || strcmp(flag, "--help") == 0) {
            usage(stdout);
            return 1;
        }
        const char* value = i + 1 < argc ? argv[i + 1] : NULL;
        if (value == NULL) return fail_usage("missing a value after", flag);
        ++i;
        unsigned long long n = 0;
        if (strcmp(flag, "--tap") == 0) {
            if (strlen(value) == 0 || strlen(value) >= IFNAMSIZ)
                return fail_usage("bad TAP name", value);
            o->tap = value;
        } else if (strcmp(flag, "--address") == 0) {
            if (!parse_cidr(value, o)) return fail_usage("--address wants A.B.C.D/P, not", value);
            have_address = 1;
        } else if (strcmp(flag, "--mtu") == 0) {
            if (!parse_unsigned(value, 9000, &n) || n < 576)
                return fail_usage("--mtu wants 576 to 9000, not", value);
            o->mtu = (unsigned)n;
        } else if (strcmp(flag, "--serve-discard") == 0) {
            if (!parse_unsigned(value, 65535, &n) || n == 0)
                return fail_usage("--serve-discard wants a port, not", value);
            o->serve_port = (unsigned)n;
        } else if (strcmp(flag, "--send") == 0) {
            if (!parse_endpoint(value, &o->send_address, &o->send_port))
                return fail_usage("--send wants ADDRESS:PORT, not", value);
        } else if (strcmp(flag, "--bytes") == 0) {
            if (!parse_unsigned(value, UINT64_MAX, &n) || n == 0)
                return fail_usage("--bytes wants a positive number, not", value);
            o->bytes = n;
        } else if (strcmp(flag, "--duration") == 0) {
            char* end = NULL;
            o->duration_s = strtod(value, &end);
            if (*end != '\0' || !(o->duration_s > 0))
                return fail_usage("--duration wants seconds, not", value);
        } else {
            return fail_usage("unknown option", flag);
        }
    }
    if (o->tap == NULL || !have_address) return fail_usage("--tap and --address are needed", "");
    if ((o->serve_port != 0) == (o->send_port != 0))
        return fail_usage("one of --serve-discard and --send is needed", "");
    return 0;
}

/* lwip_strerr is empty unless lwIP is built with LWIP_DEBUG, which Debian's
 * is not; lwip/err.h lists the codes. */
static const char* err_name(err_t e) {
    switch (e) {
        case ERR_OK:
            return "ok";
        case ERR_MEM:
            return "out of memory";
        case ERR_BUF:
            return "buffer error";
        case ERR_TIMEOUT:
            return "timeout";
        case ERR_RTE:
            return "no route";
        case ERR_INPROGRESS:
            return "in progress";
        case ERR_VAL:
            return "illegal value";
        case ERR_WOULDBLOCK:
            return "would block";
        case ERR_USE:
            return "address in use";
        case ERR_ALREADY:
            return "already connecting";
        case ERR_ISCONN:
            return "already connected";
        case ERR_CONN:
            return "not connected";
        case ERR_IF:
            return "low-level netif error";
        case ERR_ABRT:
            return "connection aborted";
        case ERR_RST:
            return "connection reset";
        case ERR_CLSD:
            return "connection closed";
        case ERR_ARG:
            return "illegal argument";
        default:
            return "unknown error";
    }
}

/* -------------------------------------------------------------------- clock */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double mbit_per_s(uint64_t bytes, double seconds) {
    return seconds > 0 ? (double)bytes * 8 / seconds / 1e6 : 0.0;
}

/* ---------------------------------------------------------------------- TAP */

/* The device's state, reached from the netif (netif->state). */
struct tap {
    int fd;
    uint64_t frames_read;
    uint64_t frames_written;
    uint64_t write_drops;   /* write(2) refused the frame; TCP repairs it */
    uint64_t input_refused; /* netif->input did not take a frame */
    uint8_t* gather;        /* a chained pbuf is copied here to go out in one write */
};

/* Attaches to TAP (made by `ip tuntap add ... mode tap`, or made here and gone
 * with the process), without packet information or a virtio-net header, and
 * non-blocking. Returns the descriptor or -1 with errno set. */
static int tap_open(const char* name) {
    const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    /* A persistent TAP keeps the offloads the last process asked for; left
     * on, the kernel would hand us TCP segments with their checksums not
     * filled in, and without a virtio-net header nothing would say so. */
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETOFFLOAD, 0ul) < 0) {
        const int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* netif->linkoutput: one frame, one write. A frame the kernel does not take
 * is dropped, as a full NIC queue would. */
static err_t tap_linkoutput(struct netif* netif, struct pbuf* p) {
    struct tap* t = (struct tap*)netif->state;
    const void* frame = p->payload;
    if (p->next != NULL) {
        /* lwIP is built with LWIP_NETIF_TX_SINGLE_PBUF, so this is rare (ARP
         * replies, ICMP); TCP data comes in one piece. */
        pbuf_copy_partial(p, t->gather, p->tot_len, 0);
        frame = t->gather;
    }
    const ssize_t n = write(t->fd, frame, p->tot_len);
    if (n == (ssize_t)p->tot_len) {
        ++t->frames_written;
    } else {
        ++t->write_drops;
    }
    return ERR_OK;
}

static err_t tap_netif_init(struct netif* netif) {
    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
    netif->linkoutput = tap_linkoutput;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    /* Locally administered, unicast; the low bytes vary per process so that
     * two harnesses on one segment do not collide. */
    const unsigned pid = (unsigned)getpid();
    const uint8_t mac[ETH_HWADDR_LEN] = {
        0x02, 0x1f, 0x4c, (uint8_t)(pid >> 16), (uint8_t)(pid >> 8), (uint8_t)pid};
    memcpy(netif->hwaddr, mac, sizeof mac);
    return ERR_OK;
}

/* Reads what the TAP holds, at most `batch` frames, one read each, and hands
 * each to lwIP. Returns the number read; 0 when the TAP was empty; -1 on a
 * read error. `spare` is a pbuf kept between calls so that an empty read
 * costs no allocation. */
static int tap_read_frames(struct netif* netif, struct pbuf** spare, int batch) {
    struct tap* t = (struct tap*)netif->state;
    const u16_t capacity = (u16_t)(netif->mtu + SIZEOF_ETH_HDR);
    int got = 0;
    while (got < batch) {
        if (*spare == NULL) {
            /* PBUF_RAM, not PBUF_POOL: Debian's build sizes its pool blocks
             * for 592 bytes while pbuf_alloc fills them up to 1,536
             * (README.md), so a pool pbuf for a full frame overruns the heap. */
            *spare = pbuf_alloc(PBUF_RAW, capacity, PBUF_RAM);
            if (*spare == NULL) return got; /* out of memory: leave it in the TAP */
        }
        struct pbuf* p = *spare;
        const ssize_t n = read(t->fd, p->payload, capacity);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return got;
            if (errno == EINTR) return got;
            return -1;
        }
        ++got;
        ++t->frames_read;
        if (n < SIZEOF_ETH_HDR) continue; /* a runt: keep the buffer for the next */
        *spare = NULL;
        pbuf_realloc(p, (u16_t)n);
        if (netif->input(p, netif) != ERR_OK) {
            ++t->input_refused;
            pbuf_free(p);
        }
    }
    return got;
}

/* ---------------------------------------------------------------- the apps */

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) {
    stop_signal = sig;
}

/* What lwIP uses on a connection, read from its pcb once the handshake is
 * done: these come from the library's own build (tcp_alloc, the SYN's
 * options), not from the headers this file is compiled with. */
struct tcp_probe {
    unsigned mss;     /* negotiated, data bytes per segment */
    unsigned snd_buf; /* the send buffer, empty */
    unsigned rcv_wnd; /* the receive window, empty */
    unsigned rcv_scale;
    unsigned snd_scale;
};

static struct tcp_probe probe_pcb(const struct tcp_pcb* pcb) {
    struct tcp_probe t = {.mss = pcb->mss, .snd_buf = tcp_sndbuf(pcb), .rcv_wnd = pcb->rcv_wnd};
#if LWIP_WND_SCALE
    t.rcv_scale = pcb->rcv_scale;
    t.snd_scale = pcb->snd_scale;
#endif
    return t;
}

static void print_probe(FILE* to, const struct tcp_probe* t) {
    fprintf(to,
            "\"mss\":%u,\"snd_buf\":%u,\"rcv_wnd\":%u,\"rcv_scale\":%u,\"snd_scale\":%u,"
            "\"snd_queuelen_max\":%u",
            t->mss, t->snd_buf, t->rcv_wnd, t->rcv_scale, t->snd_scale, (unsigned)TCP_SND_QUEUELEN);
}

static void print_peer(FILE* to, const struct tcp_pcb* pcb) {
    char text[IP4ADDR_STRLEN_MAX];
    ip4addr_ntoa_r(ip_2_ip4(&pcb->remote_ip), text, sizeof text);
    fprintf(to, "\"peer\":\"%s:%u\"", text, (unsigned)pcb->remote_port);
}

/* --- discard (RFC 863 over TCP) --- */

struct discard_conn {
    double start;
    uint64_t bytes;
    struct tcp_probe probe;
};

static void discard_report(struct tcp_pcb* pcb, const struct discard_conn* c, const char* end) {
    const double secs = now_s() - c->start;
    printf("{\"stack\":\"lwip\",\"mode\":\"discard\",");
    print_peer(stdout, pcb);
    printf(",\"bytes\":%llu,\"seconds\":%.6f,\"mbit_s\":%.1f,\"end\":\"%s\",",
           (unsigned long long)c->bytes, secs, mbit_per_s(c->bytes, secs), end);
    print_probe(stdout, &c->probe);
    printf("}\n");
    fflush(stdout);
}

static err_t discard_recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
    struct discard_conn* c = (struct discard_conn*)arg;
    if (p == NULL || err != ERR_OK) {
        if (p != NULL) pbuf_free(p);
        discard_report(pcb, c, "fin");
        free(c);
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_err(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb); /* lwIP wants ERR_ABRT back after tcp_abort */
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    c->bytes += p->tot_len;
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void discard_error(void* arg, err_t err) {
    /* The pcb is already gone; only the count is left to tell. */
    struct discard_conn* c = (struct discard_conn*)arg;
    if (c == NULL) return;
    const double secs = now_s() - c->start;
    printf(
        "{\"stack\":\"lwip\",\"mode\":\"discard\",\"bytes\":%llu,\"seconds\":%.6f,"
        "\"mbit_s\":%.1f,\"end\":\"error\",\"error\":\"%s\"}\n",
        (unsigned long long)c->bytes, secs, mbit_per_s(c->bytes, secs), err_name(err));
    fflush(stdout);
    free(c);
}

static err_t discard_accept(void* arg, struct tcp_pcb* pcb, err_t err) {
    (void)arg;
    if (err != ERR_OK || pcb == NULL) return ERR_VAL;
    struct discard_conn* c = (struct discard_conn*)calloc(1, sizeof *c);
    if (c == NULL) return ERR_MEM;
    c->start = now_s();
    c->probe = probe_pcb(pcb);
    tcp_arg(pcb, c);
    tcp_recv(pcb, discard_recv);
    tcp_err(pcb, discard_error);
    return ERR_OK;
}

static int discard_listen(unsigned port) {
    struct tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (pcb == NULL) return 0;
    if (tcp_bind(pcb, IP4_ADDR_ANY, (u16_t)port) != ERR_OK) return 0;
    struct tcp_pcb* listening = tcp_listen_with_backlog(pcb, 8);
    if (listening == NULL) return 0;
    tcp_accept(listening, discard_accept);
    return 1;
}

/* --- send --- */

/* The pattern `minternet live --send` sends: byte i of the stream is
 * 'a' + i mod 26. One 64 KiB window of it, plus an alphabet so that a write
 * can start at any letter. */
enum { pattern_chunk = 65535, alphabet = 26 };
static uint8_t pattern[pattern_chunk + alphabet];

struct sender {
    struct tcp_pcb* pcb;
    uint64_t total;
    uint64_t queued; /* taken by tcp_write */
    uint64_t acked;
    double start; /* the handshake done */
    double end;   /* the peer's FIN */
    struct tcp_probe probe;
    int shut;     /* our FIN queued */
    int finished; /* 1 done, -1 failed */
    err_t error;
};

/* Queues as much of the pattern as lwIP's send buffer and queue take, then
 * asks it to send; once everything is queued, our FIN follows it. */
static void sender_push(struct sender* s) {
    while (s->queued < s->total) {
        const u16_t room = tcp_sndbuf(s->pcb);
        if (room == 0) break;
        const uint64_t left = s->total - s->queued;
        const u16_t n = left < room ? (u16_t)left : room;
        const err_t e = tcp_write(s->pcb, pattern + s->queued % alphabet, n, TCP_WRITE_FLAG_COPY);
        if (e == ERR_MEM) break; /* the segment queue is full: wait for ACKs */
        if (e != ERR_OK) {
            s->finished = -1;
            s->error = e;
            return;
        }
        s->queued += n;
    }
    if (s->queued == s->total && !s->shut) {
        if (tcp_shutdown(s->pcb, 0, 1) == ERR_OK) s->shut = 1;
    }
    tcp_output(s->pcb);
}

static err_t sender_sent(void* arg, struct tcp_pcb* pcb, u16_t len) {
    (void)pcb;
    struct sender* s = (struct sender*)arg;
    s->acked += len;
    if (s->finished == 0) sender_push(s);
    return ERR_OK;
}

static err_t sender_recv(void* arg, struct tcp_pcb* pcb, struct pbuf* p, err_t err) {
    struct sender* s = (struct sender*)arg;
    if (p != NULL) {
        /* A discard server sends nothing; whatever comes is dropped. */
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    (void)err;
    s->end = now_s();
    s->finished = s->acked >= s->total ? 1 : -1;
    if (s->finished < 0) s->error = ERR_CLSD;
    tcp_arg(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
    if (tcp_close(pcb) != ERR_OK) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

static void sender_error(void* arg, err_t err) {
    struct sender* s = (struct sender*)arg;
    s->pcb = NULL;
    s->end = now_s();
    s->finished = -1;
    s->error = err;
}

static err_t sender_connected(void* arg, struct tcp_pcb* pcb, err_t err) {
    struct sender* s = (struct sender*)arg;
    if (err != ERR_OK) {
        s->finished = -1;
        s->error = err;
        return err;
    }
    s->start = now_s();
    s->probe = probe_pcb(pcb);
    sender_push(s);
    return ERR_OK;
}

static int sender_start(struct sender* s, const struct options* o) {
    for (size_t i = 0; i < sizeof pattern; ++i)
        pattern[i] = (uint8_t)('a' + i % alphabet);
    memset(s, 0, sizeof *s);
    s->total = o->bytes;
    s->pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (s->pcb == NULL) return 0;
    tcp_arg(s->pcb, s);
    tcp_sent(s->pcb, sender_sent);
    tcp_recv(s->pcb, sender_recv);
    tcp_err(s->pcb, sender_error);
    ip_addr_t to;
    ip_addr_copy_from_ip4(to, o->send_address);
    return tcp_connect(s->pcb, &to, (u16_t)o->send_port, sender_connected) == ERR_OK;
}

static void sender_report(const struct sender* s) {
    const double secs = s->start > 0 ? s->end - s->start : 0;
    printf(
        "{\"stack\":\"lwip\",\"mode\":\"send\",\"bytes\":%llu,\"acked\":%llu,"
        "\"seconds\":%.6f,\"mbit_s\":%.1f,\"ok\":%s",
        (unsigned long long)s->total, (unsigned long long)s->acked, secs,
        mbit_per_s(s->acked, secs), s->finished > 0 ? "true" : "false");
    if (s->finished < 0) printf(",\"error\":\"%s\"", err_name(s->error));
    if (s->start > 0) {
        printf(",");
        print_probe(stdout, &s->probe);
    }
    printf("}\n");
    fflush(stdout);
}

/* --------------------------------------------------------------------- main */

int main(int argc, char** argv) {
    struct options o;
    const int bad = parse_options(argc, argv, &o);
    if (bad != 0) return bad == 1 ? 0 : bad;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll(2) returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct tap t;
    memset(&t, 0, sizeof t);
    t.fd = tap_open(o.tap);
    if (t.fd < 0) {
        fprintf(stderr, "lwip_tap: TAP %s: %s\n", o.tap, strerror(errno));
        return 1;
    }
    t.gather = (uint8_t*)malloc(o.mtu + SIZEOF_ETH_HDR);
    if (t.gather == NULL) return 1;

    /* LWIP_RAND is rand(): ephemeral ports and ISNs differ per run. */
    srand((unsigned)getpid() ^ (unsigned)time(NULL));
    lwip_init(); /* no tcpip thread: this thread alone runs the stack */

    struct netif netif;
    ip4_addr_t gateway;
    ip4_addr_set_zero(&gateway);
    if (netif_add(&netif, &o.address, &o.netmask, &gateway, &t, tap_netif_init, netif_input) ==
        NULL) {
        fprintf(stderr, "lwip_tap: netif_add failed\n");
        return 1;
    }
    netif.mtu = (u16_t)o.mtu;
    netif_set_default(&netif);
    netif_set_link_up(&netif);
    netif_set_up(&netif);

    char address[IP4ADDR_STRLEN_MAX];
    ip4addr_ntoa_r(&o.address, address, sizeof address);
    fprintf(stderr,
            "lwip_tap: lwIP %s on %s as %s/%u, MTU %u, MAC %02x:%02x:%02x:%02x:%02x:%02x; "
            "headers say TCP_MSS %d, TCP_WND %d, TCP_SND_BUF %d, TCP_RCV_SCALE %d\n",
            LWIP_VERSION_STRING, o.tap, address, o.prefix, o.mtu, netif.hwaddr[0], netif.hwaddr[1],
            netif.hwaddr[2], netif.hwaddr[3], netif.hwaddr[4], netif.hwaddr[5], (int)TCP_MSS,
            (int)TCP_WND, (int)TCP_SND_BUF, (int)TCP_RCV_SCALE);

    struct sender sender;
    if (o.serve_port != 0) {
        if (!discard_listen(o.serve_port)) {
            fprintf(stderr, "lwip_tap: cannot listen on TCP port %u\n", o.serve_port);
            return 1;
        }
        fprintf(stderr, "lwip_tap: discard on TCP port %u\n", o.serve_port);
    } else if (!sender_start(&sender, &o)) {
        fprintf(stderr, "lwip_tap: cannot start the connection\n");
        return 1;
    }

    const double give_up = o.duration_s > 0 ? now_s() + o.duration_s : 0;
    struct pbuf* spare = NULL;
    int status = 0;
    for (;;) {
        const int got = tap_read_frames(&netif, &spare, 64);
        if (got < 0) {
            fprintf(stderr, "lwip_tap: reading %s: %s\n", o.tap, strerror(errno));
            status = 1;
            break;
        }
        sys_check_timeouts();
        if (o.send_port != 0 && sender.finished != 0) break;
        if (stop_signal != 0) break;
        if (give_up > 0 && now_s() >= give_up) break;
        if (got > 0) continue;
        /* Nothing to read: sleep until a frame comes or a timer is due. */
        const u32_t sleep_ms = sys_timeouts_sleeptime();
        const int timeout = sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? 1000
                            : sleep_ms > 1000                           ? 1000
                                                                        : (int)sleep_ms;
        struct pollfd waiting = {.fd = t.fd, .events = POLLIN, .revents = 0};
        if (poll(&waiting, 1, timeout) < 0 && errno != EINTR) {
            fprintf(stderr, "lwip_tap: poll: %s\n", strerror(errno));
            status = 1;
            break;
        }
    }

    if (o.send_port != 0) {
        if (sender.finished == 0) {
            sender.end = now_s();
            sender.finished = -1;
            sender.error = ERR_TIMEOUT;
        }
        sender_report(&sender);
        if (sender.finished < 0) status = 1;
    }
    fprintf(stderr,
            "lwip_tap: stopped: %llu frames from the kernel, %llu to it (%llu refused by "
            "write), %llu not taken by lwIP\n",
            (unsigned long long)t.frames_read, (unsigned long long)t.frames_written,
            (unsigned long long)t.write_drops, (unsigned long long)t.input_refused);
    if (spare != NULL) pbuf_free(spare);
    close(t.fd);
    free(t.gather);
    return status;
}
