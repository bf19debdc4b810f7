// Known-answer tests for the DNS codec: the messages dig and kdig exchanged with
// NSD over a loopback interface, recorded by tcpdump in
// tests/data/dns/kat/dns.pcap, and what the tools printed about each exchange
// in kat/NN-name.txt (tests/data/dns/capture.sh made them; tests/data/dns/README.md
// lists them).
//
// Every DNS message in the capture must parse; its header, EDNS and sections
// must read as the tool printed them (records compared in presentation format,
// whitespace collapsed); and emitting the parsed message must give octets that
// parse to the same message. Message IDs, ports and cookies come from the
// printouts, so a new capture needs no edits here unless its questions change.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "dns/wire/message.hpp"
#include "dns/wire/name.hpp"
#include "dns/wire/record.hpp"
#include "dns/wire/types.hpp"
#include "testing/data.hpp"
#include "testing/printers.hpp"
#include "wire/address.hpp"
#include "wire/checksum.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/pcap.hpp"
#include "wire/tcp.hpp"
#include "wire/udp.hpp"

namespace {

using base::ByteSpan;
using dns::Message;
using dns::RrType;
using testing_support::to_hex;
namespace rdata = dns::rdata;

constexpr uint16_t server_port = 55353;  // capture.sh's NSD
constexpr wire::Ipv4Address loopback{127, 0, 0, 1};

// ---- the exchanges, in the order capture.sh asked them ------------------------

struct Exchange {
    std::string_view file;  // kat/<file>.txt
    bool tcp = false;
    bool query_printed = true;  // +qr; `+noall +answer` prints only the answer's records
};

constexpr Exchange exchanges[] = {
    {"01-a"},
    {"02-aaaa"},
    {"03-mx-additional"},
    {"04-txt-strings"},
    {"05-srv"},
    {"06-caa"},
    {"07-unknown-type"},
    {"08-cname-chain"},
    {"09-wildcard"},
    {"10-nxdomain"},
    {"11-nodata"},
    {"12-referral"},
    {"13-dnssec-do"},
    {"14-nsid"},
    {"15-cookie"},
    {"16-big-udp-tc"},
    {.file = "17-big-tcp", .tcp = true},
    {.file = "18-ns-answer-only", .query_printed = false},
};
constexpr size_t exchange_count = std::size(exchanges);

// Indexes into `exchanges`.
namespace ask {
constexpr size_t a = 0, mx = 2, txt = 3, srv = 4, caa = 5, unknown_type = 6, cname_chain = 7,
                 wildcard = 8, nxdomain = 9, nodata = 10, referral = 11, dnssec = 12, nsid = 13,
                 cookie = 14, big_udp = 15, big_tcp = 16, ns_answer_only = 17;
}  // namespace ask

// ---- the capture ------------------------------------------------------------------

// One DNS message as it crossed the wire: a UDP payload, or one message of a
// TCP stream without its 2-octet length.
struct Captured {
    bool tcp = false;
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    std::vector<std::byte> bytes;
};

// One direction of a TCP connection: its payload concatenated in sequence
// order, and how much of it has been cut into messages.
struct TcpStream {
    std::optional<wire::SeqNum> next_seq;
    std::vector<std::byte> data;
    size_t taken = 0;
};

class Kat {
  public:
    Kat();

    const wire::pcap::FileHeader& header() const { return header_; }
    size_t records() const { return records_; }
    size_t tcp_segments() const { return tcp_segments_; }
    const std::vector<Captured>& messages() const { return messages_; }
    const Captured& query(size_t exchange) const { return messages_.at(2 * exchange); }
    const Captured& response(size_t exchange) const { return messages_.at(2 * exchange + 1); }
    // Every TCP stream was cut into whole messages with nothing left over.
    bool streams_consumed() const;

  private:
    void take_frame(ByteSpan frame);
    void take_tcp(const wire::TcpRepr& segment);

