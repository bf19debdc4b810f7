#include "dns/wire/message.hpp"

#include <unordered_map>

#include <fmt/format.h>

namespace dns {
namespace {

constexpr size_t max_pointer_target = 0x3fff;

// ---- reading -------------------------------------------------------------------

class Reader {
  public:
    explicit Reader(base::ByteSpan b) : b_(b) {}

    size_t pos() const { return pos_; }
    void seek(size_t p) { pos_ = p; }
    size_t size() const { return b_.size(); }

    base::Expected<uint8_t, WireError> u8(std::string_view what) {
        if (pos_ + 1 > b_.size()) return short_of(what);
        return static_cast<uint8_t>(b_[pos_++]);
    }
    base::Expected<uint16_t, WireError> u16(std::string_view what) {
        if (pos_ + 2 > b_.size()) return short_of(what);
        const uint16_t v = base::load_be16(b_, pos_);
        pos_ += 2;
        return v;
    }
    base::Expected<uint32_t, WireError> u32(std::string_view what) {
        if (pos_ + 4 > b_.size()) return short_of(what);
        const uint32_t v = base::load_be32(b_, pos_);
        pos_ += 4;
        return v;
    }
    base::Expected<base::ByteSpan, WireError> bytes(size_t n, std::string_view what) {
        if (pos_ + n > b_.size()) return short_of(what);
        const base::ByteSpan s = b_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

    // A possibly compressed name at the current position, whose own labels
    // must end before `bound` (the end of the message, or of a record's data).
    // Each pointer must point before where the labels it ends began, so the
    // walk only ever moves backwards and ends.
    base::Expected<Name, WireError> name(size_t bound) {
        std::string wire;
        size_t at = pos_;
        size_t limit = pos_;  // a pointer must target an octet before this
        size_t end = bound;   // labels read in place must stay before this
        bool jumped = false;
        for (int hops = 0;; ++hops) {
            if (at >= end) return fail_at(at, "a name runs past the end of its data");
            const auto len = static_cast<uint8_t>(b_[at]);
            if ((len & 0xc0) == 0xc0) {
                if (at + 2 > end) return fail_at(at, "a compression pointer cut short");
                const size_t target = (size_t{len & 0x3fu} << 8) | static_cast<uint8_t>(b_[at + 1]);
                if (target >= limit)
                    return fail_at(at, fmt::format("a compression pointer to octet {} that does "
                                                   "not point back",
                                                   target));
                if (!jumped) pos_ = at + 2;
                jumped = true;
                limit = target;
                at = target;
                end = b_.size();
                continue;
            }
            if ((len & 0xc0) != 0)
                return fail_at(at, fmt::format("label type 0x{:02x} is not a length or a pointer",
                                               len & 0xc0));
            if (len == 0) {
                wire += '\0';
                if (!jumped) pos_ = at + 1;
                break;
            }
            if (at + 1 + len > end) return fail_at(at, "a label runs past the end of its data");
            if (wire.size() + 1 + len + 1 > Name::max_wire_len)
                return fail_at(at, "a name longer than 255 octets");
            wire += static_cast<char>(len);
            wire.append(reinterpret_cast<const char*>(b_.data() + at + 1), len);
            at += 1 + len;
        }
        auto n = Name::from_wire(base::as_bytes(wire));
        if (!n) return fail_at(pos_, n.error());
        return *n;
    }

    base::Unexpected<WireError> fail_at(size_t at, std::string what) const {
        return base::fail(WireError{std::move(what), at});
    }

  private:
    base::Unexpected<WireError> short_of(std::string_view what) const {
        return fail_at(pos_, fmt::format("the message ends inside {}", what));
    }

    base::ByteSpan b_;
    size_t pos_ = 0;
};

#define MINTERNET_TRY(var, expr)                      \
    auto var##_r = (expr);                            \
    if (!var##_r) return base::fail(var##_r.error()); \
    auto var = *var##_r

base::Expected<RData, WireError> parse_rdata(Reader& r, RrType type, RrClass cls, size_t len) {
    const size_t start = r.pos();
    const size_t end = start + len;
    auto name = [&]() { return r.name(end); };
    RData data;
    // Empty data of any type: RFC 2136's "delete" and "exists" forms.
    if (len == 0) return RData{rdata::Opaque{}};
    switch (type) {
        case RrType::a:
        case RrType::aaaa: {
            const size_t want = type == RrType::a ? 4 : 16;
            if (cls != RrClass::in) goto opaque;
            if (len != want)
                return r.fail_at(start, fmt::format("{} data of {} octets (must be {})",
                                                    to_string(type), len, want));
            MINTERNET_TRY(b, r.bytes(len, "an address"));
            if (type == RrType::a) {
                data = rdata::A{wire::Ipv4Address::load(b)};
            } else {
                data = rdata::Aaaa{wire::Ipv6Address::load(b)};
            }
            break;
        }
        case RrType::ns:
        case RrType::cname:
        case RrType::ptr: {
            MINTERNET_TRY(n, name());
            if (type == RrType::ns) data = rdata::Ns{n};
            if (type == RrType::cname) data = rdata::Cname{n};
            if (type == RrType::ptr) data = rdata::Ptr{n};
            break;
        }
        case RrType::soa: {
            MINTERNET_TRY(m, name());
            MINTERNET_TRY(rn, name());
            rdata::Soa s{.mname = m, .rname = rn};
            for (uint32_t* f : {&s.serial, &s.refresh, &s.retry, &s.expire, &s.minimum}) {
                if (r.pos() + 4 > end) return r.fail_at(r.pos(), "SOA data cut short");
                MINTERNET_TRY(v, r.u32("SOA data"));
                *f = v;
            }
            data = s;
            break;
        }
        case RrType::mx: {
            if (len < 3) return r.fail_at(start, "MX data cut short");
            MINTERNET_TRY(p, r.u16("MX data"));
            MINTERNET_TRY(n, name());
            data = rdata::Mx{p, n};
            break;
        }
        case RrType::txt: {
            rdata::Txt t;
            while (r.pos() < end) {
                MINTERNET_TRY(l, r.u8("a TXT string"));
                if (r.pos() + l > end)
                    return r.fail_at(r.pos() - 1, "a TXT string runs past its data");
                MINTERNET_TRY(s, r.bytes(l, "a TXT string"));
                t.strings.emplace_back(base::as_chars(s));
            }
            data = t;
            break;
        }
        case RrType::srv: {
            if (len < 7) return r.fail_at(start, "SRV data cut short");
            rdata::Srv s;
            for (uint16_t* f : {&s.priority, &s.weight, &s.port}) {
                MINTERNET_TRY(v, r.u16("SRV data"));
                *f = v;
            }
            MINTERNET_TRY(n, name());
            s.target = n;
            data = s;
            break;
        }
        case RrType::caa: {
            if (len < 2) return r.fail_at(start, "CAA data cut short");
            MINTERNET_TRY(f, r.u8("CAA data"));
            MINTERNET_TRY(tl, r.u8("CAA data"));
            if (tl == 0 || r.pos() + tl > end)
                return r.fail_at(r.pos() - 1, fmt::format("a CAA tag length of {}", tl));
            MINTERNET_TRY(tag, r.bytes(tl, "a CAA tag"));
            MINTERNET_TRY(value, r.bytes(end - r.pos(), "a CAA value"));
            data =
                rdata::Caa{f, std::string(base::as_chars(tag)), std::string(base::as_chars(value))};
            break;
        }
        default:
        opaque : {
            MINTERNET_TRY(b, r.bytes(len, "record data"));
            data = rdata::Opaque{{b.begin(), b.end()}};
            break;
        }
    }
    if (r.pos() != end)
        return r.fail_at(start, fmt::format("{} data is {} octets, its length says {}",
                                            to_string(type), r.pos() - start, len));
    return data;
}

}  // namespace

std::string WireError::to_string() const {
    return fmt::format("at octet {}: {}", offset, what);
}

std::string Question::to_string() const {
    return fmt::format("{} {} {}", name.to_string(), dns::to_string(cls), dns::to_string(type));
}

base::Expected<Message, WireError> parse_message(base::ByteSpan bytes) {
    Reader r(bytes);
    if (bytes.size() < Message::header_len)
        return r.fail_at(0,
                         fmt::format("{} octets, shorter than the 12-octet header", bytes.size()));
    Message m;
    MINTERNET_TRY(id, r.u16("the header"));
    MINTERNET_TRY(flags, r.u16("the header"));
    m.id = id;
    m.qr = flags & 0x8000;
    m.opcode = Opcode{static_cast<uint8_t>((flags >> 11) & 0xf)};
    m.aa = flags & 0x0400;
    m.tc = flags & 0x0200;
    m.rd = flags & 0x0100;
    m.ra = flags & 0x0080;
    m.z = flags & 0x0040;
    m.ad = flags & 0x0020;
    m.cd = flags & 0x0010;
    uint16_t rcode = flags & 0xf;
    uint16_t counts[4];
    for (uint16_t& c : counts) {
        MINTERNET_TRY(v, r.u16("the header"));
        c = v;
    }
    for (uint16_t i = 0; i < counts[0]; ++i) {
        MINTERNET_TRY(name, r.name(bytes.size()));
        MINTERNET_TRY(type, r.u16("a question"));
        MINTERNET_TRY(cls, r.u16("a question"));
        m.questions.push_back({name, RrType{type}, RrClass{cls}});
    }
    std::vector<Record>* sections[] = {&m.answers, &m.authority, &m.additional};
    for (int s = 0; s < 3; ++s) {
        for (uint16_t i = 0; i < counts[s + 1]; ++i) {
            const size_t record_at = r.pos();
            MINTERNET_TRY(name, r.name(bytes.size()));
            MINTERNET_TRY(type, r.u16("a record"));
            MINTERNET_TRY(cls, r.u16("a record"));
            MINTERNET_TRY(ttl, r.u32("a record"));
            MINTERNET_TRY(len, r.u16("a record"));
            if (r.pos() + len > bytes.size())
                return r.fail_at(r.pos() - 2, fmt::format("record data of {} octets runs past "
                                                          "the end of the message",
                                                          len));
            if (RrType{type} == RrType::opt) {
                if (s != 2)
                    return r.fail_at(record_at, "an OPT record outside the additional section");
                if (m.edns) return r.fail_at(record_at, "a second OPT record");
                if (!name.is_root())
                    return r.fail_at(record_at, "an OPT record not owned by the root");
                Edns e{.udp_size = cls,
                       .version = static_cast<uint8_t>((ttl >> 16) & 0xff),
                       .dnssec_ok = (ttl & 0x8000) != 0};
                rcode = static_cast<uint16_t>(rcode | ((ttl >> 24) << 4));
                const size_t end = r.pos() + len;
                while (r.pos() < end) {
                    if (r.pos() + 4 > end) return r.fail_at(r.pos(), "an EDNS option cut short");
                    MINTERNET_TRY(code, r.u16("an EDNS option"));
                    MINTERNET_TRY(olen, r.u16("an EDNS option"));
                    if (r.pos() + olen > end)
                        return r.fail_at(r.pos() - 2, "an EDNS option runs past its record");
                    MINTERNET_TRY(data, r.bytes(olen, "an EDNS option"));
                    e.options.push_back({code, {data.begin(), data.end()}});
                }
                m.edns = std::move(e);
                continue;
            }
            MINTERNET_TRY(data, parse_rdata(r, RrType{type}, RrClass{cls}, len));
            sections[s]->push_back(Record{name, RrType{type}, RrClass{cls}, ttl, std::move(data)});
        }
    }
    m.rcode = Rcode{rcode};
    return m;
}

// ---- writing -------------------------------------------------------------------

namespace {

class Writer {
  public:
    explicit Writer(bool compress) : compress_(compress) { out_.reserve(512); }

