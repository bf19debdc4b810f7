#include "wire/services.hpp"

namespace wire {
namespace {

struct Service {
    uint16_t port;
    bool tcp;
    bool udp;
    std::string_view name;
};

constexpr Service services[] = {
    {7, true, true, "echo"},         {9, true, true, "discard"},   {13, true, true, "daytime"},
    {20, true, false, "ftp-data"},   {21, true, false, "ftp"},     {22, true, false, "ssh"},
    {23, true, false, "telnet"},     {25, true, false, "smtp"},    {53, true, true, "domain"},
    {67, false, true, "bootps"},     {68, false, true, "bootpc"},  {69, false, true, "tftp"},
    {80, true, false, "http"},       {110, true, false, "pop3"},   {123, false, true, "ntp"},
    {143, true, false, "imap"},      {161, false, true, "snmp"},   {179, true, false, "bgp"},
    {443, true, true, "https"},      {514, false, true, "syslog"}, {853, true, false, "domain-s"},
    {993, true, false, "imaps"},     {3478, false, true, "stun"},  {5060, true, true, "sip"},
    {8080, true, false, "http-alt"},
};

}  // namespace

std::string_view service_name(uint16_t port, IpProtocol protocol) {
    for (const Service& s : services) {
        if (s.port != port) continue;
        if ((protocol == IpProtocol::tcp && s.tcp) || (protocol == IpProtocol::udp && s.udp)) {
            return s.name;
        }
    }
    return {};
}

}  // namespace wire
