#include "stack/reassembly.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "testing/data.hpp"

namespace {

using base::Time;
using stack::DropReason;
using stack::Reassembler;
using stack::ReassemblyConfig;
using Kind = Reassembler::Outcome::Kind;
using Bytes = std::vector<std::byte>;
using namespace base::literals;

const Time t0 = Time::zero() + 7_s;

wire::Ipv4Repr header_fields(uint16_t payload_len) {
    return wire::Ipv4Repr{.src = {10, 0, 0, 1},
                          .dst = {10, 0, 0, 2},
                          .protocol = wire::IpProtocol::udp,
                          .ttl = 61,
                          .identification = 0x1234,
                          .payload_len = payload_len};
}

// A whole datagram: a 20-byte header, then `payload_len` patterned bytes.
Bytes datagram(const wire::Ipv4Repr& repr) {
    Bytes b(wire::Ipv4Repr::buffer_len() + repr.payload_len);
    repr.emit(b);
    for (size_t i = 0; i < repr.payload_len; ++i)
        b[20 + i] = std::byte(static_cast<uint8_t>((i * 7 + i / 251 + 3) & 0xff));
    return b;
}
Bytes datagram(uint16_t payload_len = 3000) {
    return datagram(header_fields(payload_len));
}

// One fragment of `whole` (which has a 20-byte header): its payload bytes
// [offset, offset + len), with MF as given.
Bytes fragment_of(const Bytes& whole, size_t offset, size_t len, bool more) {
    Bytes f(20 + len);
    std::copy_n(whole.begin(), 20, f.begin());
    std::copy_n(whole.begin() + 20 + static_cast<ptrdiff_t>(offset), len, f.begin() + 20);
    wire::ipv4::set_fragment_fields(base::MutableByteSpan{f}.first(20),
                                    static_cast<uint16_t>(f.size()), more,
                                    static_cast<uint16_t>(offset));
    return f;
}

// Splits `whole` as a router with this much room for payload per fragment would.
std::vector<Bytes> fragment(const Bytes& whole, size_t chunk) {
    const size_t payload = whole.size() - 20;
    std::vector<Bytes> out;
    for (size_t offset = 0; offset < payload; offset += chunk) {
        const size_t len = std::min(chunk, payload - offset);
        out.push_back(fragment_of(whole, offset, len, offset + len < payload));
    }
    return out;
}

// A fragment of a datagram identified by `repr`, with arbitrary contents.
Bytes raw_fragment(wire::Ipv4Repr repr, uint16_t offset, size_t len, bool more,
                   uint8_t fill = 0xab) {
    repr.fragment_offset = offset;
    repr.more_fragments = more;
    repr.payload_len = static_cast<uint16_t>(len);
    Bytes b(20 + len, std::byte{fill});
    repr.emit(b);
    return b;
}

Reassembler::Outcome add(Reassembler& r, const Bytes& packet, Time now = t0) {
    auto view = wire::Ipv4View::parse(packet);
    EXPECT_TRUE(view.has_value());
    return r.add(view.value(), now);
}

// The reassembled datagram is exactly the original: header fields and checksum
// recomputed to what an unfragmented sender would have written.
void expect_same_datagram(const Reassembler::Outcome& out, const Bytes& original,
                          size_t fragments) {
    ASSERT_EQ(out.kind, Kind::complete);
    ASSERT_TRUE(out.datagram.valid());
    EXPECT_EQ(out.fragments, fragments);
    const base::ByteSpan got = out.datagram.bytes();
    ASSERT_EQ(got.size(), original.size());
    EXPECT_TRUE(base::equal_bytes(got, original))
        << testing_support::to_hex(got.first(40)) << " vs "
        << testing_support::to_hex(base::ByteSpan{original}.first(40));
    auto v = wire::Ipv4View::parse(got);
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->total_len(), original.size());
    EXPECT_FALSE(v->more_fragments());
    EXPECT_EQ(v->fragment_offset(), 0);
    EXPECT_FALSE(v->is_fragment());
    EXPECT_TRUE(v->checksum_valid());
}

