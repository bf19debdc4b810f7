#include "tcp/out_of_order.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace {

using tcp::OutOfOrder;

std::string drain(OutOfOrder& o, uint64_t next) {
    std::string got;
    o.take(next, [&](base::ByteSpan b) {
        got += base::as_chars(b);
        return b.size();
    });
    return got;
}

TEST(OutOfOrder, DeliversOnceTheGapFills) {
    OutOfOrder o(1000);
    EXPECT_EQ(o.add(3, base::as_bytes("def")), 3u);
    EXPECT_EQ(o.add(9, base::as_bytes("jk")), 2u);
    EXPECT_EQ(drain(o, 0), "") << "bytes 0–2 are missing";
    EXPECT_EQ(drain(o, 3), "def");
    EXPECT_EQ(drain(o, 6), "") << "a new gap at 6–8";
    EXPECT_EQ(drain(o, 9), "jk");
    EXPECT_TRUE(o.empty());
    EXPECT_EQ(o.bytes(), 0u);
}

TEST(OutOfOrder, DuplicatesAndOverlapsAreTrimmed) {
    OutOfOrder o(1000);
    o.add(10, base::as_bytes("KLMN"));
    EXPECT_EQ(o.add(10, base::as_bytes("KLMN")), 0u) << "duplicate";
    EXPECT_EQ(o.add(8, base::as_bytes("IJKLMNOP")), 4u) << "only IJ and OP are new";
    EXPECT_EQ(o.bytes(), 8u);
    EXPECT_EQ(drain(o, 8), "IJKLMNOP");
}

TEST(OutOfOrder, StaleDataIsDiscardedAndPartlyStaleTrimmed) {
    OutOfOrder o(1000);
    o.add(5, base::as_bytes("fgh"));
    o.add(20, base::as_bytes("uvw"));
    EXPECT_EQ(drain(o, 6), "gh") << "byte 5 came some other way";
    EXPECT_EQ(drain(o, 30), "") << "everything before 30 is old";
    EXPECT_TRUE(o.empty());
}

TEST(OutOfOrder, BoundedInBytes) {
    OutOfOrder o(5);
    EXPECT_EQ(o.add(10, base::as_bytes("abc")), 3u);
    EXPECT_EQ(o.add(20, base::as_bytes("defgh")), 2u) << "room for two more";
    EXPECT_EQ(o.bytes(), 5u);
    EXPECT_EQ(o.add(30, base::as_bytes("x")), 0u);
}

TEST(OutOfOrder, ASinkThatTakesLessKeepsTheRest) {
    OutOfOrder o(100);
    o.add(0, base::as_bytes("abcdef"));
    std::string got;
    const size_t taken = o.take(0, [&](base::ByteSpan b) {
        const size_t n = std::min<size_t>(b.size(), 4);
        got += base::as_chars(b.first(n));
        return n;
    });
    EXPECT_EQ(taken, 4u);
    EXPECT_EQ(got, "abcd");
    EXPECT_EQ(o.bytes(), 2u);
    EXPECT_EQ(drain(o, 4), "ef");
}

TEST(OutOfOrder, SackBlocksPutTheLatestArrivalFirst) {
    OutOfOrder o(100);
    o.add(10, base::as_bytes("aa"));
    o.add(20, base::as_bytes("bb"));
    o.add(12, base::as_bytes("cc"));  // joins 10–12 into 10–14, and is the latest
    o.add(30, base::as_bytes("dd"));
    o.add(40, base::as_bytes("ee"));
    const auto b = o.blocks(3);
    ASSERT_EQ(b.size(), 3u);
    EXPECT_EQ(b[0].begin, 40u);
    EXPECT_EQ(b[0].end, 42u);
    EXPECT_EQ(b[1].begin, 10u);
    EXPECT_EQ(b[1].end, 14u);
    EXPECT_EQ(b[2].begin, 20u);
}

// Whatever the order and overlaps of the pieces, the stream comes out whole.
RC_GTEST_PROP(OutOfOrder, AnyArrivalOrderGivesTheStream, ()) {
    const std::string stream = *rc::gen::container<std::string>(rc::gen::inRange('a', 'z'));
    RC_PRE(!stream.empty());
    OutOfOrder o(stream.size() * 2);
    std::string got;
    uint64_t next = 0;
    const auto sink = [&](base::ByteSpan b) {
        got += base::as_chars(b);
        next += b.size();
        return b.size();
    };
    const size_t pieces = *rc::gen::inRange<size_t>(1, 40);
    for (size_t i = 0; i < pieces || next < stream.size(); ++i) {
        const size_t at = *rc::gen::inRange<size_t>(0, stream.size());
        const size_t len = *rc::gen::inRange<size_t>(1, stream.size() - at + 1);
        if (at <= next && next < at + len) {  // in order: the connection takes it directly
            const std::string fresh = stream.substr(next, at + len - next);
            sink(base::as_bytes(fresh));
        } else if (at > next) {
            o.add(at, base::as_bytes(std::string_view(stream).substr(at, len)));
        }
        o.take(next, sink);
        if (i > 1000) break;
    }
    if (next < stream.size()) sink(base::as_bytes(std::string_view(stream).substr(next)));
    o.take(next, sink);
    RC_ASSERT(got == stream);
    RC_ASSERT(o.empty());
}

}  // namespace
