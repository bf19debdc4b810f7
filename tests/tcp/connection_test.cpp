// The TCP state machine driven at the segment-repr level: feed reprs in, look
// at the reprs that come out. Two kinds of test: one connection against
// segments written by hand, and two connections joined by a scripted wire.
#include "tcp/connection.hpp"

#include <deque>
#include <map>

#include <gtest/gtest.h>

#include "testing/printers.hpp"

namespace tcp {
inline void PrintTo(State s, std::ostream* os) {
    *os << to_string(s);
}
inline void PrintTo(Error e, std::ostream* os) {
    *os << to_string(e);
}
}  // namespace tcp
namespace wire {
inline void PrintTo(TcpFlags f, std::ostream* os) {
    *os << f.to_string();
}
inline void PrintTo(SeqNum s, std::ostream* os) {
    *os << s.value();
}
}  // namespace wire

namespace {

using base::Duration;
using base::Time;
using tcp::Connection;
using tcp::State;
using wire::SeqNum;
using wire::TcpFlags;
using wire::TcpRepr;
using namespace base::literals;

constexpr uint16_t SYN = TcpFlags::syn, ACK = TcpFlags::ack, FIN = TcpFlags::fin,
                   RST = TcpFlags::rst, PSH = TcpFlags::psh;

const tcp::Tuple tuple_a{wire::Ipv4Address{10, 0, 0, 1}, 40000, wire::Ipv4Address{10, 0, 0, 2}, 80};
const tcp::Tuple tuple_b{wire::Ipv4Address{10, 0, 0, 2}, 80, wire::Ipv4Address{10, 0, 0, 1}, 40000};

// A sent segment, with its payload kept (the emitted span lives only for the call).
struct Captured {
    TcpRepr seg;
    std::vector<std::byte> data;
    Captured() = default;
    explicit Captured(const TcpRepr& s) : seg(s), data(s.payload.begin(), s.payload.end()) {
        seg.payload = data;
    }
    Captured(const Captured& o) : seg(o.seg), data(o.data) { seg.payload = data; }
    Captured& operator=(const Captured& o) {
        seg = o.seg;
        data = o.data;
        seg.payload = data;
        return *this;
    }
    bool has(uint16_t f) const { return seg.flags.has(f); }
    std::string text() const { return std::string(base::as_chars(data)); }
};

// ---- one connection, segments by hand ----------------------------------------

struct One {
    std::deque<Captured> out;
    Time now = Time::zero();
    Connection c;
    explicit One(tcp::Config config = {}, tcp::Tuple t = tuple_a)
        : c(config, t, [this](const TcpRepr& s) { out.emplace_back(s); }) {}

    Captured take() {
        EXPECT_FALSE(out.empty()) << "expected a segment";
        if (out.empty()) return {};
        Captured c0 = out.front();
        out.pop_front();
        return c0;
    }
    void in(TcpRepr seg) {
        seg.src_port = c.tuple().remote_port;
        seg.dst_port = c.tuple().local_port;
        c.process(seg, now);
    }
    void advance(Duration d) {
        const Time until = now + d;
        while (c.next_deadline() <= until) {
            now = std::max(now, c.next_deadline());
            c.poll(now);
        }
        now = until;
    }
};

// Takes an active opener through the handshake with a peer that offers
// `mss`: our ISS 1000, theirs 5000.
void establish(One& o, uint16_t mss = 1000) {
    o.c.connect(SeqNum{1000}, o.now);
    o.take();  // SYN
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = mss});
    o.take();  // ACK
}

TEST(Connection, ActiveOpenSendsSynWithOptions) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    EXPECT_EQ(o.c.state(), State::syn_sent);
    const Captured s = o.take();
    EXPECT_TRUE(s.has(SYN));
    EXPECT_FALSE(s.has(ACK));
    EXPECT_EQ(s.seg.seq, SeqNum{1000});
    EXPECT_EQ(s.seg.mss, 1460);
    EXPECT_TRUE(s.seg.window_scale.has_value());
    EXPECT_TRUE(s.seg.sack_permitted);
    EXPECT_TRUE(s.seg.timestamps.has_value());
}

TEST(Connection, ThreeWayHandshakeAsClient) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.now += 30_ms;
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1400});
    EXPECT_EQ(o.c.state(), State::established);
    const Captured a = o.take();
    EXPECT_EQ(a.seg.flags, TcpFlags{ACK});
    EXPECT_EQ(a.seg.seq, SeqNum{1001});
    EXPECT_EQ(a.seg.ack, SeqNum{5001});
    EXPECT_EQ(o.c.rto().srtt(), 30_ms) << "the SYN was timed";
}

TEST(Connection, ThreeWayHandshakeAsServerWithDataOnTheThirdSegment) {
    One o(tcp::Config{}, tuple_b);
    o.c.accept({.seq = SeqNum{1000}, .flags = TcpFlags{SYN}, .window = 65535, .mss = 1460},
               SeqNum{7000}, o.now);
    EXPECT_EQ(o.c.state(), State::syn_received);
    const Captured sa = o.take();
    EXPECT_TRUE(sa.has(SYN) && sa.has(ACK));
    EXPECT_EQ(sa.seg.ack, SeqNum{1001});
    // The peer offered no window scale, SACK or timestamps: we answer without.
    EXPECT_FALSE(sa.seg.window_scale);
    EXPECT_FALSE(sa.seg.sack_permitted);
    EXPECT_FALSE(sa.seg.timestamps);
    o.in({.seq = SeqNum{1001},
          .ack = SeqNum{7001},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .payload = base::as_bytes("Hello!")});
    EXPECT_EQ(o.c.state(), State::established);
    std::array<std::byte, 16> buf{};
    ASSERT_EQ(o.c.receive(buf, o.now), 6u);
    EXPECT_EQ(base::as_chars(base::ByteSpan{buf}.first(6)), "Hello!");
}

TEST(Connection, SynAckWithAnAckForSomethingElseIsAnsweredWithRst) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000}, .ack = SeqNum{999}, .flags = TcpFlags{SYN | ACK}});
    const Captured r = o.take();
    EXPECT_TRUE(r.has(RST));
    EXPECT_EQ(r.seg.seq, SeqNum{999});
    EXPECT_EQ(o.c.state(), State::syn_sent) << "the connection carries on";
}

TEST(Connection, RstAnsweringTheSynMeansRefused) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{0}, .ack = SeqNum{1001}, .flags = TcpFlags{RST | ACK}});
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::refused);
}

// RFC 1122 §4.2.3.5: SYNs for at least 3 minutes. Backing off from 1 s, the
// eighth SYN leaves at 127 s and the attempt ends at 180 s, with no RST.
TEST(Connection, ConnectSendsSynsForThreeMinutesThenGivesUp) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    EXPECT_TRUE(o.take().has(SYN));
    std::vector<int64_t> resent_s;
    while (o.c.state() == State::syn_sent) {
        o.advance(o.c.next_deadline() - o.now);
        if (o.c.state() != State::syn_sent) break;
        const Captured s = o.take();
        EXPECT_TRUE(s.has(SYN));
        EXPECT_EQ(s.seg.seq, SeqNum{1000});
        resent_s.push_back((o.now - Time::zero()).ns() / 1'000'000'000);
    }
    EXPECT_EQ(resent_s, (std::vector<int64_t>{1, 3, 7, 15, 31, 63, 127}));
    EXPECT_EQ(o.now, Time::zero() + 180_s);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_TRUE(o.out.empty()) << "no RST to a peer that never answered";
}

TEST(Connection, ConnectTimeoutIsAChoice) {
    One o({.connect_timeout = 10_s});
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    std::vector<Time> resent;
    for (int i = 0; i < 3; ++i) {
        o.advance(o.c.next_deadline() - o.now);
        resent.push_back(o.now);
        EXPECT_TRUE(o.take().has(SYN));
    }
    EXPECT_EQ(resent[0], Time::zero() + 1_s);
    EXPECT_EQ(resent[1], Time::zero() + 3_s);  // 1 s, then 2 s more
    EXPECT_EQ(resent[2], Time::zero() + 7_s);  // then 4 s more
    o.advance(o.c.next_deadline() - o.now);
    EXPECT_EQ(o.now, Time::zero() + 10_s);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
    EXPECT_EQ(o.c.state(), State::closed);
}

TEST(Connection, ExactRstResetsAndOtherRstsGetAChallengeAck) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5100}, .flags = TcpFlags{RST}});  // in the window, not exact
    const Captured challenge = o.take();
    EXPECT_EQ(challenge.seg.flags, TcpFlags{ACK});
    EXPECT_EQ(challenge.seg.ack, SeqNum{5001});
    EXPECT_EQ(o.c.state(), State::established);
    o.in({.seq = SeqNum{9999999}, .flags = TcpFlags{RST}});  // outside: ignored
    EXPECT_TRUE(o.out.empty());
    o.in({.seq = SeqNum{5001}, .flags = TcpFlags{RST}});
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::reset);
}

TEST(Connection, SynOnAnEstablishedConnectionGetsAChallengeAck) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5001}, .flags = TcpFlags{SYN}});
    EXPECT_EQ(o.take().seg.flags, TcpFlags{ACK});
    EXPECT_EQ(o.c.state(), State::established);
}