    std::vector<std::byte> file_;
    wire::pcap::FileHeader header_;
    size_t records_ = 0;
    size_t tcp_segments_ = 0;
    std::vector<Captured> messages_;
    std::map<std::pair<uint16_t, uint16_t>, TcpStream> streams_;  // by (source, destination) port
};

Kat::Kat() : file_(testing_support::read_data_file("dns/kat/dns.pcap")) {
    auto reader = wire::pcap::Reader::open(file_);
    if (!reader) {
        ADD_FAILURE() << "dns.pcap: " << wire::to_string(reader.error());
        return;
    }
    header_ = reader->header();
    constexpr size_t max_records = 200;  // the file holds 44
    for (size_t i = 0; i <= max_records; ++i) {
        auto next = reader->next();
        if (!next) {
            ADD_FAILURE() << "dns.pcap record " << i << ": " << wire::to_string(next.error());
            return;
        }
        if (!next->has_value()) return;
        ++records_;
        SCOPED_TRACE(testing::Message() << "dns.pcap record " << i);
        EXPECT_EQ((*next)->original_len, (*next)->data.size()) << "cut short by the snaplen";
        take_frame((*next)->data);
    }
    ADD_FAILURE() << "dns.pcap: more than " << max_records << " records";
}

// tcpdump on lo writes Ethernet frames with zero MACs. The IPv4 header
// checksum is the kernel's own; UDP and TCP checksums on lo are left to an
// offload that never happens, so they are not checked.
void Kat::take_frame(ByteSpan frame) {
    auto eth = wire::EthernetView::parse(frame);
    ASSERT_TRUE(eth) << wire::to_string(eth.error());
    EXPECT_TRUE(eth->dst().is_zero());
    EXPECT_TRUE(eth->src().is_zero());
    ASSERT_EQ(eth->ethertype(), wire::EtherType::ipv4);
    auto ip = wire::Ipv4View::parse(eth->payload());
    ASSERT_TRUE(ip) << wire::to_string(ip.error());
    auto ip_repr = wire::Ipv4Repr::parse(*ip, wire::ChecksumCheck::verify);
    ASSERT_TRUE(ip_repr) << wire::to_string(ip_repr.error());
    EXPECT_EQ(ip->src(), loopback);
    EXPECT_EQ(ip->dst(), loopback);
    EXPECT_FALSE(ip->is_fragment());
    if (ip->protocol() == wire::IpProtocol::udp) {
        auto view = wire::UdpView::parse(ip->payload());
        ASSERT_TRUE(view) << wire::to_string(view.error());
        auto udp = wire::UdpRepr::parse(*view, ip->src(), ip->dst(), wire::ChecksumCheck::ignore);
        ASSERT_TRUE(udp) << wire::to_string(udp.error());
        EXPECT_TRUE(udp->src_port == server_port || udp->dst_port == server_port);
        messages_.push_back(
            {false, udp->src_port, udp->dst_port, {udp->payload.begin(), udp->payload.end()}});
        return;
    }
    ASSERT_EQ(ip->protocol(), wire::IpProtocol::tcp);
    auto view = wire::TcpView::parse(ip->payload());
    ASSERT_TRUE(view) << wire::to_string(view.error());
    auto tcp = wire::TcpRepr::parse(*view, ip->src(), ip->dst(), wire::ChecksumCheck::ignore);
    ASSERT_TRUE(tcp) << wire::to_string(tcp.error());
    EXPECT_TRUE(tcp->src_port == server_port || tcp->dst_port == server_port);
    ++tcp_segments_;
    take_tcp(*tcp);
}

// Segments are concatenated in the order captured; on loopback nothing is
// lost or reordered, which the sequence numbers confirm.
void Kat::take_tcp(const wire::TcpRepr& segment) {
    TcpStream& s = streams_[{segment.src_port, segment.dst_port}];
    if (segment.flags.has(wire::TcpFlags::syn)) {
        s.next_seq = segment.seq + 1;
        return;
    }
    if (segment.payload.empty()) return;
    ASSERT_TRUE(s.next_seq) << "data before the SYN";
    ASSERT_EQ(segment.seq.value(), s.next_seq->value()) << "a gap or a retransmission";
    s.next_seq = *s.next_seq + static_cast<uint32_t>(segment.payload.size());
    s.data.insert(s.data.end(), segment.payload.begin(), segment.payload.end());
    // RFC 1035 §4.2.2: each message is preceded by its length in two octets.
    for (size_t guard = 0; guard < s.data.size() && s.data.size() - s.taken >= 2; ++guard) {
        const size_t len = base::load_be16(s.data, s.taken);
        if (s.data.size() - s.taken - 2 < len) break;
        const auto begin = s.data.begin() + static_cast<std::ptrdiff_t>(s.taken + 2);
        messages_.push_back({true,
                             segment.src_port,
                             segment.dst_port,
                             {begin, begin + static_cast<std::ptrdiff_t>(len)}});
        s.taken += 2 + len;
    }
}

bool Kat::streams_consumed() const {
    return std::all_of(streams_.begin(), streams_.end(),
                       [](const auto& s) { return s.second.taken == s.second.data.size(); });
}

std::optional<Message> parse(const Captured& c) {
    auto m = dns::parse_message(c.bytes);
    if (!m) {
        ADD_FAILURE() << "our parser rejects a message " << (c.tcp ? "(TCP) " : "(UDP) ")
                      << c.src_port << " -> " << c.dst_port << ", " << m.error().to_string()
                      << "\n  bytes: " << to_hex(c.bytes);
        return std::nullopt;
    }
    return *m;
}

// ---- what dig and kdig printed ---------------------------------------------

struct PrintedEdns {
    unsigned version = 0;
    bool dnssec_ok = false;
    unsigned udp_size = 0;
    std::map<std::string, std::string> options;  // "COOKIE" -> its hex, as printed
};

// One message as dig or kdig printed it. Both print the same items, worded a
// little differently ("status: X," against "status: X;", "udp: N" against
// "UDP size: N B"); both count the OPT record in ADDITIONAL.
struct Printed {
    bool header = false;  // false for `+noall +answer`: the answer's records only
    unsigned id = 0;
    std::string status;
    std::set<std::string> flags;
    std::array<unsigned, 4> counts{};  // QUERY, ANSWER, AUTHORITY, ADDITIONAL
    std::optional<PrintedEdns> edns;
    std::vector<std::string> question, answer, authority, additional;
    std::optional<unsigned> size;  // octets of the message
};

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

// Whitespace runs become one space. RFC 3597's generic data is hex, which dig
// and kdig print in upper case and we in lower: from "\#" on, lower case.
std::string normalise(std::string_view line) {
    std::string out;
    bool space = false;
    for (char c : trim(line)) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    const auto generic = out.find(" \\# ");
    if (generic != std::string::npos) {
        std::transform(out.begin() + static_cast<std::ptrdiff_t>(generic), out.end(),
                       out.begin() + static_cast<std::ptrdiff_t>(generic),
                       [](char c) { return static_cast<char>(std::tolower(c)); });
    }
    return out;
}

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The text after `key` in `line` up to the first of `stops`; empty if absent.
std::string_view value_after(std::string_view line, std::string_view key,
                             std::string_view stops = ",;") {
    const auto at = line.find(key);
    if (at == std::string_view::npos) return {};
    const std::string_view rest = line.substr(at + key.size());
    return trim(rest.substr(0, rest.find_first_of(stops)));
}

unsigned number_after(std::string_view line, std::string_view key) {
    const std::string_view digits = value_after(line, key, ",; ");
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    EXPECT_TRUE(ec == std::errc{} && end == digits.data() + digits.size())
        << "no number after '" << key << "' in: " << line;
    return v;
}

std::set<std::string> words(std::string_view s) {
    std::set<std::string> out;
    size_t at = 0;
    for (size_t guard = 0; guard <= s.size(); ++guard) {
        at = s.find_first_not_of(' ', at);
        if (at == std::string_view::npos) break;
        const auto end = std::min(s.find(' ', at), s.size());
        out.emplace(s.substr(at, end - at));
        at = end;
    }
    return out;
}

// An EDNS option line ("; COOKIE: 84f7…", ";; NSID: 6D69… \"minternet-kat\""):
// its name and first word.
std::optional<std::pair<std::string, std::string>> edns_option(std::string_view line) {
    const std::string_view s = trim(line.substr(line.find_first_not_of(';')));
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    const std::string_view name = s.substr(0, colon);
    const bool upper = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '=';
    });
    if (!upper) return std::nullopt;
    const std::string_view value = trim(s.substr(colon + 1));
    return std::pair{std::string(name), std::string(value.substr(0, value.find(' ')))};
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    size_t at = 0;
    for (size_t guard = 0; guard <= text.size() && at < text.size(); ++guard) {
        const auto end = std::min(text.find('\n', at), text.size());
        out.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// The messages in kat/<file>.txt, in the order printed: the query, then the
// response (with +qr), or only the response's answer records (+noall +answer).
std::vector<Printed> read_printout(std::string_view file) {
    const auto bytes = testing_support::read_data_file("dns/kat/" + std::string(file) + ".txt");
    const std::string_view text = base::as_chars(bytes);
    std::vector<Printed> out;
    if (text.find("->>HEADER<<-") == std::string_view::npos) {
        Printed p;
        for (std::string_view line : lines_of(text)) {
            if (!trim(line).empty() && line[0] != ';') p.answer.push_back(normalise(line));
        }
        out.push_back(std::move(p));
        return out;
    }
    std::vector<std::string>* section = nullptr;
    bool in_question = false;
    bool in_edns = false;
    for (std::string_view line : lines_of(text)) {
        if (starts_with(line, ";; ->>HEADER<<-")) {
            Printed& p = out.emplace_back();
            p.header = true;
            p.status = std::string(value_after(line, "status: "));
            p.id = number_after(line, "id: ");
            section = nullptr;
            in_edns = false;
            continue;
        }
        if (out.empty()) continue;  // dig's preamble
        Printed& p = out.back();
        if (trim(line).empty()) {
            section = nullptr;
            in_edns = false;
        } else if (starts_with(line, ";; flags:") || starts_with(line, ";; Flags:")) {
            p.flags = words(value_after(line, "lags:", ";"));
            const std::string_view keys[] = {"QUERY: ", "ANSWER: ", "AUTHORITY: ", "ADDITIONAL: "};
            for (size_t i = 0; i < 4; ++i)
                p.counts[i] = number_after(line, keys[i]);
        } else if (starts_with(line, "; EDNS:")) {  // dig
            p.edns =
                PrintedEdns{.version = number_after(line, "version: "),
                            .dnssec_ok = words(value_after(line, "flags:", ";")).contains("do"),
                            .udp_size = number_after(line, "udp: ")};
            in_edns = true;
        } else if (starts_with(line, ";; Version:")) {  // kdig, after ";; EDNS PSEUDOSECTION:"
            p.edns =
                PrintedEdns{.version = number_after(line, "Version: "),
                            .dnssec_ok = words(value_after(line, "flags:", ";")).contains("do"),
                            .udp_size = number_after(line, "UDP size: ")};
            in_edns = true;
        } else if (line.find(" SECTION:") != std::string_view::npos) {
            in_edns = false;
            in_question = line.find("QUESTION") != std::string_view::npos;
            section = in_question                                         ? &p.question
                      : line.find("ANSWER") != std::string_view::npos     ? &p.answer
                      : line.find("AUTHORITY") != std::string_view::npos  ? &p.authority
                      : line.find("ADDITIONAL") != std::string_view::npos ? &p.additional
                                                                          : nullptr;
            EXPECT_NE(section, nullptr) << "unknown section: " << line;
        } else if (starts_with(line, ";; QUERY SIZE:") || starts_with(line, ";; MSG SIZE")) {
            p.size = number_after(line, ": ");
        } else if (starts_with(line, ";; Sent ") || starts_with(line, ";; Received ")) {
            p.size = number_after(line, starts_with(line, ";; Sent ") ? "Sent " : "Received ");
        } else if (in_edns && p.edns) {
            if (auto option = edns_option(line)) p.edns->options.insert(*option);
        } else if (section && in_question) {
            section->push_back(normalise(line.substr(line.find_first_not_of("; \t"))));
        } else if (section && line[0] != ';') {
            section->push_back(normalise(line));
        }
    }
    return out;
}

// ---- comparing ----------------------------------------------------------------

std::set<std::string> flags_of(const Message& m) {
    std::set<std::string> out;
    for (auto [on, name] : {std::pair{m.qr, "qr"},
                            {m.aa, "aa"},
                            {m.tc, "tc"},
                            {m.rd, "rd"},
                            {m.ra, "ra"},
                            {m.ad, "ad"},
                            {m.cd, "cd"}}) {
        if (on) out.emplace(name);
    }
    return out;
}

std::vector<std::string> presented(const std::vector<dns::Record>& records) {
    std::vector<std::string> out;
    for (const dns::Record& r : records)
        out.push_back(normalise(r.to_string()));
    return out;
}

// The option names dig and kdig print for the codes in this capture.
std::string option_name(uint16_t code) {
    switch (code) {
        case 3:
            return "NSID";
        case 10:
            return "COOKIE";
        default:
            return "OPT=" + std::to_string(code);
    }
}

void expect_as_printed(const Message& m, const Printed& p, size_t octets) {
    EXPECT_EQ(presented(m.answers), p.answer) << "answer section";
    if (!p.header) return;
    EXPECT_EQ(m.id, p.id);
    EXPECT_EQ(dns::to_string(m.rcode), p.status);
    EXPECT_EQ(flags_of(m), p.flags);
    EXPECT_EQ(m.questions.size(), p.counts[0]) << "QUERY";
    EXPECT_EQ(m.answers.size(), p.counts[1]) << "ANSWER";
    EXPECT_EQ(m.authority.size(), p.counts[2]) << "AUTHORITY";
    EXPECT_EQ(m.additional.size() + (m.edns ? 1 : 0), p.counts[3]) << "ADDITIONAL with OPT";
    std::vector<std::string> questions;
    for (const dns::Question& q : m.questions)
        questions.push_back(normalise(q.to_string()));
    EXPECT_EQ(questions, p.question) << "question section";
    EXPECT_EQ(presented(m.authority), p.authority) << "authority section";
    EXPECT_EQ(presented(m.additional), p.additional) << "additional section";
    ASSERT_EQ(m.edns.has_value(), p.edns.has_value()) << "an OPT record";
    if (m.edns) {
        EXPECT_EQ(m.edns->version, p.edns->version);
        EXPECT_EQ(m.edns->dnssec_ok, p.edns->dnssec_ok);
        EXPECT_EQ(m.edns->udp_size, p.edns->udp_size);
        std::map<std::string, std::string> options;
        for (const dns::EdnsOption& o : m.edns->options)
            options.emplace(option_name(o.code), to_hex(o.data));
        std::map<std::string, std::string> printed;
        for (const auto& [name, hex] : p.edns->options)
            printed.emplace(name, lowercase(hex));
        EXPECT_EQ(options, printed) << "EDNS options";
    }
    ASSERT_TRUE(p.size) << "the tool printed no size";
    EXPECT_EQ(octets, *p.size);
}

size_t count_of(ByteSpan haystack, ByteSpan needle) {
    size_t n = 0;
    for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        if (base::equal_bytes(haystack.subspan(i, needle.size()), needle)) ++n;
    }
    return n;
}

