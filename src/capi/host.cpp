// The host half of the C API: creation, interfaces, routes, and the sans-IO
// contract (input, poll, deadline, output).
#include "capi/host.hpp"

#include <cerrno>
#include <new>
#include <optional>

#include "live/secrets.hpp"

using capi::fail;

extern "C" {

mnet_host* mnet_host_new(uint64_t seed) {
    if (seed == 0) {
        auto from_os = live::secret_seed(std::nullopt);  // getrandom, as minternet live
        if (!from_os) {
            errno = EIO;
            return nullptr;
        }
        seed = *from_os;
    }
    auto* h = new (std::nothrow) mnet_host(seed);
    if (h == nullptr) errno = ENOMEM;
    if (h != nullptr) {
        h->host.set_frame_sink([h](stack::InterfaceId i, base::PacketBuffer frame) {
            if (h->output == nullptr) return;
            const base::ByteSpan b = frame.bytes();
            h->output(h->output_user, static_cast<int>(i), b.data(), b.size());
        });
    }
    return h;
}

void mnet_host_free(mnet_host* host) {
    delete host;
}

int mnet_host_add_interface(mnet_host* host, const uint8_t mac[6], const char* address_cidr,
                            unsigned mtu) {
    if (host == nullptr || mac == nullptr || address_cidr == nullptr) return fail(EFAULT);
    // An IPv4 subnet, or an IPv6 one for an interface without IPv4.
    auto cidr = wire::Ipv4Cidr::parse(address_cidr);
    auto cidr6 = wire::Ipv6Cidr::parse(address_cidr);
    if (!cidr && !cidr6) return fail(EINVAL);
    if (mtu == 0) mtu = 1500;
    if (mtu < 576 || mtu > 9000) return fail(EINVAL);
    if (cidr6 && mtu < wire::ipv6::min_mtu) return fail(EINVAL);  // RFC 8200 §5
    wire::MacAddress m{{mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]}};
    if (mac[0] & 1) return fail(EINVAL);  // a group address cannot be an interface's
    stack::InterfaceConfig c{.name = "eth" + std::to_string(host->host.interface_count()),
                             .mac = m,
                             .mtu = static_cast<uint16_t>(mtu)};
    if (cidr) {
        c.address = *cidr;
    } else {
        c.ipv6_addresses = {*cidr6};
    }
    return static_cast<int>(host->host.add_interface(std::move(c)));
}

int mnet_host_add_address(mnet_host* host, int interface, const char* address_cidr) {
    if (host == nullptr || address_cidr == nullptr) return fail(EFAULT);
    if (interface < 0 || static_cast<size_t>(interface) >= host->host.interface_count())
        return fail(EINVAL);
    if (wire::Ipv4Cidr::parse(address_cidr)) return fail(EAFNOSUPPORT);  // one IPv4 per interface
    auto cidr6 = wire::Ipv6Cidr::parse(address_cidr);
    if (!cidr6 || cidr6->address.is_multicast() || cidr6->address.is_unspecified())
        return fail(EINVAL);
    const auto id = static_cast<stack::InterfaceId>(interface);
    if (host->host.interface(id).mtu < wire::ipv6::min_mtu) return fail(EINVAL);
    host->host.configure_ipv6_address(id, *cidr6);
    host->settle();
    return 0;
}

}  // extern "C"

namespace {

// An IPv6 route: the gateway is in an on-link prefix of an interface, or
// link-local when exactly one interface speaks IPv6 (a link-local address
// alone does not say which link).
int add_route6(mnet_host* host, const char* prefix_cidr, const char* gateway) {
    auto prefix = wire::Ipv6Cidr::parse(prefix_cidr);
    auto via = wire::Ipv6Address::parse(gateway);
    if (!prefix || !via || via->is_multicast() || via->is_unspecified()) return fail(EINVAL);
    std::optional<stack::InterfaceId> out;
    size_t speaking = 0;
    for (size_t i = 0; i < host->host.interface_count(); ++i) {
        const auto id = static_cast<stack::InterfaceId>(i);
        if (!host->host.ipv6_enabled(id)) continue;
        ++speaking;
        if (via->is_link_local()) {
            out = id;
            continue;
        }
        for (const auto& a : host->host.ipv6_addresses(id)) {
            if (a.address.prefix_len < 128 && a.address.contains(*via) && !out) out = id;
        }
    }
    if (!out || (via->is_link_local() && speaking != 1)) return fail(ENETUNREACH);
    host->host.routes6().add({.destination = *prefix, .gateway = *via, .interface = *out});
    return 0;
}

}  // namespace

extern "C" {

int mnet_host_add_route(mnet_host* host, const char* prefix_cidr, const char* gateway) {
    if (host == nullptr || prefix_cidr == nullptr || gateway == nullptr) return fail(EFAULT);
    if (wire::Ipv6Cidr::parse(prefix_cidr)) return add_route6(host, prefix_cidr, gateway);
    auto prefix = wire::Ipv4Cidr::parse(prefix_cidr);
    auto via = wire::Ipv4Address::parse(gateway);
    if (!prefix || !via) return fail(EINVAL);
    for (size_t i = 0; i < host->host.interface_count(); ++i) {
        const auto& itf = host->host.interface(static_cast<stack::InterfaceId>(i));
        if (itf.address.contains(*via)) {
            host->host.routes().add({.destination = *prefix,
                                     .gateway = *via,
                                     .interface = static_cast<stack::InterfaceId>(i)});
            return 0;
        }
    }
    return fail(ENETUNREACH);
}

void mnet_host_set_output(mnet_host* host, mnet_output_fn output, void* user) {
    if (host == nullptr) return;
    host->output = output;
    host->output_user = user;
}

int mnet_host_input(mnet_host* host, int interface, const void* frame, size_t length,
                    uint64_t now_ns) {
    if (host == nullptr || (frame == nullptr && length > 0)) return fail(EFAULT);
    if (interface < 0 || static_cast<size_t>(interface) >= host->host.interface_count())
        return fail(EINVAL);
    if (length > 65'535 + 14) return fail(EINVAL);
    const base::Time now = base::Time::from_ns(static_cast<int64_t>(now_ns & INT64_MAX));
    if (now > host->now) host->now = now;
    const base::ByteSpan bytes{static_cast<const std::byte*>(frame), length};
    host->host.receive(static_cast<stack::InterfaceId>(interface), host->pool.copy_of(bytes),
                       host->now);
    return 0;
}

void mnet_host_poll(mnet_host* host, uint64_t now_ns) {
    if (host == nullptr) return;
    const base::Time now = base::Time::from_ns(static_cast<int64_t>(now_ns & INT64_MAX));
    if (now > host->now) host->now = now;
    host->host.poll(host->now);
}

uint64_t mnet_host_next_deadline(const mnet_host* host) {
    if (host == nullptr) return MNET_NEVER;
    const base::Time t = host->host.next_deadline();
    if (t.is_never()) return MNET_NEVER;
    return static_cast<uint64_t>(std::max<int64_t>(t.since_epoch().ns(), 0));
}

}  // extern "C"