TEST(Connection, OutOfOrderDataGetsAnImmediateDuplicateAckWithSack) {
    tcp::Config config;
    One o(config);
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1000,
          .sack_permitted = true});
    o.take();
    // "Packets 1, 3, 2 arrive": 1 in order, then 3, which asks for 2 again.
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("11111")});
    EXPECT_EQ(o.take().seg.ack, SeqNum{5006}) << "the first data: ACKed at once (quick-ACK)";
    o.in({.seq = SeqNum{5011},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("33333")});
    const Captured dup = o.take();
    EXPECT_EQ(dup.seg.ack, SeqNum{5006}) << "still asking for packet 2";
    ASSERT_EQ(dup.seg.sack_blocks.size(), 1u);
    EXPECT_EQ(dup.seg.sack_blocks[0], (wire::TcpSackBlock{SeqNum{5011}, SeqNum{5016}}));
    o.in({.seq = SeqNum{5006},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("22222")});
    const Captured all = o.take();
    EXPECT_EQ(all.seg.ack, SeqNum{5016}) << "the gap filled: everything acknowledged at once";
    EXPECT_TRUE(all.seg.sack_blocks.empty());
    std::array<std::byte, 32> buf{};
    ASSERT_EQ(o.c.receive(buf, o.now), 15u);
    EXPECT_EQ(base::as_chars(base::ByteSpan{buf}.first(15)), "111112222233333");
}

TEST(Connection, DuplicateAndOverlappingDataIsTrimmed) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("abcdef")});
    o.in({.seq = SeqNum{5004},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("defghi")});  // overlaps by three
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("abc")});  // a pure duplicate
    std::array<std::byte, 32> buf{};
    ASSERT_EQ(o.c.receive(buf, o.now), 9u);
    EXPECT_EQ(base::as_chars(base::ByteSpan{buf}.first(9)), "abcdefghi");
    EXPECT_EQ(o.c.stats().duplicate_segments, 1u);
}

TEST(Connection, DataIsRetransmittedAfterTheRto) {
    One o;
    establish(o);
    ASSERT_EQ(o.c.send(base::as_bytes("Hello!"), o.now), 6u);
    const Captured first = o.take();
    EXPECT_EQ(first.text(), "Hello!");
    EXPECT_EQ(first.seg.seq, SeqNum{1001});
    EXPECT_TRUE(first.has(PSH)) << "the last segment of what was written";
    const Duration rto = o.c.rto().rto();
    o.advance(rto);
    const Captured again = o.take();
    EXPECT_EQ(again.seg.seq, SeqNum{1001});
    EXPECT_EQ(again.text(), "Hello!");
    EXPECT_TRUE(again.has(PSH)) << "a retransmission keeps PSH";
    EXPECT_EQ(o.c.stats().retransmissions, 1u);
    EXPECT_EQ(o.c.rto().rto(), rto * 2) << "backed off";
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1007}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_EQ(o.c.next_deadline(), Time::never()) << "all acknowledged: no timer";
}

TEST(Connection, ThreeDuplicateAcksTriggerFastRetransmit) {
    One o;
    establish(o);
    std::string data(5000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 5000u);
    std::vector<Captured> segs(o.out.begin(), o.out.end());
    o.out.clear();
    ASSERT_EQ(segs.size(), 5u) << "five 1000-byte segments in the initial window";
    for (int i = 0; i < 3; ++i) {
        o.in({.seq = SeqNum{5001}, .ack = SeqNum{1001}, .flags = TcpFlags{ACK}, .window = 65535});
    }
    const Captured fr = o.take();
    EXPECT_EQ(fr.seg.seq, SeqNum{1001}) << "send again from packet 1";
    EXPECT_EQ(fr.data.size(), 1000u);
    EXPECT_FALSE(segs[0].has(PSH));
    EXPECT_TRUE(segs[4].has(PSH));
    EXPECT_FALSE(fr.has(PSH)) << "a retransmission has the flags of the original";
    EXPECT_EQ(o.c.stats().fast_retransmits, 1u);
    // A partial ACK in recovery retransmits the next hole at once (NewReno).
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{2001}, .flags = TcpFlags{ACK}, .window = 65535});
    const Captured next = o.take();
    EXPECT_EQ(next.seg.seq, SeqNum{2001});
}

// Takes an active opener through a handshake that agrees on SACK (and on
// timestamps when `ts`), with a 40 ms round trip: our ISS 1000, theirs 5000.
void establish_with_sack(One& o, bool ts = false) {
    o.c.connect(SeqNum{1000}, o.now);
    const Captured syn = o.take();
    o.advance(40_ms);
    TcpRepr syn_ack{.seq = SeqNum{5000},
                    .ack = SeqNum{1001},
                    .flags = TcpFlags{SYN | ACK},
                    .window = 65535,
                    .mss = 1000,
                    .sack_permitted = true};
    if (ts) syn_ack.timestamps = wire::TcpTimestamps{7, syn.seg.timestamps->value};
    o.in(syn_ack);
    o.take();  // ACK
}

// The peer's ACK for everything before `ack`, with SACK blocks.
TcpRepr sack_ack(uint32_t ack, wire::TcpSackList blocks) {
    return {.seq = SeqNum{5001},
            .ack = SeqNum{ack},
            .flags = TcpFlags{ACK},
            .window = 65535,
            .sack_blocks = blocks};
}

TEST(Connection, WithSackTwoHolesAreRepairedInOneRoundTrip) {
    One o;
    establish_with_sack(o);
    const std::string data(5000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 5000u);
    o.out.clear();  // segments 1001, 2001, 3001, 4001, 5001; the 1st and 3rd are lost
    o.advance(40_ms);
    o.in(sack_ack(1001, {{SeqNum{2001}, SeqNum{3001}}}));
    o.in(sack_ack(1001, {{SeqNum{4001}, SeqNum{5001}}, {SeqNum{2001}, SeqNum{3001}}}));
    EXPECT_TRUE(o.out.empty()) << "two SACKed segments: not yet judged (a quarter RTT to wait)";
    o.in(sack_ack(1001, {{SeqNum{4001}, SeqNum{6001}}, {SeqNum{2001}, SeqNum{3001}}}));
    // Three SACKed above the holes: both are resent at once, where NewReno
    // would resend the second only a round trip after the first.
    ASSERT_EQ(o.out.size(), 2u);
    EXPECT_EQ(o.take().seg.seq, SeqNum{1001});
    EXPECT_EQ(o.take().seg.seq, SeqNum{3001});
    EXPECT_EQ(o.c.stats().fast_retransmits, 1u) << "one recovery for both";
    EXPECT_EQ(o.c.congestion().ssthresh(), 7000u) << "reduced once: CUBIC keeps 0.7 cwnd";
    // PRR: the pipe had drained (two lost, three SACKed), so each ACK lets
    // out what it delivered plus one segment, up towards ssthresh.
    EXPECT_EQ(o.c.cwnd(), 3000u);
    o.advance(40_ms);
    o.in(sack_ack(6001, {}));
    EXPECT_EQ(o.c.stats().retransmissions, 2u);
    EXPECT_EQ(o.c.next_deadline(), Time::never()) << "all acknowledged";
}

TEST(Connection, WithSackOneLossIsResentAQuarterRttLaterWithoutThreeDuplicates) {
    One o;
    establish_with_sack(o);
    const std::string data(2000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 2000u);
    o.out.clear();
    o.advance(40_ms);
    o.in(sack_ack(1001, {{SeqNum{2001}, SeqNum{3001}}}));
    EXPECT_TRUE(o.out.empty()) << "it may only be late";
    o.advance(9_ms);
    EXPECT_TRUE(o.out.empty());
    o.advance(1_ms);  // SRTT 40 ms / 4
    const Captured again = o.take();
    EXPECT_EQ(again.seg.seq, SeqNum{1001});
    EXPECT_EQ(o.c.stats().duplicate_acks_received, 1u) << "one duplicate ACK was enough";
}

TEST(Connection, WithSackALateSegmentIsNotResent) {
    One o;
    establish_with_sack(o);
    const std::string data(2000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 2000u);
    o.out.clear();
    o.advance(40_ms);
    o.in(sack_ack(1001, {{SeqNum{2001}, SeqNum{3001}}}));
    o.advance(5_ms);
    o.in(sack_ack(3001, {}));  // the first segment was overtaken, not lost
    o.advance(1_s);
    EXPECT_TRUE(o.out.empty());
    EXPECT_EQ(o.c.stats().retransmissions, 0u);
}

