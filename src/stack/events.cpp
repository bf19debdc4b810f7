#include "stack/events.hpp"

namespace stack {

std::string_view to_string(DropReason r) {
    switch (r) {
        case DropReason::malformed:
            return "malformed";
        case DropReason::bad_checksum:
            return "bad checksum";
        case DropReason::not_for_us:
            return "not for us";
        case DropReason::no_route:
            return "no route";
        case DropReason::ttl_expired:
            return "TTL expired";
        case DropReason::arp_failed:
            return "ARP failed";
        case DropReason::arp_queue_full:
            return "ARP queue full";
        case DropReason::too_big:
            return "too big for the next link, and not to be fragmented";
        case DropReason::reassembly_timeout:
            return "reassembly timeout";
        case DropReason::reassembly_limit:
            return "reassembly limit";
        case DropReason::fragment_overlap:
            return "overlapping fragment";
        case DropReason::protocol_unreachable:
            return "protocol unreachable";
        case DropReason::port_unreachable:
            return "port unreachable";
        case DropReason::unsupported:
            return "unsupported";
        case DropReason::queue_full:
            return "queue full";
        case DropReason::loss:
            return "lost";
        case DropReason::filtered:
            return "filtered";
        case DropReason::link_down:
            return "link down";
        case DropReason::node_down:
            return "node down";
        case DropReason::receive_queue_full:
            return "receive queue full";
        case DropReason::martian_source:
            return "martian source";
        case DropReason::ndp_invalid:
            return "invalid neighbour discovery";
        case DropReason::hop_limit_exceeded:
            return "hop limit exceeded";
        case DropReason::beyond_scope:
            return "beyond scope";
        case DropReason::neighbor_failed:
            return "neighbour unreachable";
    }
    return "unknown";
}

std::string_view to_string(ArpEvent e) {
    switch (e) {
        case ArpEvent::request_sent:
            return "request sent";
        case ArpEvent::reply_sent:
            return "reply sent";
        case ArpEvent::resolved:
            return "resolved";
        case ArpEvent::gratuitous_sent:
            return "gratuitous sent";
        case ArpEvent::failed:
            return "failed";
    }
    return "unknown";
}

std::string_view to_string(NdpEvent e) {
    switch (e) {
        case NdpEvent::solicitation_sent:
            return "solicitation sent";
        case NdpEvent::advertisement_sent:
            return "advertisement sent";
        case NdpEvent::resolved:
            return "resolved";
        case NdpEvent::failed:
            return "failed";
        case NdpEvent::dad_started:
            return "duplicate address detection started";
        case NdpEvent::address_ready:
            return "address ready";
        case NdpEvent::duplicate_address:
            return "duplicate address";
        case NdpEvent::router_solicitation_sent:
            return "router solicitation sent";
        case NdpEvent::router_advertisement_sent:
            return "router advertisement sent";
        case NdpEvent::router_advertisement_received:
            return "router advertisement received";
        case NdpEvent::address_autoconfigured:
            return "address autoconfigured";
    }
    return "unknown";
}

}  // namespace stack