TEST(Reassembly, InOrder) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    ASSERT_EQ(frags.size(), 3u);

    auto out = add(r, frags[0]);
    EXPECT_EQ(out.kind, Kind::incomplete);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 1480u);
    out = add(r, frags[1]);
    EXPECT_EQ(out.kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 2960u);
    out = add(r, frags[2]);
    expect_same_datagram(out, whole, 3);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
    EXPECT_EQ(r.next_deadline(), Time::never());
}

TEST(Reassembly, ReverseOrder) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 600);
    ASSERT_EQ(frags.size(), 5u);
    for (size_t i = frags.size(); i-- > 1;) {
        EXPECT_EQ(add(r, frags[i]).kind, Kind::incomplete) << i;
    }
    EXPECT_EQ(r.bytes_buffered(), 2400u);
    expect_same_datagram(add(r, frags[0]), whole, 5);
    EXPECT_EQ(r.bytes_buffered(), 0u);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
}

TEST(Reassembly, UsesTheFirstFragmentsHeader) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram(1000);
    auto frags = fragment(whole, 512);
    ASSERT_EQ(frags.size(), 2u);
    // The second fragment took a different path: another TTL and DSCP.
    auto tail = wire::Ipv4Repr::parse(*wire::Ipv4View::parse(frags[1])).value();
    tail.ttl = 3;
    tail.dscp = 10;
    tail.emit(frags[1]);
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    expect_same_datagram(add(r, frags[0]), whole, 2);
}

TEST(Reassembly, KeepsTheFirstFragmentsOptionsAndDontFragmentBit) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    // IHL 6 with a router-alert option; DF set (a strange but legal sender).
    Bytes head = testing_support::from_hex(
        "46 00 00 00 00 07 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02 94 04 00 00");
    Bytes payload(100);
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = std::byte(static_cast<uint8_t>(i));

    Bytes first = head;
    first.insert(first.end(), payload.begin(), payload.begin() + 64);
    wire::ipv4::set_fragment_fields(base::MutableByteSpan{first}.first(24),
                                    static_cast<uint16_t>(first.size()), true, 0);
    wire::Ipv4Repr rest_repr{.src = {10, 0, 0, 1},
                             .dst = {10, 0, 0, 2},
                             .protocol = wire::IpProtocol::udp,
                             .identification = 7,
                             .fragment_offset = 64,
                             .payload_len = 36};
    Bytes rest(20 + 36);
    rest_repr.emit(rest);
    std::copy(payload.begin() + 64, payload.end(), rest.begin() + 20);

    EXPECT_EQ(add(r, first).kind, Kind::incomplete);
    const auto out = add(r, rest);
    ASSERT_EQ(out.kind, Kind::complete);
    EXPECT_EQ(out.fragments, 2u);
    auto v = wire::Ipv4View::parse(out.datagram.bytes());
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(v->header_len(), 24u);
    EXPECT_EQ(v->total_len(), 124);
    EXPECT_TRUE(v->dont_fragment());
    EXPECT_FALSE(v->more_fragments());
    EXPECT_EQ(v->fragment_offset(), 0);
    EXPECT_TRUE(v->checksum_valid());
    EXPECT_TRUE(base::equal_bytes(v->options(), base::ByteSpan{head}.subspan(20)));
    EXPECT_TRUE(base::equal_bytes(v->payload(), payload));
}