// Eifel: the ACK that covers the resent segment echoes the original's
// timestamp, so the original had arrived: the window comes back.
TEST(Connection, ASpuriousRecoveryIsUndoneByTheEchoedTimestamp) {
    for (const bool spurious : {true, false}) {
        SCOPED_TRACE(spurious ? "original arrived" : "the resend was needed");
        One o;
        establish_with_sack(o, true);
        const std::string data(5000, 'x');
        ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 5000u);
        const uint32_t sent_ts = o.out.front().seg.timestamps->value;
        const uint32_t seg_len = static_cast<uint32_t>(o.out.front().data.size());
        o.out.clear();
        const uint32_t cwnd_before = o.c.cwnd();
        o.advance(40_ms);
        const uint32_t first = 1001, end = first + 5 * seg_len;  // the 60 left wait (Nagle)
        TcpRepr three = sack_ack(first, {{SeqNum{first + seg_len}, SeqNum{end}}});
        three.timestamps = wire::TcpTimestamps{8, sent_ts};
        o.in(three);
        const Captured resent = o.take();
        ASSERT_EQ(resent.seg.seq, SeqNum{first});
        EXPECT_LT(o.c.cwnd(), cwnd_before);
        o.advance(10_ms);
        TcpRepr all = sack_ack(end, {});
        all.timestamps = wire::TcpTimestamps{9, spurious ? sent_ts : resent.seg.timestamps->value};
        o.in(all);
        if (spurious) {
            EXPECT_EQ(o.c.stats().spurious_recoveries, 1u);
            EXPECT_GE(o.c.cwnd(), cwnd_before) << "the window before the recovery is back";
        } else {
            EXPECT_EQ(o.c.stats().spurious_recoveries, 0u);
            EXPECT_LT(o.c.cwnd(), cwnd_before);
        }
    }
}

// PAWS (RFC 7323 §5.3 R1): an in-window segment stamped before TS.Recent is
// an old duplicate: dropped, ACKed. A RST is never held to it.
TEST(Connection, PawsDropsAnOldTimestampAndAcks) {
    One o;
    establish_with_sack(o, true);  // TS.Recent = 7
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .timestamps = wire::TcpTimestamps{20, 0},
          .payload = base::as_bytes("new")});
    ASSERT_EQ(o.c.readable_bytes(), 3u);
    o.advance(1_s);  // the delayed ACK
    o.out.clear();
    o.in({.seq = SeqNum{5004},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .timestamps = wire::TcpTimestamps{19, 0},
          .payload = base::as_bytes("old")});
    EXPECT_EQ(o.c.readable_bytes(), 3u) << "the old segment's data is not taken";
    EXPECT_EQ(o.c.stats().paws_rejected, 1u);
    const Captured a = o.take();
    EXPECT_TRUE(a.has(ACK));
    EXPECT_EQ(a.seg.ack, SeqNum{5004});
    EXPECT_EQ(a.seg.timestamps->echo_reply, 20u) << "TS.Recent unchanged";
    // The same bytes stamped now are taken.
    o.in({.seq = SeqNum{5004},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .timestamps = wire::TcpTimestamps{21, 0},
          .payload = base::as_bytes("old")});
    EXPECT_EQ(o.c.readable_bytes(), 6u);
    // An exact RST with an old timestamp still resets.
    o.in({.seq = SeqNum{5007}, .flags = TcpFlags{RST}, .timestamps = wire::TcpTimestamps{1, 0}});
    EXPECT_EQ(o.c.error(), tcp::Error::reset);
}

// RFC 5961 §5.2: an ACK below SND.UNA - MAX.SND.WND is not from the peer;
// the segment and its data are dropped and answered with an ACK.
TEST(Connection, AnAckTooFarBackIsDroppedWithItsData) {
    One o;
    establish(o);  // the peer's window: 65535
    const std::string data(3000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 3000u);
    o.out.clear();
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{4001}, .flags = TcpFlags{ACK}, .window = 65535});
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{4001u - 65535u - 1u},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .payload = base::as_bytes("forged")});
    EXPECT_EQ(o.c.readable_bytes(), 0u);
    const Captured a = o.take();
    EXPECT_TRUE(a.has(ACK));
    EXPECT_EQ(a.seg.ack, SeqNum{5001}) << "nothing of the forged data acknowledged";
    // Just inside the bound the data is taken (an old ACK is no reason to refuse it).
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{4001u - 65535u},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .payload = base::as_bytes("fine")});
    EXPECT_EQ(o.c.readable_bytes(), 4u);
}

// RFC 5681 §4.1: after more than an RTO with nothing in flight the window
// restarts, halved for each RTO idle, not below min(IW, cwnd) (as Linux).
TEST(Connection, SlowStartRestartsAfterIdle) {
    One o;
    establish(o);  // MSS 1000: IW 10 segments
    // Grow the window to 15 segments: each ACK in slow start adds one, up to
    // twice what was in flight (7,500 bytes: Nagle off, so the last 500 go too).
    std::string chunk(7500, 'x');
    auto ack_each = [&chunk](One& c) {
        ASSERT_TRUE(c.c.set_options({.nodelay = true}, c.now));
        ASSERT_EQ(c.c.send(base::as_bytes(chunk), c.now), 7500u);
        for (uint32_t ack = 2001; ack <= 8001; ack += 1000)
            c.in(
                {.seq = SeqNum{5001}, .ack = SeqNum{ack}, .flags = TcpFlags{ACK}, .window = 65535});
        c.in({.seq = SeqNum{5001}, .ack = SeqNum{8501}, .flags = TcpFlags{ACK}, .window = 65535});
    };
    ack_each(o);
    ASSERT_EQ(o.c.cwnd(), 15000u);
    o.out.clear();
    o.advance(3_s);
    const std::string burst(20000, 'y');
    ASSERT_EQ(o.c.send(base::as_bytes(burst), o.now), 20000u);
    EXPECT_EQ(o.c.cwnd(), 10000u) << "back to the initial window";
    EXPECT_EQ(o.out.size(), 10u) << "ten segments leave, not fifteen";
    // Without the pause the whole window goes.
    One busy;
    establish(busy);
    ack_each(busy);
    ASSERT_EQ(busy.c.cwnd(), 15000u);
    busy.out.clear();
    busy.advance(10_ms);
    ASSERT_EQ(busy.c.send(base::as_bytes(burst), busy.now), 20000u);
    EXPECT_EQ(busy.out.size(), 15u);
}

// RFC 8985 §7: a lost tail draws no ACK that could reveal it. Two RTTs
// after the last ACK the last segment goes again (a tail loss probe); its
// SACK lets RACK find the other lost one, long before the RTO.
TEST(Connection, ATailLossIsProbedAfterTwoRttsNotLeftToTheRto) {
    One o;
    establish_with_sack(o);  // SRTT 40 ms
    const std::string data(5000, 'x');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 5000u);
    ASSERT_EQ(o.out.size(), 5u);
    o.out.clear();
    o.advance(40_ms);
    o.in(sack_ack(4001, {}));  // three arrived; the last two were lost
    EXPECT_TRUE(o.out.empty());
    const Time rto_at = o.now + o.c.rto().rto();
    o.advance(80_ms - 1_ns);
    EXPECT_TRUE(o.out.empty());
    o.advance(1_ns);
    const Captured probe = o.take();
    EXPECT_EQ(probe.seg.seq, SeqNum{5001}) << "the last segment, again";
    EXPECT_TRUE(probe.has(PSH));
    EXPECT_EQ(o.c.stats().loss_probes, 1u);
    EXPECT_LT(o.now, rto_at);
    o.advance(40_ms);
    o.in(sack_ack(4001, {{SeqNum{5001}, SeqNum{6001}}}));
    const Captured repair = o.take();
    EXPECT_EQ(repair.seg.seq, SeqNum{4001});
    EXPECT_EQ(o.c.stats().timeouts, 0u);
    o.in(sack_ack(6001, {}));
    EXPECT_EQ(o.c.next_deadline(), Time::never()) << "all acknowledged: no timer";
}

// New data waiting when the probe is due goes instead of a repeat; without
// SACK there is no probe (as Linux) and the RTO repairs the tail.
TEST(Connection, AProbeSendsNewDataWhenThereIsSomeAndNeedsSack) {
    One o;
    establish_with_sack(o);
    const std::string data(12000, 'x');  // IW 10 segments: two wait for the window
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 12000u);
    ASSERT_EQ(o.out.size(), 10u);
    o.out.clear();
    o.advance(o.c.next_deadline() - o.now);
    const Captured probe = o.take();
    EXPECT_EQ(probe.seg.seq, SeqNum{11001}) << "the first unsent segment";
    EXPECT_EQ(o.c.stats().loss_probes, 1u);
    EXPECT_EQ(o.c.stats().retransmissions, 0u);

    One plain;
    establish(plain);
    ASSERT_EQ(plain.c.send(base::as_bytes(data), plain.now), 12000u);
    plain.out.clear();
    plain.advance(plain.c.next_deadline() - plain.now);
    EXPECT_EQ(plain.take().seg.seq, SeqNum{1001}) << "the RTO, from the first";
    EXPECT_EQ(plain.c.stats().loss_probes, 0u);
    EXPECT_EQ(plain.c.stats().timeouts, 1u);
}