    void u8(uint8_t v) { out_.push_back(static_cast<std::byte>(v)); }
    void u16(uint16_t v) {
        u8(static_cast<uint8_t>(v >> 8));
        u8(static_cast<uint8_t>(v));
    }
    void u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        u16(static_cast<uint16_t>(v));
    }
    void bytes(base::ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void patch16(size_t at, uint16_t v) {
        out_[at] = static_cast<std::byte>(v >> 8);
        out_[at + 1] = static_cast<std::byte>(v);
    }
    size_t size() const { return out_.size(); }

    // Writes `n`, ending in a pointer to an earlier copy of its longest known
    // suffix when compressing (matched without regard to case).
    void name(const Name& n, bool may_compress) {
        const base::ByteSpan w = n.wire();
        size_t at = 0;
        while (w[at] != std::byte{0}) {
            if (compress_ && may_compress) {
                std::string suffix(reinterpret_cast<const char*>(w.data() + at), w.size() - at);
                for (char& c : suffix)
                    c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
                const auto it = seen_.find(suffix);
                if (it != seen_.end()) {
                    u16(static_cast<uint16_t>(0xc000 | it->second));
                    return;
                }
                if (out_.size() <= max_pointer_target)
                    seen_.emplace(std::move(suffix), static_cast<uint16_t>(out_.size()));
            }
            const auto len = static_cast<size_t>(w[at]);
            bytes(w.subspan(at, 1 + len));
            at += 1 + len;
        }
        u8(0);
    }

    std::vector<std::byte> take() { return std::move(out_); }

  private:
    bool compress_;
    std::vector<std::byte> out_;
    std::unordered_map<std::string, uint16_t> seen_;
};

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

void write_rdata(Writer& w, const RData& data) {
    std::visit(Overloaded{
                   [&](const rdata::A& a) {
                       std::array<std::byte, 4> b{};
                       a.address.store(b);
                       w.bytes(b);
                   },
                   [&](const rdata::Aaaa& a) {
                       std::array<std::byte, 16> b{};
                       a.address.store(b);
                       w.bytes(b);
                   },
                   [&](const rdata::Ns& n) { w.name(n.host, true); },
                   [&](const rdata::Cname& c) { w.name(c.target, true); },
                   [&](const rdata::Ptr& p) { w.name(p.target, true); },
                   [&](const rdata::Soa& s) {
                       w.name(s.mname, true);
                       w.name(s.rname, true);
                       for (uint32_t v : {s.serial, s.refresh, s.retry, s.expire, s.minimum})
                           w.u32(v);
                   },
                   [&](const rdata::Mx& m) {
                       w.u16(m.preference);
                       w.name(m.exchange, true);
                   },
                   [&](const rdata::Txt& t) {
                       for (const std::string& s : t.strings) {
                           const size_t n = std::min<size_t>(s.size(), 255);
                           w.u8(static_cast<uint8_t>(n));
                           w.bytes(base::as_bytes(std::string_view(s).substr(0, n)));
                       }
                   },
                   [&](const rdata::Srv& s) {
                       w.u16(s.priority);
                       w.u16(s.weight);
                       w.u16(s.port);
                       w.name(s.target, false);  // RFC 2782: never compressed
                   },
                   [&](const rdata::Caa& c) {
                       w.u8(c.flags);
                       const size_t n = std::min<size_t>(c.tag.size(), 255);
                       w.u8(static_cast<uint8_t>(n));
                       w.bytes(base::as_bytes(std::string_view(c.tag).substr(0, n)));
                       w.bytes(base::as_bytes(c.value));
                   },
                   [&](const rdata::Opaque& o) { w.bytes(o.bytes); },
               },
               data);
}

void write_record(Writer& w, const Record& r) {
    w.name(r.name, true);
    w.u16(static_cast<uint16_t>(r.type));
    w.u16(static_cast<uint16_t>(r.cls));
    w.u32(r.ttl);
    const size_t len_at = w.size();
    w.u16(0);
    write_rdata(w, r.data);
    w.patch16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
}

std::vector<std::byte> emit(const Message& m, bool compress, bool with_additional,
                            bool with_answers) {
    Writer w(compress);
    const size_t answers = with_answers ? m.answers.size() : 0;
    const size_t authority = with_answers ? m.authority.size() : 0;
    const size_t additional = (with_additional ? m.additional.size() : 0) + (m.edns ? 1 : 0);
    const bool tc = m.tc || !with_answers;
    w.u16(m.id);
    const auto rcode = static_cast<uint16_t>(m.rcode);
    const uint16_t flags = static_cast<uint16_t>(
        (m.qr ? 0x8000 : 0) | ((static_cast<unsigned>(m.opcode) & 0xf) << 11) |
        (m.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) | (m.rd ? 0x0100 : 0) | (m.ra ? 0x0080 : 0) |
        (m.z ? 0x0040 : 0) | (m.ad ? 0x0020 : 0) | (m.cd ? 0x0010 : 0) | (rcode & 0xf));
    w.u16(flags);
    w.u16(static_cast<uint16_t>(m.questions.size()));
    w.u16(static_cast<uint16_t>(answers));
    w.u16(static_cast<uint16_t>(authority));
    w.u16(static_cast<uint16_t>(additional));
    for (const Question& q : m.questions) {
        w.name(q.name, true);
        w.u16(static_cast<uint16_t>(q.type));
        w.u16(static_cast<uint16_t>(q.cls));
    }
    for (size_t i = 0; i < answers; ++i)
        write_record(w, m.answers[i]);
    for (size_t i = 0; i < authority; ++i)
        write_record(w, m.authority[i]);
    if (with_additional) {
        for (const Record& r : m.additional)
            write_record(w, r);
    }
    if (m.edns) {
        w.u8(0);  // the root
        w.u16(static_cast<uint16_t>(RrType::opt));
        w.u16(m.edns->udp_size);
        w.u32((uint32_t{static_cast<uint8_t>(rcode >> 4)} << 24) |
              (uint32_t{m.edns->version} << 16) | (m.edns->dnssec_ok ? 0x8000u : 0u));
        const size_t len_at = w.size();
        w.u16(0);
        for (const EdnsOption& o : m.edns->options) {
            w.u16(o.code);
            w.u16(static_cast<uint16_t>(o.data.size()));
            w.bytes(o.data);
        }
        w.patch16(len_at, static_cast<uint16_t>(w.size() - len_at - 2));
    }
    return w.take();
}

}  // namespace

std::vector<std::byte> emit_message(const Message& m, EmitOptions o) {
    auto full = emit(m, o.compress, true, true);
    if (full.size() <= o.max_size) return full;
    auto without_additional = emit(m, o.compress, false, true);
    if (without_additional.size() <= o.max_size) return without_additional;
    return emit(m, o.compress, false, false);
}

// ---- presentation ----------------------------------------------------------------

std::string to_text(const Message& m) {
    std::string out = fmt::format(";; ->>HEADER<<- opcode: {}, status: {}, id: {}\n",
                                  to_string(m.opcode), to_string(m.rcode), m.id);
    std::string flags;
    for (auto [on, name] : {std::pair{m.qr, "qr"},
                            {m.aa, "aa"},
                            {m.tc, "tc"},
                            {m.rd, "rd"},
                            {m.ra, "ra"},
                            {m.ad, "ad"},
                            {m.cd, "cd"}}) {
        if (!on) continue;
        if (!flags.empty()) flags += ' ';
        flags += name;
    }
    out += fmt::format(";; flags: {}; QUERY: {}, ANSWER: {}, AUTHORITY: {}, ADDITIONAL: {}\n",
                       flags, m.questions.size(), m.answers.size(), m.authority.size(),
                       m.additional.size() + (m.edns ? 1 : 0));
    if (m.edns) {
        out += fmt::format("\n;; OPT PSEUDOSECTION:\n; EDNS: version: {}, flags:{}; udp: {}\n",
                           m.edns->version, m.edns->dnssec_ok ? " do" : "", m.edns->udp_size);
    }
    out += "\n;; QUESTION SECTION:\n";
    for (const Question& q : m.questions)
        out +=
            fmt::format(";{}\t\t{}\t{}\n", q.name.to_string(), to_string(q.cls), to_string(q.type));
    auto section = [&](std::string_view title, const std::vector<Record>& records) {
        if (records.empty()) return;
        out += fmt::format("\n;; {} SECTION:\n", title);
        for (const Record& r : records)
            out += fmt::format("{}\t{}\t{}\t{}\t{}\n", r.name.to_string(), r.ttl, to_string(r.cls),
                               to_string(r.type), to_string(r.data));
    };
    section("ANSWER", m.answers);
    section("AUTHORITY", m.authority);
    section("ADDITIONAL", m.additional);
    return out;
}

}  // namespace dns