// Any fragment size, any arrival order: the same datagram comes out.
RC_GTEST_PROP(Reassembly, AnyOrderGivesTheOriginal, ()) {
    const auto payload_len = *rc::gen::inRange<uint16_t>(1, 4001);
    const size_t chunk = size_t{8} * *rc::gen::inRange<size_t>(1, 186);  // 8 .. 1480
    wire::Ipv4Repr repr = header_fields(payload_len);
    repr.identification = *rc::gen::arbitrary<uint16_t>();
    const Bytes whole = datagram(repr);
    auto remaining = fragment(whole, chunk);
    const size_t count = remaining.size();
    RC_PRE(count > 1);  // a single piece is not a fragment at all

    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.max_fragments = 1024}, pool};
    // Pick the arrival order one fragment at a time (shrinks towards in order).
    Reassembler::Outcome out;
    size_t buffered = 0;
    while (!remaining.empty()) {
        const auto i = *rc::gen::inRange<size_t>(0, remaining.size());
        const Bytes f = remaining[i];
        remaining.erase(remaining.begin() + static_cast<ptrdiff_t>(i));
        out = add(r, f);
        if (!remaining.empty()) {
            RC_ASSERT(out.kind == Kind::incomplete);
            buffered += f.size() - 20;
            RC_ASSERT(r.bytes_buffered() == buffered);
        }
    }
    RC_ASSERT(out.kind == Kind::complete);
    RC_ASSERT(out.fragments == count);
    RC_ASSERT(base::equal_bytes(out.datagram.bytes(), whole));
    auto v = wire::Ipv4View::parse(out.datagram.bytes());
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->checksum_valid());
    RC_ASSERT(!v->is_fragment());
    RC_ASSERT(r.bytes_buffered() == 0u);
    RC_ASSERT(r.datagrams_in_progress() == 0u);
}

TEST(Reassembly, ExactDuplicateIsIgnored) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1000);
    ASSERT_EQ(frags.size(), 3u);
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 1000u);
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);  // the last one, again
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 2000u);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    expect_same_datagram(add(r, frags[0]), whole, 3);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, DuplicateOfTheFirstFragmentIsIgnored) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    EXPECT_EQ(add(r, frags[0]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, frags[0]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    expect_same_datagram(add(r, frags[2]), whole, 3);
}

// A zero-length last fragment is accepted today; sent twice, the second copy is
// an exact duplicate and must not count as another fragment (nor be held twice).
TEST(Reassembly, DuplicateEmptyLastFragmentIsIgnored) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram(2960);
    const auto frags = fragment(whole, 1480);
    ASSERT_EQ(frags.size(), 2u);
    const Bytes empty_last = fragment_of(whole, 2960, 0, false);
    Bytes first_part = frags[1];
    wire::ipv4::set_fragment_fields(base::MutableByteSpan{first_part}.first(20),
                                    static_cast<uint16_t>(first_part.size()), true, 1480);
    EXPECT_EQ(add(r, frags[0]).kind, Kind::incomplete);
    const auto first_copy = add(r, empty_last);
    if (first_copy.kind == Kind::dropped) {
        // The other defensible policy (Linux's): refuse zero-length fragments.
        EXPECT_EQ(first_copy.reason, DropReason::malformed);
        return;
    }
    EXPECT_EQ(first_copy.kind, Kind::incomplete);
    EXPECT_EQ(add(r, empty_last).kind, Kind::incomplete);
    const auto out = add(r, first_part);
    expect_same_datagram(out, whole, 3);
}

TEST(Reassembly, OverlapWithDifferentDataDropsTheDatagram) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    EXPECT_EQ(add(r, frags[0]).kind, Kind::incomplete);
    // Bytes 1472..2952 carrying other data: overlaps the first fragment's tail.
    const auto evil = add(r, raw_fragment(header_fields(0), 1472, 1480, true));
    EXPECT_EQ(evil.kind, Kind::dropped);
    EXPECT_EQ(evil.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);

    // What was held is gone: the rest alone does not complete, and once the
    // first fragment comes again the datagram completes from scratch.
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 1520u);
    expect_same_datagram(add(r, frags[0]), whole, 3);
}