TEST(Connection, ZeroWindowIsProbedOnThePersistTimer) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    // The peer offers 2000 bytes; we have 5000 to send.
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 2000,
          .mss = 1000});
    o.take();
    std::string data(5000, 'y');
    ASSERT_EQ(o.c.send(base::as_bytes(data), o.now), 5000u);
    EXPECT_EQ(o.out.size(), 2u) << "two segments fill the window";
    o.out.clear();
    // Both acknowledged, but the window closes.
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{3001}, .flags = TcpFlags{ACK}, .window = 0});
    EXPECT_TRUE(o.out.empty()) << "window closed";
    o.advance(o.c.next_deadline() - o.now);
    const Captured probe = o.take();
    EXPECT_EQ(probe.seg.seq, SeqNum{3001});
    EXPECT_EQ(probe.data.size(), 1u) << "one octet beyond the window";
    EXPECT_EQ(o.c.stats().window_probes, 1u);
    // Still closed (the octet is refused): the next probe waits twice as long.
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{3001}, .flags = TcpFlags{ACK}, .window = 0});
    const Duration gap1 = o.c.next_deadline() - o.now;
    o.advance(gap1);
    EXPECT_EQ(o.take().seg.seq, SeqNum{3001});
    const Duration gap2 = o.c.next_deadline() - o.now;
    EXPECT_EQ(gap2, gap1 * 2);
    // The window opens and the probe's octet was taken: the rest flows after it.
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{3002}, .flags = TcpFlags{ACK}, .window = 65535});
    ASSERT_FALSE(o.out.empty());
    EXPECT_EQ(o.take().seg.seq, SeqNum{3002});
}

// The peer's data after establish(): in order from 5001, each segment read by
// the program as soon as it arrives.
struct PeerData {
    One& o;
    uint32_t seq = 5001;
    std::vector<std::byte> sink = std::vector<std::byte>(65536);
    void send(size_t n) {
        const std::string data(n, 'd');
        o.in({.seq = SeqNum{seq},
              .ack = SeqNum{1001},
              .flags = TcpFlags{ACK},
              .window = 65535,
              .payload = base::as_bytes(data)});
        seq += static_cast<uint32_t>(n);
        o.c.receive(sink, o.now);
    }
};

// Quick-ACK (Linux): the first segments of a connection, and the first after
// more than an RTO of silence, are ACKed at once; in between, a lone
// segment waits for the delayed ACK.
TEST(Connection, QuickAcksAtTheStartAndAfterIdleDelayedAcksBetween) {
    // 8,100 bytes free once the first segment is in: half of it is four
    // 1,000-byte segments (the peer's MSS), so four quick ACKs.
    One o(tcp::Config{.receive_buffer = 8200});
    establish(o);
    PeerData peer{o};
    auto one_segment = [&] { peer.send(100); };
    for (int i = 0; i < 4; ++i) {
        one_segment();
        EXPECT_EQ(o.out.size(), 1u) << "segment " << i << " ACKed at once";
        o.out.clear();
        o.advance(10_ms);
    }
    one_segment();
    EXPECT_TRUE(o.out.empty()) << "the fifth waits";
    o.advance(40_ms);
    EXPECT_EQ(o.take().seg.ack, SeqNum{peer.seq}) << "the delayed ACK";
    o.advance(5_s);  // silence, longer than the RTO
    one_segment();
    EXPECT_EQ(o.out.size(), 1u) << "after idle: at once again";
}

// "Every second full-sized segment", counted in bytes as Linux does: more
// than one segment's worth (the largest the peer has sent, at least 536
// bytes) unacknowledged draws an ACK at once, small segments included.
TEST(Connection, AnAckGoesOnceMoreThanASegmentsWorthIsUnacknowledged) {
    One o(tcp::Config{.receive_buffer = 8200});  // four quick ACKs first
    establish(o);
    PeerData peer{o};
    auto segment = [&](size_t n) { peer.send(n); };
    for (int i = 0; i < 4; ++i)
        segment(100);
    o.out.clear();
    segment(300);
    EXPECT_TRUE(o.out.empty()) << "300 bytes: less than a segment's worth";
    segment(300);
    ASSERT_EQ(o.out.size(), 1u) << "600 bytes unacknowledged: more than 536";
    EXPECT_EQ(o.take().seg.ack, SeqNum{peer.seq});
    segment(1000);  // the largest yet: a segment is now 1000 bytes
    EXPECT_TRUE(o.out.empty());
    segment(900);
    EXPECT_EQ(o.out.size(), 1u);
}

// Window updates: none while the reader keeps up (the data's own ACKs do),
// one as soon as a reader that fell behind makes room again.
TEST(Connection, WindowUpdateOnlyAfterTheWindowFellToHalf) {
    One o(tcp::Config{.receive_buffer = 8000});
    establish(o);
    const std::string seg(1000, 'd');
    std::vector<std::byte> sink(8000);
    for (uint32_t i = 0; i < 2; ++i) {
        o.in({.seq = SeqNum{5001 + i * 1000},
              .ack = SeqNum{1001},
              .flags = TcpFlags{ACK},
              .window = 65535,
              .payload = base::as_bytes(seg)});
    }
    // The first data of a connection: each segment ACKed at once (quick-ACK).
    EXPECT_EQ(o.take().seg.window, 7000);
    EXPECT_EQ(o.take().seg.window, 6000);
    EXPECT_EQ(o.c.receive(sink, o.now), 2000u);
    EXPECT_TRUE(o.out.empty()) << "6000 of 8000 still open: no update";
    // Five segments unread: the window falls to 3000.
    for (uint32_t i = 0; i < 5; ++i) {
        o.in({.seq = SeqNum{7001 + i * 1000},
              .ack = SeqNum{1001},
              .flags = TcpFlags{ACK},
              .window = 65535,
              .payload = base::as_bytes(seg)});
    }
    o.out.clear();
    o.advance(1_s);
    o.out.clear();
    EXPECT_EQ(o.c.receive(sink, o.now), 5000u);
    const Captured update = o.take();
    EXPECT_EQ(update.seg.window, 8000);
    EXPECT_EQ(update.seg.ack, SeqNum{12001});
}

TEST(Connection, ActiveCloseGoesThroughFinWait2AndTimeWait) {
    One o(tcp::Config{.msl = 1_s});
    establish(o);
    o.c.close(o.now);
    EXPECT_EQ(o.c.state(), State::fin_wait_1);
    const Captured f = o.take();
    EXPECT_TRUE(f.has(FIN));
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1002}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::fin_wait_2);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1002}, .flags = TcpFlags{FIN | ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::time_wait);
    EXPECT_EQ(o.take().seg.ack, SeqNum{5002});
    // A retransmitted FIN is acknowledged again and restarts the wait.
    o.advance(1_s);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1002}, .flags = TcpFlags{FIN | ACK}, .window = 65535});
    EXPECT_EQ(o.take().seg.ack, SeqNum{5002});
    o.advance(2_s - 1_ns);
    EXPECT_EQ(o.c.state(), State::time_wait);
    o.advance(1_ns);
    EXPECT_EQ(o.c.state(), State::closed) << "2 MSL after the last FIN";
    EXPECT_FALSE(o.c.error());
}

// RFC 1122 §4.2.2.13, RFC 2525 §2.17: closing with data unread sends RST.
TEST(Connection, CloseWithDataUnreadResets) {
    for (const bool read_first : {false, true}) {
        SCOPED_TRACE(read_first ? "read, then close" : "close with data unread");
        One o;
        establish(o);
        o.in({.seq = SeqNum{5001},
              .ack = SeqNum{1001},
              .flags = TcpFlags{ACK | PSH},
              .window = 65535,
              .payload = base::as_bytes("Hello!")});
        if (read_first) {
            std::string got(6, '\0');
            ASSERT_EQ(o.c.receive({reinterpret_cast<std::byte*>(got.data()), 6}, o.now), 6u);
        }
        o.out.clear();
        o.c.close(o.now);
        const Captured s = o.take();
        if (read_first) {
            EXPECT_TRUE(s.has(FIN));
            EXPECT_FALSE(s.has(RST));
            EXPECT_EQ(o.c.state(), State::fin_wait_1);
        } else {
            EXPECT_TRUE(s.has(RST));
            EXPECT_FALSE(s.has(FIN));
            EXPECT_EQ(s.seg.seq, SeqNum{1001});
            // RST+ACK with RCV.NXT, as Linux's tcp_send_active_reset (the
            // conformance script close-unread-data-rst found a bare RST).
            EXPECT_TRUE(s.has(ACK));
            EXPECT_EQ(s.seg.ack, SeqNum{5007});
            EXPECT_EQ(o.c.state(), State::closed);
            EXPECT_TRUE(o.out.empty());
        }
    }
}

