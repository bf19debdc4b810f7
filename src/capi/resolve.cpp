// mnet_getaddrinfo and mnet_freeaddrinfo: getaddrinfo(3)'s contract over
// the stub resolver (dns::lookup) in the host's runtime.
#include <netdb.h>
#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "capi/host.hpp"
#include "dns/stub.hpp"

namespace {

// One entry: the addrinfo and its address in one block, as glibc lays them
// out (so either free works on it, though mnet_freeaddrinfo is the one).
struct Entry {
    addrinfo info;
    union {
        sockaddr_in v4;
        sockaddr_in6 v6;
    } address;
};

// One record type's part of a lookup; the last part to finish settles it:
// addresses from either type make it a success, else NXDOMAIN says no such
// name, else no answer says try again.
sockets::Task<void> run_lookup(sockets::Runtime& rt, dns::Name name,
                               std::vector<wire::IpAddress> servers, dns::RrType type,
                               std::shared_ptr<capi::Lookup> out) {
    dns::StubOptions options;
    options.servers = std::move(servers);
    dns::Question question{std::move(name), type};
    auto answer = co_await dns::lookup(rt, question, options);
    std::vector<wire::IpAddress>& into = type == dns::RrType::aaaa ? out->ipv6 : out->ipv4;
    if (!answer) {
        out->unanswered = true;
    } else if (answer->message.rcode == dns::Rcode::nxdomain) {
        out->no_such_name = true;
    } else if (answer->message.rcode != dns::Rcode::noerror) {
        out->unanswered = true;  // SERVFAIL and the rest: try again, as glibc says
    } else {
        // The recursor follows CNAMEs and puts the chain in the answer: every
        // record of the type asked belongs to the name asked.
        for (const dns::Record& r : answer->message.answers) {
            if (const auto* a = std::get_if<dns::rdata::A>(&r.data)) into.emplace_back(a->address);
            if (const auto* a = std::get_if<dns::rdata::Aaaa>(&r.data))
                into.emplace_back(a->address);
        }
    }
    if (--out->pending > 0) co_return;
    out->done = true;
    if (!out->ipv6.empty() || !out->ipv4.empty()) co_return;
    out->status = out->no_such_name || !out->unanswered ? EAI_NONAME : EAI_AGAIN;
}

// The port for `service`, or the EAI_* value saying why there is none
// (glibc's EAI_* are negative numbers: they travel apart from the port).
struct Port {
    int port = 0;
    int error = 0;
};

Port port_for(const char* service, int flags, int socktype) {
    if (service == nullptr) return {};
    char* end = nullptr;
    const long n = std::strtol(service, &end, 10);
    if (*service != '\0' && *end == '\0') {
        if (n < 0 || n > 65535) return {.error = EAI_SERVICE};
        return {.port = static_cast<int>(n)};
    }
    if (flags & AI_NUMERICSERV) return {.error = EAI_NONAME};
    servent entry{};
    servent* found = nullptr;
    char buffer[1024];
    getservbyname_r(service, socktype == SOCK_DGRAM ? "udp" : "tcp", &entry, buffer, sizeof buffer,
                    &found);
    if (found == nullptr) return {.error = EAI_SERVICE};
    return {.port = ntohs(static_cast<uint16_t>(found->s_port))};
}

int fail_system(int e) {
    errno = e;
    return EAI_SYSTEM;
}

}  // namespace