TEST(Reassembly, SameRangeWithDifferentDataIsAnOverlap) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    Bytes changed = frags[1];
    changed[100] ^= std::byte{0x01};
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);
    const auto out = add(r, changed);
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, OverlapWithTheSameBytesButAnotherRangeIsDropped) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    EXPECT_EQ(add(r, fragment_of(whole, 0, 1480, true)).kind, Kind::incomplete);
    // Consistent data, but not an exact duplicate: still dropped.
    const auto out = add(r, fragment_of(whole, 1464, 1000, true));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    // A fragment contained in one already held is also an overlap.
    EXPECT_EQ(add(r, fragment_of(whole, 0, 1480, true)).kind, Kind::incomplete);
    const auto inside = add(r, fragment_of(whole, 8, 16, true));
    EXPECT_EQ(inside.kind, Kind::dropped);
    EXPECT_EQ(inside.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, FragmentSpanningTwoHeldPiecesIsDropped) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    EXPECT_EQ(add(r, fragment_of(whole, 0, 800, true)).kind, Kind::incomplete);
    EXPECT_EQ(add(r, fragment_of(whole, 1600, 800, true)).kind, Kind::incomplete);
    // Fills the gap 800..1600 and runs 8 bytes into the next piece.
    const auto out = add(r, fragment_of(whole, 800, 808, true));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, InconsistentLastFragmentDropsTheDatagram) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    const wire::Ipv4Repr id = header_fields(0);

    // Two last fragments that disagree on the end.
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);    // ends at 3000
    auto out = add(r, raw_fragment(id, 1480, 48, false));  // ends at 1528
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);

    // A fragment running past the end the last fragment set.
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);
    out = add(r, raw_fragment(id, 1480, 1528, true));  // ends at 3008
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);

    // A fragment starting where the last one ended: no overlap, but past the end.
    EXPECT_EQ(add(r, frags[2]).kind, Kind::incomplete);
    out = add(r, raw_fragment(id, 3000, 8, true));  // 3000..3008
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);

    // A last fragment ending before data already held.
    EXPECT_EQ(add(r, frags[1]).kind, Kind::incomplete);  // 1480..2960
    out = add(r, raw_fragment(id, 0, 40, false));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::fragment_overlap);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, NonLastFragmentMustCarryAMultipleOf8Bytes) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const wire::Ipv4Repr id = header_fields(0);
    for (size_t len : {1, 7, 9, 1001}) {
        const auto out = add(r, raw_fragment(id, 0, len, true));
        EXPECT_EQ(out.kind, Kind::dropped) << len;
        EXPECT_EQ(out.reason, DropReason::malformed) << len;
    }
    const auto empty = add(r, raw_fragment(id, 8, 0, true));
    EXPECT_EQ(empty.kind, Kind::dropped);
    EXPECT_EQ(empty.reason, DropReason::malformed);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);

    // A malformed fragment leaves a datagram in progress alone.
    EXPECT_EQ(add(r, raw_fragment(id, 0, 16, true)).kind, Kind::incomplete);
    EXPECT_EQ(add(r, raw_fragment(id, 16, 5, true)).kind, Kind::dropped);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 16u);
    // The last fragment may have any length.
    const auto out = add(r, raw_fragment(id, 16, 5, false));
    ASSERT_EQ(out.kind, Kind::complete);
    EXPECT_EQ(out.datagram.size(), 41u);
}

TEST(Reassembly, DatagramBeyond65535BytesIsMalformed) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const wire::Ipv4Repr id = header_fields(0);
    // 20 + 65528 + 8 = 65556.
    auto out = add(r, raw_fragment(id, 65528, 8, false));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::malformed);
    // 20 + 65504 + 16 = 65540.
    out = add(r, raw_fragment(id, 65504, 16, true));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::malformed);
    // 20 + 65504 + 12 = 65536: one byte too many.
    out = add(r, raw_fragment(id, 65504, 12, false));
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::malformed);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    // 20 + 65504 + 11 = 65535 exactly: fine.
    out = add(r, raw_fragment(id, 65504, 11, false));
    EXPECT_EQ(out.kind, Kind::incomplete);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 11u);
}