// RFC 1122 §4.2.2.13: data that comes after close() is answered with RST;
// after a half-close (shutdown) it is still taken.
TEST(Connection, DataAfterCloseResetsButAfterShutdownIsTaken) {
    for (const bool closed : {true, false}) {
        SCOPED_TRACE(closed ? "close" : "shutdown");
        One o;
        establish(o);
        if (closed) {
            o.c.close(o.now);
        } else {
            o.c.shutdown(o.now);
        }
        EXPECT_TRUE(o.take().has(FIN));
        o.in({.seq = SeqNum{5001}, .ack = SeqNum{1002}, .flags = TcpFlags{ACK}, .window = 65535});
        ASSERT_EQ(o.c.state(), State::fin_wait_2);
        o.in({.seq = SeqNum{5001},
              .ack = SeqNum{1002},
              .flags = TcpFlags{ACK | PSH},
              .window = 65535,
              .payload = base::as_bytes("late")});
        if (closed) {
            const Captured r = o.take();
            EXPECT_TRUE(r.has(RST));
            EXPECT_EQ(r.seg.seq, SeqNum{1002}) << "numbered by the segment's ACK";
            EXPECT_EQ(o.c.state(), State::closed);
            EXPECT_EQ(o.c.readable_bytes(), 0u);
        } else {
            EXPECT_EQ(o.c.state(), State::fin_wait_2);
            EXPECT_EQ(o.c.readable_bytes(), 4u);
            EXPECT_FALSE(o.c.error());
        }
    }
}

TEST(Connection, PassiveCloseGoesThroughCloseWaitAndLastAck) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1001}, .flags = TcpFlags{FIN | ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::close_wait);
    EXPECT_TRUE(o.c.peer_finished());
    // No data came before it: its ACK goes at once (Linux's ACK timeout is
    // still zero).
    EXPECT_EQ(o.take().seg.ack, SeqNum{5002});
    // Half-close: we may still send.
    EXPECT_EQ(o.c.send(base::as_bytes("bye"), o.now), 3u);
    const Captured bye = o.take();
    EXPECT_EQ(bye.text(), "bye");
    EXPECT_EQ(bye.seg.ack, SeqNum{5002});
    o.c.close(o.now);
    EXPECT_EQ(o.c.state(), State::last_ack);
    EXPECT_TRUE(o.take().has(FIN));
    o.in({.seq = SeqNum{5002}, .ack = SeqNum{1005}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::closed);
}

// Data and FIN in one segment draw one ACK, for both, after the delayed-ACK
// time (Linux: tcp_fin's ping-pong mode ends quick-ACK); found by the
// conformance script data-with-fin, where we sent two at once.
TEST(Connection, DataWithFinDrawsOneDelayedAck) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{FIN | ACK | PSH},
          .window = 65535,
          .payload = base::as_bytes("last words")});
    EXPECT_EQ(o.c.state(), State::close_wait);
    EXPECT_TRUE(o.out.empty());
    o.advance(39_ms);
    EXPECT_TRUE(o.out.empty());
    o.advance(1_ms);
    const Captured a = o.take();
    EXPECT_EQ(a.seg.ack, SeqNum{5012});
    EXPECT_TRUE(a.seg.payload.empty());
    o.advance(1_s);
    EXPECT_TRUE(o.out.empty()) << "one ACK, not one per part";
}

TEST(Connection, SimultaneousCloseGoesThroughClosing) {
    One o(tcp::Config{.msl = 1_s});
    establish(o);
    o.c.close(o.now);
    o.take();
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1001}, .flags = TcpFlags{FIN | ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::closing);
    o.take();
    o.in({.seq = SeqNum{5002}, .ack = SeqNum{1002}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_EQ(o.c.state(), State::time_wait);
}

TEST(Connection, KeepAliveProbesThenGivesUp) {
    One o(tcp::Config{.keepalive = tcp::KeepAlive{.idle = 10_s, .interval = 1_s, .probes = 3}});
    establish(o);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1001}, .flags = TcpFlags{ACK}, .window = 65535});
    o.advance(10_s);
    const Captured probe = o.take();
    EXPECT_EQ(probe.seg.seq, SeqNum{1000}) << "one below snd_una, so the peer must answer";
    o.advance(3_s);
    EXPECT_EQ(o.out.size(), 3u);  // two more probes, then the reset
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
}

// The socket option, set on a connection that has been idle: the idle time
// counts from the last segment heard, and an answered probe starts it again.
TEST(Connection, KeepAliveSetLaterCountsFromTheLastSegmentHeard) {
    One o;
    establish(o);  // heard the SYN+ACK at 0 s
    o.advance(4_s);
    EXPECT_TRUE(o.out.empty());
    o.c.set_options({.keepalive = tcp::KeepAlive{.idle = 10_s, .interval = 1_s, .probes = 3}},
                    o.now);
    o.advance(5_s);
    EXPECT_TRUE(o.out.empty()) << "9 s idle";
    o.advance(1_s);
    EXPECT_EQ(o.take().seg.seq, SeqNum{1000}) << "probe at 10 s idle";
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1001}, .flags = TcpFlags{ACK}, .window = 65535});
    o.advance(9_s);
    EXPECT_TRUE(o.out.empty()) << "the answer reset the idle clock";
    o.advance(1_s);
    o.take();
    o.c.set_options({.keepalive_off = true}, o.now);
    o.advance(1000_s);
    EXPECT_TRUE(o.out.empty()) << "turned off";
    EXPECT_EQ(o.c.state(), State::established);
}

// Nagle holds a small segment while data is unacknowledged; TCP_NODELAY
// (Nagle off) sends it at once, including what was already held.
TEST(Connection, NagleHoldsSmallWritesUntilAckedAndNoDelayReleasesThem) {
    One o;
    establish(o);
    o.c.send(base::as_bytes("a"), o.now);
    EXPECT_EQ(o.take().text(), "a");
    o.c.send(base::as_bytes("b"), o.now);
    EXPECT_TRUE(o.out.empty()) << "held: 'a' is in flight";
    o.c.set_options({.nodelay = true}, o.now);
    EXPECT_EQ(o.take().text(), "b");
    o.c.send(base::as_bytes("c"), o.now);
    EXPECT_EQ(o.take().text(), "c") << "no delay with two segments in flight";
}

// RFC 2883: data received twice is reported in a D-SACK block, the ACK's
// first, once (the conformance script duplicate-segment-acked-at-once
// found us sending none where Linux sends one).
TEST(Connection, DataReceivedTwiceIsReportedAsADsackOnce) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1000,
          .sack_permitted = true});
    o.take();
    const TcpRepr data{.seq = SeqNum{5001},
                       .ack = SeqNum{1001},
                       .flags = TcpFlags{ACK | PSH},
                       .window = 65535,
                       .payload = base::as_bytes("twice")};
    o.in(data);
    o.out.clear();
    o.in(data);
    const Captured dup = o.take();
    EXPECT_EQ(dup.seg.ack, SeqNum{5006});
    ASSERT_EQ(dup.seg.sack_blocks.size(), 1u);
    EXPECT_EQ(dup.seg.sack_blocks[0], (wire::TcpSackBlock{SeqNum{5001}, SeqNum{5006}}));
    o.c.send(base::as_bytes("x"), o.now);
    EXPECT_TRUE(o.take().seg.sack_blocks.empty()) << "reported once";
}

// Minshall's refinement, as Linux's tcp_nagle_check: a write's short tail
// goes at once behind full segments in flight; a second short segment waits
// for the first to be acknowledged (the conformance script
// nagle-tail-behind-full-segment found us holding the tail).
TEST(Connection, NagleLetsAShortTailFollowFullSegments) {
    One o;
    establish(o, 536);
    const std::string data(600, 'x');
    EXPECT_EQ(o.c.send(base::as_bytes(data), o.now), 600u);
    EXPECT_EQ(o.take().seg.payload.size(), 536u);
    EXPECT_EQ(o.take().seg.payload.size(), 64u) << "no short segment was in flight";
    o.c.send(base::as_bytes("more"), o.now);
    EXPECT_TRUE(o.out.empty()) << "the 64-byte tail is unacknowledged";
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1537}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_TRUE(o.out.empty()) << "still: the tail itself is not acknowledged";
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1601}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_EQ(o.take().text(), "more");
}

// ICMP "host unreachable" ends a connect at once, if it quotes our SYN.
TEST(Connection, UnreachableWhileConnectingEndsTheAttempt) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.c.icmp_unreachable(tcp::Error::host_unreachable, SeqNum{77}, o.now);
    EXPECT_EQ(o.c.state(), State::syn_sent) << "quotes a number we never sent: ignored";
    o.c.icmp_unreachable(tcp::Error::host_unreachable, SeqNum{1000}, o.now);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::host_unreachable);
}

// Once established an ICMP error is soft: the connection carries on, and only
// if it then times out is the ICMP error its reason.
TEST(Connection, UnreachableWhenEstablishedIsSoftAndNamesALaterTimeout) {
    One o(tcp::Config{.max_retransmissions = 2});
    establish(o);
    o.c.send(base::as_bytes("data"), o.now);
    o.take();
    o.c.icmp_unreachable(tcp::Error::network_unreachable, SeqNum{1001}, o.now);
    EXPECT_EQ(o.c.state(), State::established);
    o.advance(60_s);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::network_unreachable);
}