// ---------------------------------------------------------------------------

TEST(DnsKnownAnswer, CaptureHoldsEveryExchange) {
    const Kat kat;
    EXPECT_FALSE(kat.header().big_endian);
    EXPECT_FALSE(kat.header().nanosecond);
    EXPECT_EQ(kat.header().linktype, wire::pcap::linktype_ethernet);
    EXPECT_EQ(kat.records(), 44u);
    // dig's TCP exchange: handshake, query, its ACK, response, its ACK, and
    // the closing FIN, FIN, ACK.
    EXPECT_EQ(kat.tcp_segments(), 10u);
    EXPECT_TRUE(kat.streams_consumed());
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    for (size_t i = 0; i < exchange_count; ++i) {
        SCOPED_TRACE(exchanges[i].file);
        const Captured& q = kat.query(i);
        const Captured& r = kat.response(i);
        EXPECT_EQ(q.tcp, exchanges[i].tcp);
        EXPECT_EQ(r.tcp, exchanges[i].tcp);
        EXPECT_EQ(q.dst_port, server_port);
        EXPECT_EQ(r.src_port, server_port);
        EXPECT_EQ(r.dst_port, q.src_port);
    }
}

TEST(DnsKnownAnswer, EveryMessageReadsAsDigAndKdigPrintedIt) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    for (size_t i = 0; i < exchange_count; ++i) {
        SCOPED_TRACE(exchanges[i].file);
        const auto query = parse(kat.query(i));
        const auto response = parse(kat.response(i));
        ASSERT_TRUE(query && response);
        EXPECT_FALSE(query->qr);
        EXPECT_TRUE(response->qr);
        EXPECT_EQ(response->id, query->id);
        EXPECT_EQ(response->questions, query->questions);

        const std::vector<Printed> printed = read_printout(exchanges[i].file);
        ASSERT_EQ(printed.size(), exchanges[i].query_printed ? 2u : 1u);
        if (exchanges[i].query_printed) {
            SCOPED_TRACE("the query");
            expect_as_printed(*query, printed[0], kat.query(i).bytes.size());
        }
        SCOPED_TRACE("the response");
        expect_as_printed(*response, printed.back(), kat.response(i).bytes.size());
    }
}