TEST(Reassembly, LargestDatagramReassembles) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const Bytes whole = datagram(65515);  // total length 65535
    const auto frags = fragment(whole, 8 * 1000);
    ASSERT_EQ(frags.size(), 9u);
    for (size_t i = 0; i + 1 < frags.size(); ++i)
        ASSERT_EQ(add(r, frags[i]).kind, Kind::incomplete);
    expect_same_datagram(add(r, frags.back()), whole, 9);
}

// The first fragment's header has options (60 bytes) but later fragments have
// plain 20-byte headers, each fragment within 65,535 bytes on its own; the
// reassembled datagram would be 60 + 65,515 = 65,575 bytes, which no IPv4 total
// length can express. It must be dropped, not emitted with a wrapped length.
TEST(Reassembly, DatagramThatWouldExceed65535WithTheFirstHeaderIsDropped) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    Bytes first(60 + 8, std::byte{0x11});
    header_fields(0).emit(first);
    first[0] = std::byte{0x4f};                                          // IHL 15
    std::fill(first.begin() + 20, first.begin() + 60, std::byte{0x01});  // NOP options
    wire::ipv4::set_fragment_fields(base::MutableByteSpan{first}.first(60),
                                    static_cast<uint16_t>(first.size()), true, 0);
    const wire::Ipv4Repr id = header_fields(0);

    EXPECT_EQ(add(r, first).kind, Kind::incomplete);
    EXPECT_EQ(add(r, raw_fragment(id, 8, 65496, true)).kind, Kind::incomplete);
    const auto out = add(r, raw_fragment(id, 65504, 11, false));
    EXPECT_EQ(out.kind, Kind::dropped) << "reassembled into " << out.datagram.size() << " bytes";
    EXPECT_EQ(out.reason, DropReason::malformed);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, PollBeforeTheDeadlineDoesNothing) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 30_s}, pool};
    const auto frags = fragment(datagram(), 1480);
    add(r, frags[0], t0);
    add(r, frags[1], t0 + 20_s);  // does not extend the deadline
    EXPECT_EQ(r.next_deadline(), t0 + 30_s);
    int calls = 0;
    r.poll(t0 + 30_s - 1_ns, [&](base::ByteSpan, size_t) { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 2960u);
}

TEST(Reassembly, TimeoutHandsBackTheStartOfTheFirstFragment) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 30_s}, pool};
    const auto frags = fragment(datagram(), 1480);
    add(r, frags[1], t0);
    add(r, frags[0], t0 + 1_s);
    std::vector<Bytes> quoted;
    std::vector<size_t> counts;
    r.poll(t0 + 30_s, [&](base::ByteSpan first, size_t count) {
        quoted.emplace_back(first.begin(), first.end());
        counts.push_back(count);
    });
    ASSERT_EQ(quoted.size(), 1u);
    EXPECT_EQ(counts[0], 2u);
    // The header and as much payload as an ICMP error may quote (576 - 20 - 8).
    ASSERT_EQ(quoted[0].size(), 20u + 548u);
    EXPECT_TRUE(base::equal_bytes(quoted[0], base::ByteSpan{frags[0]}.first(568)));
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
    EXPECT_EQ(r.next_deadline(), Time::never());

    // Nothing left to expire.
    int calls = 0;
    r.poll(t0 + 100_s, [&](base::ByteSpan, size_t) { ++calls; });
    EXPECT_EQ(calls, 0);
}

TEST(Reassembly, TimeoutQuotesASmallFirstFragmentWhole) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 5_s}, pool};
    const Bytes whole = datagram(200);
    const auto frags = fragment(whole, 64);
    add(r, frags[0], t0);
    Bytes quoted;
    r.poll(t0 + 5_s, [&](base::ByteSpan first, size_t count) {
        quoted.assign(first.begin(), first.end());
        EXPECT_EQ(count, 1u);
    });
    EXPECT_EQ(quoted, frags[0]);
}

