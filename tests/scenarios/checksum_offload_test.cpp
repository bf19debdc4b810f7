// Checksum offload inside the simulator (stack::HostConfig::checksum_offload):
// TCP leaves its checksums pending for the "device", and a receiver trusts a
// segment that never left the process. Nothing may be lost by it: damage on a
// wire is still caught, and whatever shows a frame shows it whole.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "harness.hpp"
#include "socket/tcp.hpp"
#include "wire/ethernet.hpp"
#include "wire/ipv4.hpp"
#include "wire/tcp.hpp"

namespace {

using scenario::Scenario;
using namespace base::literals;

// client —(100 Mbit/s, 2 ms)— r —(100 Mbit/s, 2 ms, impairments)— server
std::string path(const std::string& impairments = "") {
    return R"(
seed: 9
hosts:
  client: {gateway: 10.1.0.254}
  server: {gateway: 10.2.0.254}
routers: {r: {}}
links:
  - {ends: [client, r], addresses: [10.1.0.1/24, 10.1.0.254/24], bandwidth: 100Mbit, delay: 2ms}
  - {ends: [r, server], addresses: [10.2.0.254/24, 10.2.0.1/24], bandwidth: 100Mbit, delay: 2ms)" +
           impairments + "}\n";
}

std::byte pattern(size_t i) {
    return static_cast<std::byte>((i * 7 + i / 251) & 0xff);
}

struct Received {
    std::vector<std::byte> bytes;
    bool done = false;
    uint64_t bad_checksums = 0;  // segments the server's TCP refused
};

// The client sends `n` bytes of the pattern and closes; the server reads
// until the end of the stream.
Received send_pattern(Scenario& s, size_t n) {
    Received got;
    sockets::Runtime server(s.node("server").host());
    sockets::Runtime client(s.node("client").host());
    server.spawn([](sockets::Runtime& rt, Received* out) -> sockets::Task<void> {
        auto listener = sockets::TcpListener::listen(rt, {wire::Ipv4Address::any(), 7000});
        if (!listener) co_return;
        auto stream = co_await listener->accept();
        if (!stream) co_return;
        while (true) {
            auto chunk = co_await stream->receive(65536);
            if (!chunk || chunk->empty()) break;
            out->bytes.insert(out->bytes.end(), chunk->bytes().begin(), chunk->bytes().end());
        }
        out->done = true;
    }(server, &got));
    const wire::Ipv4Address to = s.address("server");
    client.spawn(
        [](sockets::Runtime& rt, wire::Ipv4Address dst, size_t len) -> sockets::Task<void> {
            auto stream = co_await sockets::TcpStream::connect(rt, {dst, 7000});
            if (!stream) co_return;
            std::vector<std::byte> data(len);
            for (size_t i = 0; i < len; ++i)
                data[i] = pattern(i);
            auto sent = co_await stream->send(data);
            if (!sent) co_return;
            auto closed = co_await stream->close();
            (void)closed;
        }(client, to, n));
    s.node("server").wake();
    s.node("client").wake();
    s.sim().run_until([&] { return got.done; }, s.sim().now() + 600_s);
    EXPECT_TRUE(got.done) << "the server did not read to the end";
    got.bad_checksums = server.tcp().stats().bad_checksum;
    got.bytes.resize(std::min(got.bytes.size(), n + 1));
    return got;
}

void expect_pattern(const Received& got, size_t n) {
    ASSERT_EQ(got.bytes.size(), n);
    for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(got.bytes[i], pattern(i)) << "byte " << i;
}

// Nothing traced, so TCP's checksums stay pending from sender to receiver —
// except where a link damages a frame: it completes the checksum first, and
// the receiver, summing what it got, drops the damaged segment.
TEST(ChecksumOffload, DamageOnAWireIsStillCaughtWithNothingTraced) {
    Scenario s(path(", corrupt: 3%"));
    const size_t n = 3'000'000;
    const Received got = send_pattern(s, n);
    expect_pattern(got, n);
    const sim::Link& damaged = *s.net().find_link("r-server");
    EXPECT_GT(damaged.stats(0).corrupted, 20u) << "the link did damage segments";
    // Bits flipped in a segment's TCP header or data: TCP's checksum, left
    // pending by the client, was summed before the damage and catches it.
    EXPECT_GT(got.bad_checksums, 5u);
}

// Without impairments nothing is summed on the way, and the bytes still
// arrive exactly as sent.
TEST(ChecksumOffload, AnUndamagedTransferArrivesWhole) {
    Scenario s(path());
    const size_t n = 2'000'000;
    const Received got = send_pattern(s, n);
    expect_pattern(got, n);
    EXPECT_EQ(got.bad_checksums, 0u);
}

// A capture wants the frames whole: every TCP segment in it has a valid
// checksum (tshark checks), on every interface, though the run carried
// them pending.
TEST(ChecksumOffload, CapturesHoldCompleteChecksums) {
    const auto dir = std::filesystem::temp_directory_path() / "minternet-scenarios-offload";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        Scenario s(path(), {.capture_dir = dir.string()});
        const size_t n = 300'000;
        expect_pattern(send_pattern(s, n), n);
        s.flush();
    }
    size_t files = 0;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        ++files;
        const std::string cmd = "tshark -n -o tcp.check_checksum:TRUE -r '" + f.path().string() +
                                "' -Y 'tcp' 2>/dev/null | wc -l; tshark -n -o "
                                "tcp.check_checksum:TRUE -r '" +
                                f.path().string() +
                                "' -Y 'tcp.checksum.status != 1' 2>/dev/null | wc -l";
        std::FILE* p = popen(cmd.c_str(), "r");
        ASSERT_NE(p, nullptr);
        unsigned long tcp = 0, bad = 0;
        const int read = std::fscanf(p, "%lu %lu", &tcp, &bad);
        pclose(p);
        ASSERT_EQ(read, 2) << f.path();
        EXPECT_GT(tcp, 100u) << f.path() << ": TCP segments in the capture";
        EXPECT_EQ(bad, 0u) << f.path() << ": segments without a good checksum";
    }
    EXPECT_EQ(files, 4u);
}

}  // namespace