TEST(DnsKnownAnswer, EveryMessageSurvivesEmitAndParse) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    for (size_t i = 0; i < kat.messages().size(); ++i) {
        SCOPED_TRACE(testing::Message()
                     << exchanges[i / 2].file << (i % 2 ? " response" : " query"));
        const Captured& c = kat.messages()[i];
        const auto m = parse(c);
        ASSERT_TRUE(m);
        for (bool compress : {true, false}) {
            SCOPED_TRACE(compress ? "compressed" : "uncompressed");
            const std::vector<std::byte> again = dns::emit_message(*m, {.compress = compress});
            const auto back = dns::parse_message(again);
            ASSERT_TRUE(back) << back.error().to_string() << "\n  bytes: " << to_hex(again);
            EXPECT_TRUE(*back == *m) << "parsed again:\n"
                                     << dns::to_text(*back) << "first:\n"
                                     << dns::to_text(*m);
        }
        // NSD compresses what we compress (names in owners and in NS, CNAME,
        // SOA, MX data), so ours is never longer than what it sent.
        EXPECT_LE(dns::emit_message(*m).size(), c.bytes.size());
    }
}

// Without EDNS the 8 TXT records (869 octets in all) do not fit in 512: NSD
// sends the question alone with TC; dig, asked with +ignore, does not retry,
// and the same question over TCP gets them all.
TEST(DnsKnownAnswer, TruncatedOverUdpWholeOverTcp) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    const auto udp_query = parse(kat.query(ask::big_udp));
    const auto udp = parse(kat.response(ask::big_udp));
    const auto tcp = parse(kat.response(ask::big_tcp));
    ASSERT_TRUE(udp_query && udp && tcp);
    EXPECT_FALSE(udp_query->edns);
    EXPECT_FALSE(kat.response(ask::big_udp).tcp);
    EXPECT_TRUE(udp->tc);
    EXPECT_TRUE(udp->aa);
    EXPECT_TRUE(udp->answers.empty());
    EXPECT_TRUE(udp->authority.empty());
    EXPECT_EQ(udp->questions.size(), 1u);
    EXPECT_LE(kat.response(ask::big_udp).bytes.size(), 512u);

    EXPECT_TRUE(kat.response(ask::big_tcp).tcp);
    EXPECT_FALSE(tcp->tc);
    EXPECT_FALSE(tcp->edns);
    EXPECT_EQ(tcp->questions, udp->questions);
    ASSERT_EQ(tcp->answers.size(), 8u);
    EXPECT_EQ(kat.response(ask::big_tcp).bytes.size(), 869u);
    for (size_t i = 0; i < tcp->answers.size(); ++i) {
        const auto* txt = std::get_if<rdata::Txt>(&tcp->answers[i].data);
        ASSERT_NE(txt, nullptr);
        ASSERT_EQ(txt->strings.size(), 1u);
        EXPECT_EQ(txt->strings[0].size(), 80u);
        EXPECT_EQ(txt->strings[0][0], static_cast<char>('0' + i));
    }
}