TEST(Reassembly, TimeoutWithoutTheFirstFragmentGivesAnEmptySpan) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 30_s}, pool};
    const auto frags = fragment(datagram(), 1000);
    add(r, frags[1], t0);
    add(r, frags[2], t0);
    int calls = 0;
    r.poll(t0 + 30_s, [&](base::ByteSpan first, size_t count) {
        ++calls;
        EXPECT_TRUE(first.empty());
        EXPECT_EQ(count, 2u);
    });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(r.bytes_buffered(), 0u);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
}

TEST(Reassembly, EachDatagramTimesOutOnItsOwn) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 10_s}, pool};
    wire::Ipv4Repr a = header_fields(3000);
    wire::Ipv4Repr b = a;
    b.identification = 0x9999;
    add(r, fragment(datagram(a), 1480)[0], t0);
    add(r, fragment(datagram(b), 1480)[1], t0 + 4_s);
    EXPECT_EQ(r.next_deadline(), t0 + 10_s);
    std::vector<size_t> sizes;
    auto record = [&](base::ByteSpan first, size_t) { sizes.push_back(first.size()); };
    r.poll(t0 + 10_s, record);
    EXPECT_EQ(sizes, (std::vector<size_t>{568}));
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 1480u);
    EXPECT_EQ(r.next_deadline(), t0 + 14_s);
    r.poll(t0 + 14_s, record);
    EXPECT_EQ(sizes, (std::vector<size_t>{568, 0}));
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, MaxDatagramsRefusesNewOnesOnly) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.max_datagrams = 2}, pool};
    std::vector<Bytes> wholes;
    for (uint16_t id = 1; id <= 3; ++id) {
        wire::Ipv4Repr repr = header_fields(3000);
        repr.identification = id;
        wholes.push_back(datagram(repr));
    }
    EXPECT_EQ(add(r, fragment(wholes[0], 1480)[0]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, fragment(wholes[1], 1480)[0]).kind, Kind::incomplete);
    const auto out = add(r, fragment(wholes[2], 1480)[0]);
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::reassembly_limit);
    EXPECT_EQ(r.datagrams_in_progress(), 2u);
    EXPECT_EQ(r.bytes_buffered(), 2960u);

    // The two in progress still complete, and then there is room again.
    const auto f0 = fragment(wholes[0], 1480);
    add(r, f0[1]);
    expect_same_datagram(add(r, f0[2]), wholes[0], 3);
    const auto f2 = fragment(wholes[2], 1480);
    for (size_t i = 0; i < 2; ++i)
        EXPECT_EQ(add(r, f2[i]).kind, Kind::incomplete);
    expect_same_datagram(add(r, f2[2]), wholes[2], 3);
    EXPECT_EQ(r.datagrams_in_progress(), 1u);
    EXPECT_EQ(r.bytes_buffered(), 1480u);
}

