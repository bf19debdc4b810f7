// mnet_getaddrinfo and mnet_freeaddrinfo: getaddrinfo(3)'s contract over
// the stub resolver (dns::lookup) in the host's runtime.
#include <netdb.h>
#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "capi/host.hpp"
#include "dns/stub.hpp"

namespace {

// One entry: the addrinfo and its address in one block, as glibc lays them
// out (so either free works on it, though mnet_freeaddrinfo is the one).
struct Entry {
    addrinfo info;
    sockaddr_in address;
};

sockets::Task<void> run_lookup(sockets::Runtime& rt, dns::Name name,
                               std::vector<wire::Ipv4Address> servers,
                               std::shared_ptr<capi::Lookup> out) {
    dns::StubOptions options;
    options.servers = std::move(servers);
    dns::Question question{std::move(name), dns::RrType::a};
    auto answer = co_await dns::lookup(rt, question, options);
    out->done = true;
    if (!answer) {
        out->status = EAI_AGAIN;  // no server answered
        co_return;
    }
    const dns::Message& m = answer->message;
    if (m.rcode == dns::Rcode::nxdomain) {
        out->status = EAI_NONAME;
        co_return;
    }
    if (m.rcode != dns::Rcode::noerror) {
        out->status = EAI_AGAIN;  // SERVFAIL and the rest, as glibc
        co_return;
    }
    // The recursor follows CNAMEs and puts the chain in the answer: every A
    // record there belongs to the name asked.
    for (const dns::Record& r : m.answers) {
        if (const auto* a = std::get_if<dns::rdata::A>(&r.data))
            out->addresses.push_back(a->address);
    }
    if (out->addresses.empty()) out->status = EAI_NONAME;  // a name with no IPv4 address
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
    auto a = wire::Ipv4Address::parse(address);
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
    const int flags = hints ? hints->ai_flags : 0;
    const int family = hints ? hints->ai_family : AF_UNSPEC;
    const int socktype = hints ? hints->ai_socktype : 0;
    const int protocol = hints ? hints->ai_protocol : 0;
    if (flags & ~(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_NUMERICSERV | AI_ADDRCONFIG))
        return EAI_BADFLAGS;
    if (family != AF_UNSPEC && family != AF_INET) return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
    if ((socktype == SOCK_STREAM && protocol != 0 && protocol != IPPROTO_TCP) ||
        (socktype == SOCK_DGRAM && protocol != 0 && protocol != IPPROTO_UDP))
        return EAI_SOCKTYPE;
    const Port service_port = port_for(service, flags, socktype);
    if (service_port.error != 0) return service_port.error;
    const int port = service_port.port;

    std::vector<wire::Ipv4Address> addresses;
    if (node == nullptr) {
        addresses.push_back((flags & AI_PASSIVE) ? wire::Ipv4Address::any()
                                                 : wire::Ipv4Address{127, 0, 0, 1});
    } else if (auto numeric = wire::Ipv4Address::parse(node)) {
        addresses.push_back(*numeric);
    } else if (flags & AI_NUMERICHOST) {
        return EAI_NONAME;
    } else if (strcasecmp(node, "localhost") == 0 || strcasecmp(node, "localhost.") == 0) {
        addresses.push_back(wire::Ipv4Address{127, 0, 0, 1});  // RFC 6761 §6.3
    } else {
        std::string key(node);
        for (char& c : key)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!key.ends_with('.')) key += '.';
        auto it = host->lookups.find(key);
        if (it == host->lookups.end()) {
            auto name = dns::Name::parse(key);
            if (!name) return EAI_NONAME;
            if (host->nameservers.empty()) return EAI_FAIL;
            auto lookup = std::make_shared<capi::Lookup>();
            it = host->lookups.emplace(key, lookup).first;
            host->runtime.spawn(run_lookup(host->runtime, *name, host->nameservers, lookup));
            host->settle();
        }
        const std::shared_ptr<capi::Lookup> lookup = it->second;
        while (!lookup->done) {
            if (!host->tap) return EAI_AGAIN;  // still going: call again later
            if (!host->drive_once(base::Time::never())) return fail_system(EINTR);
        }
        host->lookups.erase(key);
        if (lookup->status != 0) return lookup->status;
        addresses = lookup->addresses;
    }

    std::vector<int> types;
    if (socktype != 0) {
        types.push_back(socktype);
    } else {
        types = {SOCK_STREAM, SOCK_DGRAM};
    }
    addrinfo* first = nullptr;
    addrinfo** tail = &first;
    for (const wire::Ipv4Address& a : addresses) {
        for (int type : types) {
            auto* e = static_cast<Entry*>(std::calloc(1, sizeof(Entry)));
            if (e == nullptr) {
                mnet_freeaddrinfo(first);
                return EAI_MEMORY;
            }
            e->address.sin_family = AF_INET;
            e->address.sin_port = htons(static_cast<uint16_t>(port));
            e->address.sin_addr.s_addr = htonl(a.to_u32());
            e->info.ai_family = AF_INET;
            e->info.ai_socktype = type;
            e->info.ai_protocol = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
            e->info.ai_addrlen = sizeof(sockaddr_in);
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
