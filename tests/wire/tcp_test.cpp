#include "wire/tcp.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "base/buffer.hpp"
#include "testing/data.hpp"
#include "testing/generators.hpp"
#include "wire/checksum.hpp"

namespace {

using testing_support::from_hex;
using wire::Error;
using wire::SeqNum;
using wire::TcpFlags;
using wire::TcpRepr;
using wire::TcpView;

const wire::Ipv4Address src{10, 0, 0, 1};
const wire::Ipv4Address dst{10, 0, 0, 2};

std::vector<std::byte> emit(const TcpRepr& r) {
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, src, dst);
    return b;
}

// A header with the given options (hex) and a correct checksum.
std::vector<std::byte> segment_with_options(std::string_view options_hex) {
    auto b = from_hex("c000 0050 00000001 00000000 0000 ffff 0000 0000");
    const auto opts = from_hex(options_hex);
    b.insert(b.end(), opts.begin(), opts.end());
    base::store_u8(b, 12, static_cast<uint8_t>((b.size() / 4) << 4));
    base::store_u8(b, 13, TcpFlags::syn);
    wire::checksum::Accumulator acc;
    wire::checksum::add_pseudo_header(acc, src, dst, 6, static_cast<uint16_t>(b.size()));
    acc.add(b);
    base::store_be16(b, 16, acc.finish());
    return b;
}

Error parse_error(const std::vector<std::byte>& b) {
    auto v = TcpView::parse(b);
    if (!v) return v.error();
    auto r = TcpRepr::parse(*v, src, dst);
    EXPECT_FALSE(r) << "expected a parse error";
    return r ? Error::unsupported : r.error();
}

TEST(Tcp, EveryHeaderField) {
    const TcpRepr r{.src_port = 49152,
                    .dst_port = 80,
                    .seq = SeqNum{0x01020304},
                    .ack = SeqNum{0xa0b0c0d0},
                    .flags = TcpFlags{TcpFlags::ack | TcpFlags::psh | TcpFlags::urg | TcpFlags::ns},
                    .window = 0x1234,
                    .urgent_pointer = 3,
                    .payload = base::as_bytes("Hello!")};
    const auto b = emit(r);
    EXPECT_EQ(b.size(), 26u);
    EXPECT_EQ(base::load_be16(b, 0), 49152);
    EXPECT_EQ(base::load_be32(b, 4), 0x01020304u);
    EXPECT_EQ(base::load_be32(b, 8), 0xa0b0c0d0u);
    EXPECT_EQ(base::load_be16(b, 12), (5 << 12) | 0x138);
    EXPECT_EQ(base::load_be16(b, 14), 0x1234);
    EXPECT_EQ(base::load_be16(b, 18), 3);
    auto v = TcpView::parse(b);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->checksum_valid(src, dst));
    EXPECT_EQ(v->flags().to_string(), "PSH, ACK, URG, NS");
    EXPECT_EQ(TcpRepr::parse(*v, src, dst).value(), r);
}

// Linux's SYN options: MSS, SACK-permitted, timestamps, NOP, window scale.
TEST(Tcp, ParsesLinuxSynOptions) {
    const auto b = segment_with_options("020405b4 0402 080a 0011aabb 00000000 01 030307");
    auto r = TcpRepr::parse(*TcpView::parse(b), src, dst);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->mss, 1460);
    EXPECT_TRUE(r->sack_permitted);
    ASSERT_TRUE(r->timestamps);
    EXPECT_EQ(r->timestamps->value, 0x0011aabbu);
    EXPECT_EQ(r->timestamps->echo_reply, 0u);
    EXPECT_EQ(r->window_scale, 7);
    EXPECT_EQ(r->sequence_len(), 1u);
}

TEST(Tcp, ParsesSackBlocksAndSkipsUnknownOptions) {
    // An unknown kind 30 (MPTCP) with 4 bytes, then NOP NOP SACK with two blocks.
    const auto b = segment_with_options("1e04abcd 0101 0512 00000064 000000c8 0000012c 00000190");
    auto r = TcpRepr::parse(*TcpView::parse(b), src, dst);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->sack_blocks.size(), 2u);
    EXPECT_EQ(r->sack_blocks[0], (wire::TcpSackBlock{SeqNum{100}, SeqNum{200}}));
    EXPECT_EQ(r->sack_blocks[1], (wire::TcpSackBlock{SeqNum{300}, SeqNum{400}}));
}

TEST(Tcp, EndOfOptionsStopsParsing) {
    const auto b = segment_with_options("00 020405b4 000000");  // EOL before an MSS
    auto r = TcpRepr::parse(*TcpView::parse(b), src, dst);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->mss);
}

