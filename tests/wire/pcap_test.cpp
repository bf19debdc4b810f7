#include "wire/pcap.hpp"

#include <gtest/gtest.h>

#include "testing/data.hpp"

namespace {

using testing_support::from_hex;

TEST(Pcap, WriteThenRead) {
    std::vector<std::byte> file;
    wire::pcap::append_file_header(file);
    const auto frame1 = from_hex("ffffffffffff0200000000010806");
    const auto frame2 = from_hex("020000000001020000000002080045");
    wire::pcap::append_record(file, 1'500'000'123, frame1);
    wire::pcap::append_record(file, 2'000'000'000, frame2);
    EXPECT_EQ(file.size(), 24u + 16 + 14 + 16 + 15);

    auto reader = wire::pcap::Reader::open(file);
    ASSERT_TRUE(reader);
    EXPECT_TRUE(reader->header().nanosecond);
    EXPECT_EQ(reader->header().linktype, wire::pcap::linktype_ethernet);
    auto r1 = reader->next();
    ASSERT_TRUE(r1 && *r1);
    EXPECT_EQ((*r1)->timestamp_ns, 1'500'000'123);
    EXPECT_TRUE(base::equal_bytes((*r1)->data, frame1));
    auto r2 = reader->next();
    ASSERT_TRUE(r2 && *r2);
    EXPECT_EQ((*r2)->original_len, 15u);
    auto end = reader->next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
}

// A big-endian microsecond file as older tools write it.
TEST(Pcap, ReadsBigEndianMicroseconds) {
    const auto file = from_hex(
        "a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001"
        "00000002 000003e8 00000003 00000040 aabbcc");
    auto reader = wire::pcap::Reader::open(file);
    ASSERT_TRUE(reader);
    EXPECT_TRUE(reader->header().big_endian);
    EXPECT_FALSE(reader->header().nanosecond);
    auto r = reader->next();
    ASSERT_TRUE(r && *r);
    EXPECT_EQ((*r)->timestamp_ns, 2'001'000'000);
    EXPECT_EQ((*r)->data.size(), 3u);
    EXPECT_EQ((*r)->original_len, 64u);
}

TEST(Pcap, RejectsBadFiles) {
    EXPECT_EQ(wire::pcap::Reader::open(from_hex("a1b2c3d4")).error(), wire::Error::truncated);
    auto not_pcap = from_hex("0a0d0d0a 00000000 00000000 00000000 00000000 00000000");  // pcapng
    EXPECT_EQ(wire::pcap::Reader::open(not_pcap).error(), wire::Error::bad_magic);

    std::vector<std::byte> file;
    wire::pcap::append_file_header(file);
    wire::pcap::append_record(file, 0, from_hex("0102030405"));
    auto cut = file;
    cut.pop_back();
    auto reader = wire::pcap::Reader::open(cut);
    EXPECT_EQ(reader->next().error(), wire::Error::truncated);

    auto lying = file;
    base::store_u8(lying, 24 + 12, 4);  // original length (LE) 4 < captured 5
    auto r2 = wire::pcap::Reader::open(lying);
    EXPECT_EQ(r2->next().error(), wire::Error::bad_length);
}

TEST(Pcap, SnaplenCutsLongFrames) {
    std::vector<std::byte> file;
    wire::pcap::append_file_header(file, 4);
    wire::pcap::append_record(file, 0, from_hex("0102030405060708"), 4);
    auto reader = wire::pcap::Reader::open(file);
    auto r = reader->next();
    ASSERT_TRUE(r && *r);
    EXPECT_EQ((*r)->data.size(), 4u);
    EXPECT_EQ((*r)->original_len, 8u);
}

}  // namespace