// dig +dnssec +bufsize=4096: the OPT record right after the question, with
// CLASS 4096 and the DO bit in its TTL (RFC 3225), carrying dig's cookie.
TEST(DnsKnownAnswer, DnssecOkAndBufferSizeInTheQuery) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    const Captured& raw = kat.query(ask::dnssec);
    const auto query = parse(raw);
    ASSERT_TRUE(query);
    ASSERT_TRUE(query->edns);
    EXPECT_TRUE(query->edns->dnssec_ok);
    EXPECT_EQ(query->edns->udp_size, 4096);
    EXPECT_EQ(query->edns->version, 0);
    // Header 12, "www.example." 13, type and class 4: the OPT starts at 29.
    ASSERT_GE(raw.bytes.size(), 40u);
    EXPECT_EQ(to_hex(ByteSpan(raw.bytes).subspan(29, 11)), "000029100000008000000c");
    EXPECT_EQ(raw.bytes.size(), 29u + 11 + 12);  // and one 8-octet COOKIE option
    ASSERT_EQ(query->edns->options.size(), 1u);
    EXPECT_EQ(query->edns->options[0].code, 10);
    EXPECT_EQ(query->edns->options[0].data.size(), 8u);

    // NSD echoes DO and offers its own size.
    const auto response = parse(kat.response(ask::dnssec));
    ASSERT_TRUE(response && response->edns);
    EXPECT_TRUE(response->edns->dnssec_ok);
    EXPECT_EQ(response->edns->udp_size, 1232);
}