extern "C" {

int mnet_host_add_nameserver(mnet_host* host, const char* address) {
    if (host == nullptr || address == nullptr) {
        errno = EFAULT;
        return -1;
    }
    auto a = wire::IpAddress::parse(address);
    if (!a) {
        errno = EINVAL;
        return -1;
    }
    if (host->nameservers.size() >= 3) {  // resolv.conf's MAXNS
        errno = ENOSPC;
        return -1;
    }
    host->nameservers.push_back(*a);
    return 0;
}

int mnet_getaddrinfo(mnet_host* host, const char* node, const char* service, const addrinfo* hints,
                     addrinfo** result) {
    if (host == nullptr || result == nullptr) return fail_system(EFAULT);
    *result = nullptr;
    if (node == nullptr && service == nullptr) return EAI_NONAME;
    // NULL hints mean AI_ADDRCONFIG, as glibc has it (its AI_V4MAPPED too,
    // which needs an AF_INET6 request to mean anything).
    const int flags = hints ? hints->ai_flags : AI_ADDRCONFIG;
    const int family = hints ? hints->ai_family : AF_UNSPEC;
    const int socktype = hints ? hints->ai_socktype : 0;
    const int protocol = hints ? hints->ai_protocol : 0;
    if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_NUMERICSERV | AI_ADDRCONFIG))
        return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
    if ((socktype == SOCK_STREAM && protocol != 0 && protocol != IPPROTO_TCP) ||
        (socktype == SOCK_DGRAM && protocol != 0 && protocol != IPPROTO_UDP))
        return EAI_SOCKTYPE;
    const Port service_port = port_for(service, flags, socktype);
    if (service_port.error != 0) return service_port.error;
    const int port = service_port.port;

    // The families asked for: AF_UNSPEC with AI_ADDRCONFIG only those the
    // host has addresses in (a host without IPv6 is not handed IPv6 ones).
    const bool addrconfig = (flags & AI_ADDRCONFIG) != 0;
    const bool want4 = family != AF_INET6 && (!addrconfig || host->host.has_ipv4());
    const bool want6 = family != AF_INET && (!addrconfig || host->host.has_ipv6());
    const wire::IpAddress loopback4 = wire::Ipv4Address{127, 0, 0, 1};
    const wire::IpAddress loopback6 = wire::Ipv6Address::loopback();
    std::vector<wire::IpAddress> addresses;
    auto add = [&](const wire::IpAddress& a) {
        if (a.is_v4() ? want4 : want6) addresses.push_back(a);
    };
    if (node == nullptr) {
        // A server's wildcards IPv4 first, as glibc orders them; a client's
        // loopback IPv6 first (RFC 6724).
        if (flags & AI_PASSIVE) {
            add(wire::Ipv4Address::any());
            add(wire::Ipv6Address::any());
        } else {
            add(loopback6);
            add(loopback4);
        }
    } else if (auto numeric = wire::IpAddress::parse(node)) {
        if (family == AF_INET && numeric->is_v6()) return EAI_ADDRFAMILY;
        if (family == AF_INET6 && numeric->is_v4()) return EAI_ADDRFAMILY;
        addresses.push_back(*numeric);
    } else if (flags & AI_NUMERICHOST) {
        return EAI_NONAME;
    } else if (strcasecmp(node, "localhost") == 0 || strcasecmp(node, "localhost.") == 0) {
        add(loopback6);  // RFC 6761 §6.3
        add(loopback4);
    } else {
        if (!want4 && !want6) return EAI_NONAME;  // AI_ADDRCONFIG and no address of the family
        std::string name_key(node);
        for (char& c : name_key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!name_key.ends_with('.')) name_key += '.';
        const std::string key =
            fmt::format("{} {}{}", name_key, want6 ? "6" : "", want4 ? "4" : "");
        auto it = host->lookups.find(key);
        if (it == host->lookups.end()) {
            auto name = dns::Name::parse(name_key);
            if (!name) return EAI_NONAME;
            if (host->nameservers.empty()) return EAI_FAIL;
            auto lookup = std::make_shared<capi::Lookup>();
            lookup->pending = (want6 ? 1 : 0) + (want4 ? 1 : 0);
            it = host->lookups.emplace(key, lookup).first;
            // AAAA first, A beside it (RFC 8305 §3), as glibc sends both at once.
            if (want6)
                host->runtime.spawn(
                    run_lookup(host->runtime, *name, host->nameservers, dns::RrType::aaaa, lookup));
            if (want4)
                host->runtime.spawn(
                    run_lookup(host->runtime, *name, host->nameservers, dns::RrType::a, lookup));
            host->settle();
        }
        const std::shared_ptr<capi::Lookup> lookup = it->second;
        while (!lookup->done) {
            if (!host->tap) return EAI_AGAIN;  // still going: call again later
            if (!host->drive_once(base::Time::never())) return fail_system(EINTR);
        }
        host->lookups.erase(key);
        if (lookup->status != 0) return lookup->status;
        addresses = lookup->ipv6;  // IPv6 first, RFC 6724's default order
        addresses.insert(addresses.end(), lookup->ipv4.begin(), lookup->ipv4.end());
    }
    if (addresses.empty()) return EAI_NONAME;

    std::vector<int> types;
    if (socktype != 0) {
        types.push_back(socktype);
    } else {
        types = {SOCK_STREAM, SOCK_DGRAM};
    }
    addrinfo* first = nullptr;
    addrinfo** tail = &first;
    for (const wire::IpAddress& a : addresses) {
        for (int type : types) {
            auto* e = static_cast<Entry*>(std::calloc(1, sizeof(Entry)));
            if (e == nullptr) {
                mnet_freeaddrinfo(first);
                return EAI_MEMORY;
            }
            if (a.is_v4()) {
                e->address.v4.sin_family = AF_INET;
                e->address.v4.sin_port = htons(static_cast<uint16_t>(port));
                e->address.v4.sin_addr.s_addr = htonl(a.v4().to_u32());
                e->info.ai_family = AF_INET;
                e->info.ai_addrlen = sizeof(sockaddr_in);
            } else {
                e->address.v6.sin6_family = AF_INET6;
                e->address.v6.sin6_port = htons(static_cast<uint16_t>(port));
                std::memcpy(e->address.v6.sin6_addr.s6_addr, a.v6().bytes().data(), 16);
                e->info.ai_family = AF_INET6;
                e->info.ai_addrlen = sizeof(sockaddr_in6);
            }
            e->info.ai_socktype = type;
            e->info.ai_protocol = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
            e->info.ai_addr = reinterpret_cast<sockaddr*>(&e->address);
            if (first == nullptr && (flags & AI_CANONNAME) && node != nullptr) {
                e->info.ai_canonname = strdup(node);
                if (e->info.ai_canonname == nullptr) {
                    std::free(e);
                    return EAI_MEMORY;
                }
            }
            *tail = &e->info;
            tail = &e->info.ai_next;
        }
    }
    *result = first;
    return 0;
}

void mnet_freeaddrinfo(addrinfo* list) {
    while (list != nullptr) {
        addrinfo* next = list->ai_next;
        std::free(list->ai_canonname);
        std::free(list);  // the Entry: info is its first member
        list = next;
    }
}

}  // extern "C"
