// The parse functions of the catalog's rows (catalog.cpp), one per kind of
// application, grouped by family in kinds_*.cpp. Each checks the parameters
// through `p` and returns the start of the program with the checked values.
#pragma once

#include "scenario/catalog.hpp"

namespace scenario::kinds {

using Parsed = base::Expected<Start, std::string>;

// kinds_icmp.cpp
Parsed ping(Params& p, const ParseContext& c);
Parsed traceroute(Params& p, const ParseContext& c);

// kinds_udp.cpp
Parsed udp_echo(Params& p, const ParseContext& c);
Parsed udp_stream(Params& p, const ParseContext& c);
Parsed udp_sink(Params& p, const ParseContext& c);
Parsed udp_cbr(Params& p, const ParseContext& c);

// kinds_tcp.cpp
Parsed http_server(Params& p, const ParseContext& c);
Parsed http_get(Params& p, const ParseContext& c);
Parsed tcp_hello(Params& p, const ParseContext& c);
Parsed tcp_hello_server(Params& p, const ParseContext& c);
Parsed tcp_sink(Params& p, const ParseContext& c);
Parsed tcp_bulk(Params& p, const ParseContext& c);
Parsed syn_flood(Params& p, const ParseContext& c);

// kinds_dns.cpp
Parsed dns_server(Params& p, const ParseContext& c);
Parsed dns_recursor(Params& p, const ParseContext& c);
Parsed dns_lookup(Params& p, const ParseContext& c);
Parsed dns_update(Params& p, const ParseContext& c);

}  // namespace scenario::kinds