TEST(DnsKnownAnswer, EdnsOptionsNsidAndCookie) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    // kdig +nsid asks with an empty NSID option (RFC 5001); NSD answers with
    // the one capture.sh configured.
    const auto nsid_query = parse(kat.query(ask::nsid));
    const auto nsid_response = parse(kat.response(ask::nsid));
    ASSERT_TRUE(nsid_query && nsid_response);
    ASSERT_TRUE(nsid_query->edns && nsid_response->edns);
    ASSERT_EQ(nsid_query->edns->options.size(), 1u);
    EXPECT_EQ(nsid_query->edns->options[0].code, 3);
    EXPECT_TRUE(nsid_query->edns->options[0].data.empty());
    ASSERT_EQ(nsid_response->edns->options.size(), 1u);
    EXPECT_EQ(nsid_response->edns->options[0].code, 3);
    EXPECT_EQ(base::as_chars(nsid_response->edns->options[0].data), "minternet-kat");

    // dig +cookie sends an 8-octet client cookie (RFC 7873); NSD 4.6 does not
    // do cookies and answers without one.
    const auto cookie_query = parse(kat.query(ask::cookie));
    const auto cookie_response = parse(kat.response(ask::cookie));
    ASSERT_TRUE(cookie_query && cookie_response);
    ASSERT_TRUE(cookie_query->edns && cookie_response->edns);
    ASSERT_EQ(cookie_query->edns->options.size(), 1u);
    EXPECT_EQ(cookie_query->edns->options[0].code, 10);
    EXPECT_EQ(cookie_query->edns->options[0].data.size(), 8u);
    EXPECT_TRUE(cookie_response->edns->options.empty());
}