// Regression: after a timeout snd_nxt goes back; a pure ACK must still carry
// snd_max, or the peer (whose rcv_nxt is past snd_nxt) rejects it unread.
TEST(Connection, PureAcksCarrySndMaxAfterGoingBack) {
    One o;
    establish(o);
    std::string data(3000, 'z');
    o.c.send(base::as_bytes(data), o.now);
    o.out.clear();
    o.advance(o.c.rto().rto());
    const Captured again = o.take();
    ASSERT_EQ(again.seg.seq, SeqNum{1001}) << "went back to snd_una";
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .payload = base::as_bytes("x")});
    o.advance(100_ms);  // the delayed ACK
    const Captured a = o.take();
    EXPECT_TRUE(a.data.empty());
    EXPECT_EQ(a.seg.seq, SeqNum{4001}) << "snd_max, not the rewound snd_nxt";
}

// Regression (RFC 7323 §5.3 R2): a duplicate of old data still updates the
// timestamp we echo, so the ACK it draws carries the duplicate's TSval.
TEST(Connection, DuplicatesRefreshTheEchoedTimestamp) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1000,
          .timestamps = wire::TcpTimestamps{100, 0}});
    o.take();
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .timestamps = wire::TcpTimestamps{200, 0},
          .payload = base::as_bytes("abc")});
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK},
          .window = 65535,
          .timestamps = wire::TcpTimestamps{900, 0},
          .payload = base::as_bytes("abc")});  // a retransmission
    Captured last;
    while (!o.out.empty())
        last = o.take();
    ASSERT_TRUE(last.seg.timestamps);
    EXPECT_EQ(last.seg.timestamps->echo_reply, 900u);
}

// Regression: MSS counts data only; with timestamps, 12 option bytes come out
// of it, so a full segment still fits the MTU (RFC 6691).
TEST(Connection, FullSegmentsLeaveRoomForOptions) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1460,
          .timestamps = wire::TcpTimestamps{100, 0}});
    o.take();
    std::string data(5000, 'q');
    o.c.send(base::as_bytes(data), o.now);
    const Captured full = o.take();
    EXPECT_EQ(full.data.size(), 1448u);
    EXPECT_EQ(full.seg.header_len() + full.data.size(), 1460u + 20u)
        << "fits a 1,500-byte IP packet";
}

// ---- two connections and a wire ------------------------------------------------

// Joins two connections with a one-way delay; a filter may drop or reorder.
class Wire {
  public:
    explicit Wire(tcp::Config a = {}, tcp::Config b = {}, Duration delay = 5_ms)
        : delay_(delay),
          a_(a, tuple_a, [this](const TcpRepr& s) { carry(1, s); }),
          b_(b, tuple_b, [this](const TcpRepr& s) { carry(0, s); }) {}

    Connection& a() { return a_; }
    Connection& b() { return b_; }
    Time now() const { return now_; }
    // Decides each segment's fate: return false to lose it.
    std::function<bool(int to, const TcpRepr&)> filter;
    // Extra delay per segment (reordering).
    std::function<Duration(int to, const TcpRepr&)> extra_delay;

    void handshake() {
        a_.connect(SeqNum{100}, now_);
        // b is a listener's child: it accepts the SYN as it arrives.
        run_for(delay_);
    }
    void run_for(Duration d) { run_until(now_ + d); }
    void run_until(Time until, const std::function<bool()>& done = {}) {
        for (int guard = 0; guard < 10'000'000; ++guard) {
            if (done && done()) return;
            Time next = std::min(a_.next_deadline(), b_.next_deadline());
            if (!queue_.empty()) next = std::min(next, queue_.begin()->first.first);
            if (next > until) break;
            now_ = std::max(now_, next);
            if (!queue_.empty() && queue_.begin()->first.first <= now_) {
                auto node = queue_.extract(queue_.begin());
                Captured& c = node.mapped().second;
                const int to = node.mapped().first;
                if (to == 1 && b_.state() == State::closed && c.has(SYN) && !c.has(ACK)) {
                    b_.accept(c.seg, SeqNum{0xfffff000}, now_);
                } else {
                    (to == 0 ? a_ : b_).process(c.seg, now_);
                }
            } else {
                if (a_.next_deadline() <= now_) a_.poll(now_);
                if (b_.next_deadline() <= now_) b_.poll(now_);
            }
        }
        now_ = std::max(now_, until);
    }
    uint64_t carried = 0;

  private:
    void carry(int to, const TcpRepr& s) {
        ++carried;
        if (filter && !filter(to, s)) return;
        const Duration extra = extra_delay ? extra_delay(to, s) : Duration::zero();
        queue_.emplace(std::pair{now_ + delay_ + extra, seq_++}, std::pair{to, Captured(s)});
    }

    Duration delay_;
    Time now_ = Time::zero();
    uint64_t seq_ = 0;
    std::map<std::pair<Time, uint64_t>, std::pair<int, Captured>> queue_;
    Connection a_;
    Connection b_;
};

// Moves `total` bytes from `from` to `to` through the wire, reading as it goes.
std::string transfer(Wire& w, Connection& from, Connection& to, const std::string& data,
                     Duration limit = 120_s) {
    size_t offered = 0;
    std::string got;
    std::array<std::byte, 4096> buf{};
    const Time end = w.now() + limit;
    while (w.now() < end && got.size() < data.size()) {
        offered += from.send(base::as_bytes(std::string_view(data).substr(offered)), w.now());
        w.run_for(1_ms);
        for (size_t n; (n = to.receive(buf, w.now())) > 0;)
            got += base::as_chars(base::ByteSpan{buf}.first(n));
    }
    return got;
}

std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

TEST(ConnectionPair, HandshakeTransferAndFourWayClose) {
    Wire w({.msl = 1_s}, {.msl = 1_s});
    w.handshake();
    w.run_for(20_ms);
    ASSERT_EQ(w.a().state(), State::established);
    ASSERT_EQ(w.b().state(), State::established);
    const std::string data = pattern(100'000);
    EXPECT_EQ(transfer(w, w.a(), w.b(), data), data);
    w.a().close(w.now());
    w.run_for(50_ms);
    EXPECT_EQ(w.a().state(), State::fin_wait_2);
    EXPECT_EQ(w.b().state(), State::close_wait);
    w.b().close(w.now());
    w.run_for(50_ms);
    EXPECT_EQ(w.a().state(), State::time_wait);
    EXPECT_EQ(w.b().state(), State::closed);
    w.run_for(3_s);
    EXPECT_EQ(w.a().state(), State::closed);
    EXPECT_FALSE(w.a().error());
    EXPECT_FALSE(w.b().error());
}

TEST(ConnectionPair, SimultaneousOpen) {
    Wire w;
    w.a().connect(SeqNum{100}, w.now());
    w.b().connect(SeqNum{900}, w.now());
    w.run_for(100_ms);
    EXPECT_EQ(w.a().state(), State::established);
    EXPECT_EQ(w.b().state(), State::established);
    const std::string data = pattern(3000);
    EXPECT_EQ(transfer(w, w.b(), w.a(), data), data);
}

// Simultaneous open where the SYN+ACKs cross (RFC 9293 §3.5, figure 8): the
// peer's SYN+ACK repeats its SYN, before RCV.NXT, yet acknowledges ours, so
// it completes the handshake at once, as in Linux (the conformance script
// simultaneous-open-synacks-cross found us answering it as out of window).
TEST(Connection, CrossingSynAcksCompleteASimultaneousOpen) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();  // SYN
    o.in({.seq = SeqNum{5000}, .flags = TcpFlags{SYN}, .window = 65535, .mss = 1000});
    EXPECT_EQ(o.c.state(), State::syn_received);
    EXPECT_TRUE(o.take().has(SYN | ACK));
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 65535,
          .mss = 1000});
    EXPECT_EQ(o.c.state(), State::established);
    const Captured dup = o.take();  // its SYN was a repeat: a duplicate ACK, as Linux
    EXPECT_EQ(dup.seg.flags, TcpFlags{ACK});
    EXPECT_EQ(dup.seg.ack, SeqNum{5001});
    EXPECT_EQ(o.c.send(base::as_bytes("hi"), o.now), 2u);
    const Captured d = o.take();
    EXPECT_EQ(d.text(), "hi");
    EXPECT_EQ(d.seg.ack, SeqNum{5001});
}