TEST(Tcp, RejectsMalformedOptions) {
    EXPECT_EQ(parse_error(segment_with_options("01010102")), Error::option_overrun)
        << "kind without a length byte";
    EXPECT_EQ(parse_error(segment_with_options("020805b4")), Error::option_overrun)
        << "length past the header";
    EXPECT_EQ(parse_error(segment_with_options("0201 0000")), Error::bad_option_length);
    EXPECT_EQ(parse_error(segment_with_options("0200 0000")), Error::bad_option_length)
        << "zero length would loop forever";
    EXPECT_EQ(parse_error(segment_with_options("020305 00")), Error::bad_option_length)
        << "MSS must be 4 bytes";
    EXPECT_EQ(parse_error(segment_with_options("0304 0700")), Error::bad_option_length);
    EXPECT_EQ(parse_error(segment_with_options("0403 0000")), Error::bad_option_length);
    EXPECT_EQ(parse_error(segment_with_options("080c 00000000 00000000 0000 0000")),
              Error::bad_option_length);
    EXPECT_EQ(parse_error(segment_with_options("050b 00000001 00000002 00 0000")),
              Error::bad_option_length)
        << "SACK length must be 2 + 8n";
    EXPECT_EQ(parse_error(segment_with_options("0502 0000")), Error::bad_option_length)
        << "SACK with no block";
}

TEST(Tcp, RejectsBadHeaderLengthAndTruncation) {
    auto b = emit({.src_port = 1, .dst_port = 2, .payload = base::as_bytes("abc")});
    EXPECT_EQ(TcpView::parse(base::ByteSpan{b}.first(19)).error(), Error::truncated);
    auto low = b;
    base::store_u8(low, 12, 4 << 4);
    EXPECT_EQ(TcpView::parse(low).error(), Error::bad_header_length);
    auto high = b;
    base::store_u8(high, 12, 15 << 4);  // 60 bytes of header, 23 bytes given
    EXPECT_EQ(TcpView::parse(high).error(), Error::truncated);
    auto flipped = b;
    flipped[21] ^= std::byte{0x01};
    EXPECT_EQ(TcpRepr::parse(*TcpView::parse(flipped), src, dst).error(), Error::bad_checksum);
    EXPECT_TRUE(TcpRepr::parse(*TcpView::parse(flipped), src, dst, wire::ChecksumCheck::ignore));
}

// The kernel's order (tcp_options_write): MSS, then SACK-permitted folded
// into the timestamps' word (or two NOPs), then NOP and window scale.
TEST(Tcp, OptionsLaidOutLikeLinux) {
    TcpRepr syn{.flags = TcpFlags{TcpFlags::syn},
                .mss = 1460,
                .window_scale = 7,
                .sack_permitted = true,
                .timestamps = wire::TcpTimestamps{1, 0}};
    EXPECT_EQ(syn.header_len(), 40u);
    auto options = [&] { return testing_support::to_hex(base::ByteSpan{emit(syn)}.subspan(20)); };
    EXPECT_EQ(options(), "020405b40402080a000000010000000001030307");
    syn.timestamps.reset();
    EXPECT_EQ(options(), "020405b40101040201030307");
    syn.sack_permitted = false;
    syn.timestamps = wire::TcpTimestamps{1, 0};
    EXPECT_EQ(options(), "020405b40101080a000000010000000001030307");
}

// With timestamps only three SACK blocks fit in the 40 bytes of options.
TEST(Tcp, SackBlocksBeyondTheOptionSpaceAreDropped) {
    TcpRepr r{.flags = TcpFlags{TcpFlags::ack}, .timestamps = wire::TcpTimestamps{5, 6}};
    for (uint32_t i = 0; i < 4; ++i)
        r.sack_blocks.push_back({SeqNum{i * 100}, SeqNum{i * 100 + 50}});
    EXPECT_EQ(r.sack_blocks_that_fit(), 3u);
    EXPECT_EQ(r.header_len(), 20u + 12u + 4u + 24u);
    auto parsed = TcpRepr::parse(*TcpView::parse(emit(r)), src, dst);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->sack_blocks.size(), 3u);
    EXPECT_EQ(parsed->sack_blocks[2].left, SeqNum{200});
    r.timestamps.reset();
    EXPECT_EQ(r.sack_blocks_that_fit(), 4u);
}

TEST(Tcp, PayloadAlreadyInPlace) {
    const TcpRepr r{.src_port = 7, .dst_port = 8, .mss = 536};
    std::vector<std::byte> b(r.header_len() + 5);
    base::copy_bytes(base::MutableByteSpan{b}.subspan(r.header_len()), base::as_bytes("hello"));
    TcpRepr in_place = r;
    in_place.payload = base::ByteSpan{b}.subspan(r.header_len());
    in_place.emit(b, src, dst);
    auto parsed = TcpRepr::parse(*TcpView::parse(b), src, dst);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(base::as_chars(parsed->payload), "hello");
}