// TYPE65280 is no type we know: its data stays the four octets of the zone's
// "\# 4 0a0b0c0d" (RFC 3597), and goes out again unchanged.
TEST(DnsKnownAnswer, UnknownTypeKeptAsOpaqueOctets) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    const Captured& raw = kat.response(ask::unknown_type);
    const auto response = parse(raw);
    ASSERT_TRUE(response);
    ASSERT_EQ(response->answers.size(), 1u);
    const dns::Record& r = response->answers[0];
    EXPECT_EQ(r.type, RrType{65280});
    EXPECT_EQ(r.name.to_string(), "opaque.example.");
    const auto* opaque = std::get_if<rdata::Opaque>(&r.data);
    ASSERT_NE(opaque, nullptr);
    EXPECT_EQ(to_hex(opaque->bytes), "0a0b0c0d");
    EXPECT_EQ(r.to_string(), "opaque.example. 3600 IN TYPE65280 \\# 4 0a0b0c0d");
    // Owner c00c, type ff00, class IN, TTL 3600, length 4, the data.
    const auto record = testing_support::from_hex("c00c ff00 0001 00000e10 0004 0a0b0c0d");
    EXPECT_EQ(count_of(raw.bytes, record), 1u);
    EXPECT_EQ(count_of(dns::emit_message(*response), record), 1u);
}

// NSD compresses: every response with records points back to the question's
// name at octet 12, and the parser gives the full names.
TEST(DnsKnownAnswer, CompressedNamesParseToFullNames) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);
    for (size_t i = 0; i < exchange_count; ++i) {
        SCOPED_TRACE(exchanges[i].file);
        const Captured& raw = kat.response(i);
        const auto m = parse(raw);
        ASSERT_TRUE(m);
        if (m->answers.empty() && m->authority.empty()) continue;  // the truncated one
        // The first owner after the question is a suffix of the question name
        // (the name itself, or the zone apex for negative answers and
        // referrals), so NSD writes it as a pointer into the question.
        const size_t first_owner = 12 + m->questions[0].name.wire_size() + 4;
        ASSERT_LT(first_owner + 1, raw.bytes.size());
        const auto hi = std::to_integer<unsigned>(raw.bytes[first_owner]);
        const auto lo = std::to_integer<unsigned>(raw.bytes[first_owner + 1]);
        EXPECT_EQ(hi & 0xC0u, 0xC0u) << "owner not compressed at offset " << first_owner;
        EXPECT_GE(((hi & 0x3Fu) << 8) | lo, 12u);
        EXPECT_LT(((hi & 0x3Fu) << 8) | lo, first_owner - 4);
        for (const auto* section : {&m->answers, &m->authority, &m->additional}) {
            for (const dns::Record& r : *section)
                EXPECT_TRUE(r.name.is_subdomain_of(*dns::Name::parse("example."))) << r.to_string();
        }
    }
    // "example. NS": "example." is written once, in the question; the owners
    // are pointers to it and the targets "ns1"/"ns2" plus a pointer.
    const Captured& raw = kat.response(ask::ns_answer_only);
    const auto ns = parse(raw);
    ASSERT_TRUE(ns);
    EXPECT_EQ(count_of(raw.bytes, testing_support::from_hex("07 6578616d706c65 00")), 1u);
    EXPECT_EQ(count_of(raw.bytes, testing_support::from_hex("03 6e7331 c00c")), 1u);
    EXPECT_EQ(count_of(raw.bytes, testing_support::from_hex("03 6e7332 c00c")), 1u);
    ASSERT_EQ(ns->answers.size(), 2u);
    EXPECT_EQ(ns->answers[0].name.to_string(), "example.");
    EXPECT_EQ(std::get<rdata::Ns>(ns->answers[0].data).host.to_string(), "ns1.example.");
    EXPECT_EQ(std::get<rdata::Ns>(ns->answers[1].data).host.to_string(), "ns2.example.");
}