// Every third segment lost, in both directions: everything still arrives, in
// order, by fast retransmit and by RTO.
TEST(ConnectionPair, LossIsRepairedByRetransmission) {
    Wire w;
    int n = 0;
    w.filter = [&](int, const TcpRepr& s) { return s.flags.has(SYN) || ++n % 3 != 0; };
    w.handshake();
    w.run_for(50_ms);
    const std::string data = pattern(200'000);
    EXPECT_EQ(transfer(w, w.a(), w.b(), data), data);
    EXPECT_GT(w.a().stats().retransmissions, 0u);
}

TEST(ConnectionPair, ReorderingIsRepairedAndAnsweredWithDuplicateAcks) {
    Wire w;
    int n = 0;
    w.extra_delay = [&](int to, const TcpRepr& s) {
        return (to == 1 && !s.payload.empty() && ++n % 4 == 0) ? 3_ms : Duration::zero();
    };
    w.handshake();
    w.run_for(50_ms);
    const std::string data = pattern(100'000);
    EXPECT_EQ(transfer(w, w.a(), w.b(), data), data);
    EXPECT_GT(w.b().stats().out_of_order_segments, 0u);
    EXPECT_GT(w.a().stats().duplicate_acks_received, 0u);
}

TEST(ConnectionPair, SlowReaderClosesTheWindowAndTheSenderWaits) {
    Wire w({}, {.receive_buffer = 8000});
    w.handshake();
    w.run_for(50_ms);
    const std::string data = pattern(50'000);
    size_t offered = w.a().send(base::as_bytes(data), w.now());
    w.run_for(2_s);  // nobody reads
    EXPECT_EQ(w.b().readable_bytes(), 8000u) << "the receive buffer is full, the window zero";
    EXPECT_GT(w.a().stats().window_probes, 0u);
    std::string got;
    std::array<std::byte, 1000> buf{};
    for (int i = 0; i < 20'000 && got.size() < data.size(); ++i) {
        offered += w.a().send(base::as_bytes(std::string_view(data).substr(offered)), w.now());
        for (size_t k; (k = w.b().receive(buf, w.now())) > 0;)
            got += base::as_chars(base::ByteSpan{buf}.first(k));
        w.run_for(1_ms);
    }
    EXPECT_EQ(got, data);
}

// ISNs near 2^32: the sequence numbers wrap during the transfer.
TEST(ConnectionPair, SequenceNumbersWrapAround) {
    Wire w;
    w.a().connect(SeqNum{0xffffff00}, w.now());  // b answers with 0xfffff000
    w.run_for(50_ms);
    const std::string data = pattern(300'000);
    EXPECT_EQ(transfer(w, w.a(), w.b(), data), data);
    EXPECT_EQ(transfer(w, w.b(), w.a(), data), data);
}

TEST(ConnectionPair, HalfCloseLetsTheOtherSideKeepSending) {
    Wire w;
    w.handshake();
    w.run_for(50_ms);
    w.a().shutdown(w.now());
    w.run_for(50_ms);
    EXPECT_EQ(w.b().state(), State::close_wait);
    EXPECT_TRUE(w.b().peer_finished());
    const std::string data = pattern(20'000);
    EXPECT_EQ(transfer(w, w.b(), w.a(), data), data);
    EXPECT_EQ(w.a().send(base::as_bytes("late"), w.now()), 0u) << "a shut its sending side";
}

// ---- socket options ------------------------------------------------------------

// TCP_CORK: full segments go, a partial one waits for the cork to come off.
TEST(SocketOptions, CorkHoldsPartialSegmentsUntilUncorked) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.cork = true}, o.now));
    const std::string data(2500, 'x');
    o.c.send(base::as_bytes(data), o.now);
    ASSERT_EQ(o.out.size(), 2u) << "two full segments of 1000";
    EXPECT_EQ(o.take().data.size(), 1000u);
    EXPECT_EQ(o.take().data.size(), 1000u);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{3001}, .flags = TcpFlags{ACK}, .window = 65535});
    EXPECT_TRUE(o.out.empty()) << "nothing in flight, and still the 500 bytes wait";
    o.advance(100_ms);
    EXPECT_TRUE(o.out.empty());
    ASSERT_TRUE(o.c.set_options({.cork = false}, o.now));
    const Captured rest = o.take();
    EXPECT_EQ(rest.data.size(), 500u);
    EXPECT_TRUE(rest.has(PSH));
}

// Linux's ceiling: a corked partial segment leaves after 200 ms anyway.
TEST(SocketOptions, CorkHoldsAtMost200Milliseconds) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.cork = true}, o.now));
    o.c.send(base::as_bytes("GET / HTTP/1.1\r\n"), o.now);
    o.advance(199_ms);
    EXPECT_TRUE(o.out.empty());
    o.advance(1_ms);
    EXPECT_EQ(o.take().text(), "GET / HTTP/1.1\r\n");
}

// A FIN ends the cork: close() sends what waits, then the FIN.
TEST(SocketOptions, ShutdownFlushesTheCork) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.cork = true}, o.now));
    o.c.send(base::as_bytes("bye"), o.now);
    EXPECT_TRUE(o.out.empty());
    o.c.shutdown(o.now);
    const Captured last = o.take();
    EXPECT_EQ(last.text(), "bye");
    EXPECT_TRUE(last.has(FIN));
}

// SO_LINGER with a zero time: close() resets instead of a 4-way close.
TEST(SocketOptions, LingerZeroMakesCloseAReset) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.linger = 0_s}, o.now));
    o.c.close(o.now);
    const Captured rst = o.take();
    EXPECT_TRUE(rst.has(RST));
    EXPECT_FALSE(rst.has(FIN));
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::aborted);
}

// TCP_USER_TIMEOUT (RFC 5482): data unacknowledged that long ends the
// connection, long before 15 retransmissions would.
TEST(SocketOptions, UserTimeoutEndsAConnectionWhoseDataGoesUnacknowledged) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.user_timeout = 5_s}, o.now));
    o.c.send(base::as_bytes("anyone there?"), o.now);
    o.take();
    o.advance(4900_ms);
    EXPECT_EQ(o.c.state(), State::established);
    o.out.clear();
    o.advance(100_ms);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
    EXPECT_LT(o.c.stats().retransmissions, 5u);
    // Deleted without a word (RFC 9293 §3.10.8, Linux's tcp_write_err): the
    // conformance script user-timeout-ends-connection found a bare RST.
    EXPECT_TRUE(o.out.empty());
}

// An ACK that moves SND.UNA on starts the user timeout again.
TEST(SocketOptions, UserTimeoutCountsFromTheLastProgress) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.user_timeout = 5_s}, o.now));
    const std::string data(2000, 'x');
    o.c.send(base::as_bytes(data), o.now);
    o.advance(3_s);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{2001}, .flags = TcpFlags{ACK}, .window = 65535});
    o.advance(4_s);
    EXPECT_EQ(o.c.state(), State::established) << "7 s since the first send, 4 s since progress";
    o.advance(1_s);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
}

// A connect with a user timeout gives up at that time, not at 3 minutes.
TEST(SocketOptions, UserTimeoutBoundsAConnect) {
    tcp::Config config;
    tcp::Options{.user_timeout = 10_s}.apply(config);
    One o(config);
    o.c.connect(SeqNum{1000}, o.now);
    o.advance(9999_ms);
    EXPECT_EQ(o.c.state(), State::syn_sent);
    o.advance(1_ms);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
}

// Keep-alive under a user timeout ends on the peer's silence, not a count.
TEST(SocketOptions, UserTimeoutReplacesTheKeepAliveCount) {
    One o;
    establish(o);
    ASSERT_TRUE(
        o.c.set_options({.keepalive = tcp::KeepAlive{.idle = 10_s, .interval = 1_s, .probes = 9},
                         .user_timeout = 12_s},
                        o.now));
    o.advance(11_s);
    EXPECT_EQ(o.c.state(), State::established) << "one probe out";
    o.advance(1_s);
    EXPECT_EQ(o.c.state(), State::closed) << "12 s silent, after 2 of 9 probes";
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
}

// The receive buffer sets the window scale in the SYN; 32 MiB gives 10, as
// Linux chooses for a 32 MiB tcp_rmem maximum. Once the SYN is out it is fixed.
TEST(SocketOptions, ReceiveBufferChoosesTheWindowScaleBeforeTheHandshakeOnly) {
    tcp::Config config;
    tcp::Options{.receive_buffer = size_t{32} << 20}.apply(config);
    One o(config);
    o.c.connect(SeqNum{1000}, o.now);
    EXPECT_EQ(o.take().seg.window_scale, 10);
    EXPECT_FALSE(o.c.set_options({.receive_buffer = 65536}, o.now));
    EXPECT_FALSE(o.c.set_options({.max_segment = 500}, o.now));
    EXPECT_EQ(o.c.config().receive_buffer, size_t{32} << 20) << "refused whole";
}

// SO_SNDBUF bounds what send() takes.
TEST(SocketOptions, SendBufferBoundsWhatSendTakes) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.send_buffer = 4096}, o.now));
    const std::string data(10000, 'x');
    EXPECT_EQ(o.c.send(base::as_bytes(data), o.now), 4096u);
    EXPECT_EQ(o.c.send_space(), 0u);
}

TEST(SocketOptions, ValuesOutOfRangeAreNamed) {
    EXPECT_EQ(tcp::Options{}.problem(), std::nullopt);
    EXPECT_NE(tcp::Options{.send_buffer = 10}.problem(), std::nullopt);
    EXPECT_NE(tcp::Options{.receive_buffer = size_t{2} << 30}.problem(), std::nullopt);
    const auto mss = tcp::Options{.max_segment = 20}.problem();
    ASSERT_TRUE(mss);
    EXPECT_NE(mss->find("TCP_MAXSEG"), std::string::npos);
    EXPECT_NE(tcp::Options{.linger = Duration::milliseconds(-1)}.problem(), std::nullopt);
    EXPECT_NE((tcp::Options{.keepalive = tcp::KeepAlive{.idle = 1_s, .interval = 1_s, .probes = 0}}
                   .problem()),
              std::nullopt);
    EXPECT_NE(tcp::Options{.user_timeout = Duration::milliseconds(-5)}.problem(), std::nullopt);
}