RC_GTEST_PROP(Tcp, EmitParseRoundTrip, ()) {
    TcpRepr r = *testing_support::gen::tcp_repr();
    const auto payload = *testing_support::gen::bytes(1460);
    r.payload = payload;
    const auto a = *testing_support::gen::ipv4_address();
    const auto z = *testing_support::gen::ipv4_address();
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, a, z);
    auto v = TcpView::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->header_len() == r.header_len());
    RC_ASSERT(v->checksum_valid(a, z));
    RC_ASSERT(TcpRepr::parse(*v, a, z).value() == r);
}

// Checksum offload: a segment emitted with only the pseudo-header's sum in its
// checksum field, completed later over the buffer, is byte for byte the
// segment emitted with its checksum.
TEST(Tcp, PendingChecksumCompletesToTheFullOne) {
    base::BufferPool pool;
    const wire::Ipv4Address from(10, 0, 0, 1), to(192, 168, 7, 9);
    for (size_t len : {0u, 1u, 2u, 3u, 1447u, 1448u}) {
        std::vector<std::byte> data(len);
        for (size_t i = 0; i < len; ++i)
            data[i] = static_cast<std::byte>(i * 31 + 5);
        const TcpRepr seg{.src_port = 40000,
                          .dst_port = 80,
                          .seq = SeqNum{0x01020304},
                          .ack = SeqNum{7},
                          .flags = TcpFlags{TcpFlags::ack | TcpFlags::psh},
                          .window = 512,
                          .timestamps = wire::TcpTimestamps{1, 2},
                          .payload = data};
        std::vector<std::byte> full(seg.buffer_len());
        seg.emit(full, from, to);
        base::PacketBuffer p = pool.acquire();
        seg.emit(p.append(seg.buffer_len()), from, to, wire::ChecksumFill::pseudo_header);
        p.set_checksum_pending(0, wire::tcp::field::checksum.begin);
        p.prepend(20);  // an IP header in front moves nothing that matters
        wire::checksum::complete_pending(p);
        EXPECT_FALSE(p.checksum_pending());
        const auto got = p.bytes().subspan(20);
        ASSERT_TRUE(std::equal(got.begin(), got.end(), full.begin(), full.end())) << len;
        wire::checksum::complete_pending(p);  // nothing pending: no change
        EXPECT_TRUE(std::equal(got.begin(), got.end(), full.begin(), full.end())) << len;
    }
}

RC_GTEST_PROP(Tcp, Ipv6EmitParseRoundTrip, ()) {
    TcpRepr r = *testing_support::gen::tcp_repr();
    const auto payload = *testing_support::gen::bytes(1440);
    r.payload = payload;
    const auto a = *testing_support::gen::ipv6_address();
    const auto z = *testing_support::gen::ipv6_address();
    std::vector<std::byte> b(r.buffer_len());
    r.emit(b, a, z);
    auto v = TcpView::parse(b);
    RC_ASSERT(v.has_value());
    RC_ASSERT(v->checksum_valid(a, z));
    RC_ASSERT(TcpRepr::parse(*v, a, z).value() == r);
    // One byte of the destination changed moves the sum by less than 0xffff:
    // the checksum no longer verifies.
    auto other = z.bytes();
    other[15] = static_cast<uint8_t>(other[15] + 1);
    RC_ASSERT(!v->checksum_valid(a, wire::Ipv6Address{other}));
}

// The same over IPv6: the pending field holds the IPv6 pseudo-header's sum.
TEST(Tcp, Ipv6PendingChecksumCompletesToTheFullOne) {
    base::BufferPool pool;
    const auto from = wire::Ipv6Address::parse("2001:db8:99:1::1").value();
    const auto to = wire::Ipv6Address::parse("fe80::ff:fe00:102").value();
    for (size_t len : {0u, 1u, 1427u, 1428u}) {
        std::vector<std::byte> data(len, std::byte{0x5a});
        const TcpRepr seg{.src_port = 40000,
                          .dst_port = 80,
                          .seq = SeqNum{99},
                          .flags = TcpFlags{TcpFlags::ack},
                          .window = 512,
                          .payload = data};
        std::vector<std::byte> full(seg.buffer_len());
        seg.emit(full, from, to);
        base::PacketBuffer p = pool.acquire();
        seg.emit(p.append(seg.buffer_len()), from, to, wire::ChecksumFill::pseudo_header);
        p.set_checksum_pending(0, wire::tcp::field::checksum.begin);
        p.prepend(40);
        wire::checksum::complete_pending(p);
        const auto got = p.bytes().subspan(40);
        EXPECT_TRUE(std::equal(got.begin(), got.end(), full.begin(), full.end())) << len;
    }
}

}  // namespace