TEST(Reassembly, MaxFragmentsDropsTheDatagram) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.max_fragments = 3}, pool};
    const Bytes whole = datagram(3000);

    // Exactly max_fragments fragments is fine.
    const auto three = fragment(whole, 1000);
    ASSERT_EQ(three.size(), 3u);
    add(r, three[0]);
    add(r, three[1]);
    expect_same_datagram(add(r, three[2]), whole, 3);

    // A fourth fragment is one too many.
    const auto four = fragment(whole, 800);
    ASSERT_EQ(four.size(), 4u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_EQ(add(r, four[i]).kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 2400u);
    const auto out = add(r, four[3]);
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::reassembly_limit);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, MaxBytesDropsTheDatagramThatWouldExceedIt) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.max_bytes = 4000}, pool};
    wire::Ipv4Repr ra = header_fields(3000);
    wire::Ipv4Repr rb = ra;
    rb.identification = 0x4321;
    const Bytes a = datagram(ra);
    const Bytes b = datagram(rb);
    const auto fa = fragment(a, 1480);
    const auto fb = fragment(b, 1480);

    EXPECT_EQ(add(r, fa[0]).kind, Kind::incomplete);
    EXPECT_EQ(add(r, fb[0]).kind, Kind::incomplete);
    EXPECT_EQ(r.bytes_buffered(), 2960u);
    const auto out = add(r, fb[1]);  // 4440 > 4000
    EXPECT_EQ(out.kind, Kind::dropped);
    EXPECT_EQ(out.reason, DropReason::reassembly_limit);
    EXPECT_EQ(r.bytes_buffered(), 1480u);  // b's bytes are released
    EXPECT_EQ(r.datagrams_in_progress(), 1u);

    // a still fits: 1480 + 1480 + 40 = 3000.
    EXPECT_EQ(add(r, fa[1]).kind, Kind::incomplete);
    expect_same_datagram(add(r, fa[2]), a, 3);
    EXPECT_EQ(r.bytes_buffered(), 0u);

    // A single fragment larger than the budget is refused outright.
    Reassembler tiny{ReassemblyConfig{.max_bytes = 1000}, pool};
    const auto big = add(tiny, fa[0]);
    EXPECT_EQ(big.kind, Kind::dropped);
    EXPECT_EQ(big.reason, DropReason::reassembly_limit);
    EXPECT_EQ(tiny.datagrams_in_progress(), 0u);
    EXPECT_EQ(tiny.bytes_buffered(), 0u);
}

TEST(Reassembly, DatagramsAreKeyedBySourceDestinationProtocolAndId) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{}, pool};
    const wire::Ipv4Repr base_repr = header_fields(2000);
    std::vector<wire::Ipv4Repr> reprs(5, base_repr);
    reprs[1].src = {10, 0, 0, 9};
    reprs[2].dst = {10, 0, 0, 9};
    reprs[3].protocol = wire::IpProtocol::tcp;
    reprs[4].identification = 0x1235;
    std::vector<Bytes> wholes;
    std::vector<std::vector<Bytes>> frags;
    for (size_t i = 0; i < reprs.size(); ++i) {
        Bytes w = datagram(reprs[i]);
        // Different contents, so a mix-up would show.
        for (size_t j = 20; j < w.size(); ++j)
            w[j] ^= std::byte(static_cast<uint8_t>(i * 37));
        wholes.push_back(w);
        frags.push_back(fragment(w, 1000));
        ASSERT_EQ(frags.back().size(), 2u);
    }
    for (size_t i = 0; i < reprs.size(); ++i)
        EXPECT_EQ(add(r, frags[i][0]).kind, Kind::incomplete) << i;
    EXPECT_EQ(r.datagrams_in_progress(), 5u);
    EXPECT_EQ(r.bytes_buffered(), 5000u);
    for (size_t i = reprs.size(); i-- > 0;) {
        SCOPED_TRACE(i);
        expect_same_datagram(add(r, frags[i][1]), wholes[i], 2);
        EXPECT_EQ(r.datagrams_in_progress(), i);
    }
    EXPECT_EQ(r.bytes_buffered(), 0u);
}

TEST(Reassembly, ByteAccountingReturnsToZeroOnEveryPath) {
    base::BufferPool pool;
    Reassembler r{ReassemblyConfig{.timeout = 1_s}, pool};
    const Bytes whole = datagram();
    const auto frags = fragment(whole, 1480);
    // Completed.
    add(r, frags[0]);
    add(r, frags[1]);
    add(r, frags[2]);
    EXPECT_EQ(r.bytes_buffered(), 0u);
    // Dropped by overlap.
    add(r, frags[0]);
    add(r, raw_fragment(header_fields(0), 0, 8, true));
    EXPECT_EQ(r.bytes_buffered(), 0u);
    // Timed out.
    add(r, frags[1], t0);
    r.poll(t0 + 1_s, [](base::ByteSpan, size_t) {});
    EXPECT_EQ(r.bytes_buffered(), 0u);
    EXPECT_EQ(r.datagrams_in_progress(), 0u);
    // Every buffer went back to the pool.
    EXPECT_EQ(pool.stats().outstanding, 0u);
}

}  // namespace