// MSG_PEEK leaves the data for the next read.
TEST(SocketOptions, PeekLeavesTheDataToRead) {
    One o;
    establish(o);
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{1001},
          .flags = TcpFlags{ACK | PSH},
          .window = 65535,
          .payload = base::as_bytes("hello")});
    std::array<std::byte, 16> buf{};
    EXPECT_EQ(o.c.peek(buf), 5u);
    EXPECT_EQ(o.c.readable_bytes(), 5u);
    EXPECT_EQ(o.c.receive(buf, o.now), 5u);
    EXPECT_EQ(std::string(base::as_chars(std::span(buf).first(5))), "hello");
    EXPECT_EQ(o.c.peek(buf), 0u);
}

// TCP_INFO reports what the connection knows.
TEST(SocketOptions, InfoIsASnapshotOfTheConnection) {
    One o;
    establish(o);
    const std::string data(3000, 'x');
    o.c.send(base::as_bytes(data), o.now);
    o.advance(40_ms);
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{2001}, .flags = TcpFlags{ACK}, .window = 65535});
    const tcp::Info i = o.c.info(o.now);
    EXPECT_EQ(i.state, State::established);
    EXPECT_EQ(i.congestion, tcp::CongestionAlgorithm::cubic);
    EXPECT_EQ(i.send_mss, 1000u);
    EXPECT_EQ(i.unacked, 2000u);
    EXPECT_EQ(i.bytes_acked, 1000u);
    EXPECT_EQ(i.send_queue, 2000u);
    EXPECT_EQ(i.send_window, 65535u);
    EXPECT_TRUE(i.rtt.has_value());
    EXPECT_EQ(i.total_retransmissions, 0u);
    EXPECT_EQ(i.since_data_sent, 40_ms);
    EXPECT_EQ(i.since_data_received, std::nullopt);
}

// ---- path MTU ------------------------------------------------------------------

// RFC 1191: "fragmentation needed" quoting a segment in flight. What was
// sent too large goes again at once in pieces that fit, and what follows is
// cut to the new size; the window is not reduced (no congestion).
TEST(PathMtu, FragmentationNeededResendsInPiecesThatFit) {
    One o;
    establish(o, 1460);
    const std::string data(4380, 'x');
    o.c.send(base::as_bytes(data), o.now);
    ASSERT_EQ(o.out.size(), 3u);
    o.out.clear();
    const uint32_t cwnd = o.c.cwnd();
    EXPECT_TRUE(o.c.icmp_packet_too_big(960, SeqNum{1001}, o.now));
    // Three segments of 1460 become three of 960 and 500.
    ASSERT_EQ(o.out.size(), 6u);
    uint32_t expected_seq = 1001;
    for (const Captured& c : o.out) {
        EXPECT_EQ(c.seg.seq, SeqNum{expected_seq});
        EXPECT_LE(c.data.size(), 960u);
        expected_seq += static_cast<uint32_t>(c.data.size());
    }
    EXPECT_EQ(expected_seq, 1001u + 4380);
    EXPECT_EQ(o.c.stats().path_mtu_reductions, 1u);
    EXPECT_EQ(o.c.info(o.now).send_mss, 960u);
    EXPECT_EQ(o.c.cwnd(), cwnd) << "not a congestion signal";
    o.out.clear();
    o.in(
        {.seq = SeqNum{5001}, .ack = SeqNum{1001 + 4380}, .flags = TcpFlags{ACK}, .window = 65535});
    o.c.send(base::as_bytes(data), o.now);
    ASSERT_FALSE(o.out.empty());
    EXPECT_EQ(o.take().data.size(), 960u) << "new data in the new size";
}

// RFC 5927: an error quoting what is not in flight is forged or stale.
TEST(PathMtu, FragmentationNeededForNothingInFlightIsIgnored) {
    One o;
    establish(o, 1460);
    o.c.send(base::as_bytes(std::string(1460, 'x')), o.now);
    o.out.clear();
    EXPECT_FALSE(o.c.icmp_packet_too_big(600, SeqNum{99999}, o.now));
    EXPECT_TRUE(o.out.empty());
    EXPECT_EQ(o.c.info(o.now).send_mss, 1460u);
}

// RFC 4821 black-hole detection: a large segment that times out three times
// running goes again at 1024 bytes, then at half that (not below 536).
TEST(PathMtu, ABlackHoleIsFoundAfterThreeTimeouts) {
    One o;
    establish(o, 1460);
    o.c.send(base::as_bytes(std::string(1460, 'x')), o.now);
    EXPECT_EQ(o.take().data.size(), 1460u);
    std::vector<size_t> sizes;
    for (int i = 0; i < 5; ++i) {
        o.advance(o.c.next_deadline() - o.now);
        while (!o.out.empty())
            sizes.push_back(o.take().data.size());
    }
    ASSERT_GE(sizes.size(), 5u);
    EXPECT_EQ(sizes[0], 1460u) << "first timeout";
    EXPECT_EQ(sizes[1], 1460u);
    EXPECT_EQ(sizes[2], 1024u) << "third timeout: Linux's base MSS";
    EXPECT_EQ(o.c.stats().black_holes, 2u);
    EXPECT_EQ(o.c.info(o.now).send_mss, 536u) << "then halved, to the floor";
}

// The user timeout counts from when the FIN went, not from the last data
// acknowledged long before (a FIN after a long idle is not overdue at once).
TEST(SocketOptions, UserTimeoutCountsALoneFinFromWhenItLeft) {
    One o;
    establish(o);
    ASSERT_TRUE(o.c.set_options({.user_timeout = 5_s}, o.now));
    o.c.send(base::as_bytes("x"), o.now);
    o.take();
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{1002}, .flags = TcpFlags{ACK}, .window = 65535});
    o.advance(60_s);
    o.c.shutdown(o.now);
    EXPECT_TRUE(o.take().has(FIN));
    o.advance(4_s);
    EXPECT_EQ(o.c.state(), State::fin_wait_1) << "4 s after the FIN left";
    o.advance(1_s);
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
}

// Linux's tcp_is_cwnd_limited (RFC 7661's concern): a program that writes a
// little at a time never fills the window, so the window does not grow;
// one that fills it does.
TEST(Connection, OnlyAWindowInUseGrows) {
    One o;
    establish(o);  // SMSS 1000: the initial window is 10,000 bytes
    const uint32_t initial = o.c.cwnd();
    uint32_t acked = 1001;
    for (int i = 0; i < 20; ++i) {
        o.c.send(base::as_bytes(std::string(100, 'x')), o.now);
        o.take();
        acked += 100;
        o.advance(10_ms);
        o.in({.seq = SeqNum{5001}, .ack = SeqNum{acked}, .flags = TcpFlags{ACK}, .window = 65535});
    }
    EXPECT_EQ(o.c.cwnd(), initial) << "100 bytes in flight never needed more";
    // A bulk write fills the window: its ACK grows it.
    o.c.send(base::as_bytes(std::string(30'000, 'x')), o.now);
    EXPECT_EQ(o.out.size(), 10u) << "the window's worth";
    o.out.clear();
    o.advance(10_ms);
    o.in({.seq = SeqNum{5001},
          .ack = SeqNum{acked + 10'000},
          .flags = TcpFlags{ACK},
          .window = 65535});
    EXPECT_GT(o.c.cwnd(), initial);
}

// TCP_USER_TIMEOUT also bounds a window that stays shut (Linux's
// tcp_probe_timer): the peer answers every probe, but never opens.
TEST(SocketOptions, UserTimeoutEndsAWindowShutTooLong) {
    One o;
    o.c.connect(SeqNum{1000}, o.now);
    o.take();
    o.in({.seq = SeqNum{5000},
          .ack = SeqNum{1001},
          .flags = TcpFlags{SYN | ACK},
          .window = 1000,
          .mss = 1000});
    o.take();
    ASSERT_TRUE(o.c.set_options({.user_timeout = 30_s}, o.now));
    o.c.send(base::as_bytes(std::string(3000, 'y')), o.now);
    o.out.clear();
    o.in({.seq = SeqNum{5001}, .ack = SeqNum{2001}, .flags = TcpFlags{ACK}, .window = 0});
    // Answer every probe with the window still shut.
    Time first_probe = Time::never();
    while (o.c.state() == State::established && o.now < Time::zero() + 600_s) {
        o.advance(o.c.next_deadline() - o.now);
        while (!o.out.empty()) {
            const Captured c = o.take();
            if (c.data.size() == 1 && first_probe.is_never()) first_probe = o.now;
            if (!c.has(RST))
                o.in({.seq = SeqNum{5001},
                      .ack = SeqNum{2001},
                      .flags = TcpFlags{ACK},
                      .window = 0});
        }
    }
    EXPECT_EQ(o.c.state(), State::closed);
    EXPECT_EQ(o.c.error(), tcp::Error::timed_out);
    EXPECT_GE(o.now - first_probe, 30_s);
    EXPECT_LT(o.now - first_probe, 90_s) << "at the first probe due after 30 s";
    EXPECT_GT(o.c.stats().window_probes, 2u) << "it probed, backing off, until then";
}

}  // namespace