TEST(DnsKnownAnswer, SectionsOfTheInterestingAnswers) {
    const Kat kat;
    ASSERT_EQ(kat.messages().size(), 2 * exchange_count);

    const auto txt = parse(kat.response(ask::txt));
    ASSERT_TRUE(txt);
    ASSERT_EQ(txt->answers.size(), 1u);
    EXPECT_EQ(std::get<rdata::Txt>(txt->answers[0].data).strings,
              (std::vector<std::string>{"one", "two words", "semi;colon"}));

    // Additional section processing: the MX target's address comes along.
    const auto mx = parse(kat.response(ask::mx));
    ASSERT_TRUE(mx);
    ASSERT_FALSE(mx->additional.empty());
    EXPECT_EQ(mx->additional[0].to_string(), "mail.example. 3600 IN A 192.0.2.25");

    const auto srv = parse(kat.response(ask::srv));
    ASSERT_TRUE(srv);
    ASSERT_EQ(srv->answers.size(), 1u);
    EXPECT_EQ(std::get<rdata::Srv>(srv->answers[0].data),
              (rdata::Srv{10, 5, 80, *dns::Name::parse("www.example.")}));

    const auto caa = parse(kat.response(ask::caa));
    ASSERT_TRUE(caa);
    ASSERT_EQ(caa->answers.size(), 1u);
    EXPECT_EQ(std::get<rdata::Caa>(caa->answers[0].data), (rdata::Caa{0, "issue", "ca.example"}));

    const auto chain = parse(kat.response(ask::cname_chain));
    ASSERT_TRUE(chain);
    ASSERT_EQ(chain->answers.size(), 3u);
    EXPECT_EQ(chain->answers[0].type, RrType::cname);
    EXPECT_EQ(chain->answers[1].type, RrType::cname);
    EXPECT_EQ(chain->answers[2].to_string(), "www.example. 3600 IN A 192.0.2.80");

    // The wildcard's record under the name asked.
    const auto wild = parse(kat.response(ask::wildcard));
    ASSERT_TRUE(wild);
    ASSERT_EQ(wild->answers.size(), 1u);
    EXPECT_EQ(wild->answers[0].to_string(), "x.wild.example. 3600 IN A 192.0.2.99");

    // NXDOMAIN and NODATA: no answer, the SOA with the negative TTL (RFC 2308).
    for (size_t i : {ask::nxdomain, ask::nodata}) {
        SCOPED_TRACE(exchanges[i].file);
        const auto m = parse(kat.response(i));
        ASSERT_TRUE(m);
        EXPECT_EQ(m->rcode, i == ask::nxdomain ? dns::Rcode::nxdomain : dns::Rcode::noerror);
        EXPECT_TRUE(m->aa);
        EXPECT_TRUE(m->answers.empty());
        ASSERT_EQ(m->authority.size(), 1u);
        EXPECT_EQ(m->authority[0].type, RrType::soa);
        EXPECT_EQ(m->authority[0].ttl, 300u);
    }

    // A referral: not authoritative, the child's NS and its glue.
    const auto referral = parse(kat.response(ask::referral));
    ASSERT_TRUE(referral);
    EXPECT_FALSE(referral->aa);
    EXPECT_FALSE(referral->rd);  // dig +norecurse
    EXPECT_TRUE(referral->answers.empty());
    ASSERT_EQ(referral->authority.size(), 1u);
    EXPECT_EQ(referral->authority[0].to_string(), "sub.example. 3600 IN NS ns.sub.example.");
    ASSERT_EQ(referral->additional.size(), 1u);
    EXPECT_EQ(referral->additional[0].to_string(), "ns.sub.example. 3600 IN A 192.0.2.153");

    const auto a = parse(kat.response(ask::a));
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->ra);
    EXPECT_TRUE(a->rd);
}

}  // namespace
