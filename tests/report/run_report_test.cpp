// The report's data, from typed events handed to it as the network's taps
// would, on a small network: client - r1 - server. The first SYN is lost on
// r1-server and sent again; the handshake completes and "Hello!" goes out.
#include "report/run_report.hpp"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"
#include "testing/frames.hpp"

namespace {

using base::Time;
using tcp::Reason;
using wire::Ipv4Address;
using wire::TcpFlags;

constexpr const char* topology = R"(
name: small
hosts:
  client: {gateway: 10.0.0.254}
  server: {gateway: 10.0.1.254}
routers:
  r1: {}
links:
  - ends: [client, r1]
    addresses: [10.0.0.1/24, 10.0.0.254/24]
  - ends: [r1, server]
    addresses: [10.0.1.254/24, 10.0.1.2/24]
    loss: 1%
)";
// Hosts first: client 0, server 1, r1 2. Links: client-r1 0, r1-server 1.
constexpr sim::NodeIndex client_node = 0, server_node = 1, r1 = 2;
const Ipv4Address client_address{10, 0, 0, 1};
const Ipv4Address server_address{10, 0, 1, 2};
const tcp::Tuple client_side{client_address, 40000, server_address, 80};
const tcp::Tuple server_side{server_address, 80, client_address, 40000};

Time ms(int64_t n) {
    return Time::zero() + base::Duration::milliseconds(n);
}

class RunReportTest : public ::testing::Test {
  protected:
    RunReportTest() : sim_(base::Seed{1}) {
        auto t = sim::parse_topology(topology, "small.yaml");
        EXPECT_TRUE(t) << t.error().to_string();
        topology_ = *t;
        auto net = sim::Network::build(sim_, topology_);
        EXPECT_TRUE(net) << net.error();
        net_ = std::move(*net);
        report_ = std::make_unique<report::RunReport>(*net_);
    }

    wire::TcpRepr segment(const tcp::Tuple& c, uint16_t flags, uint32_t seq, uint32_t ack,
                          std::string_view data = {}) {
        return {.src_port = c.local_port,
                .dst_port = c.remote_port,
                .seq = wire::SeqNum{seq},
                .ack = wire::SeqNum{ack},
                .flags = TcpFlags{flags},
                .window = 65535,
                .payload = base::as_bytes(data)};
    }
    // The frame carrying `seg` from the end of `c` that is local, IP id `id`.
    std::vector<std::byte> frame(const tcp::Tuple& c, const wire::TcpRepr& seg, uint16_t id) {
        return testing_support::tcp_frame(
            {.src = c.local_address.v4(), .dst = c.remote_address.v4(), .id = id}, seg);
    }
    void tcp_sent(int64_t t, sim::NodeIndex node, const tcp::Tuple& c, const wire::TcpRepr& seg,
                  Reason why) {
        report_->event(sim::ev::TcpSegment{ms(t), node, c, true, &seg, why});
    }
    void sent(int64_t t, sim::NodeIndex node, stack::InterfaceId iface,
              const std::vector<std::byte>& f) {
        report_->event(sim::ev::FrameSent{ms(t), node, iface, f});
    }
    void received(int64_t t, sim::NodeIndex node, const std::vector<std::byte>& f) {
        report_->event(sim::ev::FrameReceived{ms(t), node, 0, f});
    }

    // Client 10.0.0.1:40000 opens to server 10.0.1.2:80; the first SYN is lost.
    void story() {
        const auto syn = segment(client_side, TcpFlags::syn, 5000, 0);
        tcp_sent(0, client_node, client_side, syn, Reason::syn);
        const auto syn1 = frame(client_side, syn, 1);
        sent(0, client_node, 0, syn1);
        received(1, r1, syn1);
        sent(1, r1, 1, syn1);
        report_->event(sim::ev::LinkDropped{ms(2), 1, 0, stack::DropReason::loss, syn1});

        tcp_sent(1000, client_node, client_side, syn, Reason::syn);
        const auto syn2 = frame(client_side, syn, 2);
        sent(1000, client_node, 0, syn2);
        sent(1001, r1, 1, syn2);
        received(1002, server_node, syn2);

        const auto syn_ack = segment(server_side, TcpFlags::syn | TcpFlags::ack, 900, 5001);
        tcp_sent(1002, server_node, server_side, syn_ack, Reason::syn_ack);
        const auto synack = frame(server_side, syn_ack, 7);
        sent(1002, server_node, 0, synack);
        sent(1003, r1, 0, synack);
        received(1004, client_node, synack);
        report_->event(sim::ev::TcpSegment{ms(1004), client_node, client_side, false, &syn_ack,
                                           Reason::syn_ack});
        report_->event(sim::ev::TcpWindow{ms(1004), client_node, client_side, 14480, 0xffffffff,
                                          base::Duration::milliseconds(20)});
        const auto hello = segment(client_side, TcpFlags::psh | TcpFlags::ack, 5001, 901, "Hello!");
        tcp_sent(1004, client_node, client_side, hello, Reason::new_data);
        sent(1004, client_node, 0, frame(client_side, hello, 3));
    }

    nlohmann::json data() {
        return report_->data({.name = "small", .seed = 1, .end = ms(2000), .summary = {}});
    }

    sim::Simulator sim_;
    sim::Topology topology_;
    std::unique_ptr<sim::Network> net_;
    std::unique_ptr<report::RunReport> report_;
};

TEST_F(RunReportTest, PacketsAreNumberedAsExplainDoesAndKnowTheirPathAndFate) {
    story();
    const nlohmann::json d = data();
    const nlohmann::json& p = d["packets"];
    ASSERT_EQ(p.size(), 7u);  // every frame any node sent
    EXPECT_EQ(d["packets_total"], 7);

    // The first SYN: sent by the client, forwarded by r1, lost on r1-server.
    EXPECT_EQ(p[0]["n"], 1);
    EXPECT_TRUE(p[0]["e2e"]);
    EXPECT_EQ(p[0]["from"], "client");
    EXPECT_EQ(p[0]["to"], "server");
    EXPECT_EQ(p[0]["link"], "client-r1");
    EXPECT_EQ(p[0]["label"], "SYN seq=0");
    EXPECT_EQ(p[0]["fate"], "lost");
    EXPECT_EQ(p[0]["lost"]["link"], "r1-server");
    EXPECT_EQ(p[0]["lost"]["node"], "r1");
    EXPECT_EQ(p[0]["path"], nlohmann::json({"client", "r1"}));
    EXPECT_FALSE(p[0]["retransmission"]);
    // r1's copy is not a packet of the conversation.
    EXPECT_FALSE(p[1]["e2e"]);
    EXPECT_EQ(p[1]["node"], "r1");
    EXPECT_EQ(p[1]["link"], "r1-server");

    // The SYN again: a retransmission that arrives.
    EXPECT_TRUE(p[2]["retransmission"]);
    EXPECT_EQ(p[2]["fate"], "delivered");
    EXPECT_EQ(p[2]["arrived_ns"], ms(1002).ns());
    EXPECT_EQ(p[2]["path"], nlohmann::json({"client", "r1", "server"}));
    EXPECT_TRUE(p[2]["lost"].is_null());

    EXPECT_EQ(p[4]["label"], "SYN, ACK seq=0 ack=1");
    EXPECT_EQ(p[4]["conn"], "10.0.1.2:80-10.0.0.1:40000");
    EXPECT_EQ(p[6]["label"], R"(PSH, ACK seq=1 ack=1 6 bytes "Hello!")");
    EXPECT_EQ(p[6]["fate"], "unknown");  // still on its way when the run ended

    EXPECT_EQ(d["lanes"], nlohmann::json({"client", "server"}));
}

TEST_F(RunReportTest, ConnectionsHaveBothSidesWithRelativeNumbers) {
    story();
    const nlohmann::json d = data();
    ASSERT_EQ(d["connections"].size(), 1u);
    const nlohmann::json& c = d["connections"][0];
    EXPECT_EQ(c["name"], "10.0.0.1:40000 -> 10.0.1.2:80");
    ASSERT_EQ(c["sides"].size(), 2u);
    const nlohmann::json& client = c["sides"][0];
    EXPECT_EQ(client["node"], "client");
    ASSERT_EQ(client["segments"].size(), 3u);
    EXPECT_EQ(client["segments"][0]["seq"], 0);
    EXPECT_TRUE(client["segments"][0]["lost"]);
    EXPECT_EQ(client["segments"][0]["packet"], 1);
    EXPECT_TRUE(client["segments"][1]["retransmission"]);
    EXPECT_FALSE(client["segments"][1]["lost"]);
    EXPECT_EQ(client["segments"][2]["seq"], 1);
    EXPECT_EQ(client["segments"][2]["len"], 6);
    ASSERT_EQ(client["acks"].size(), 1u);
    EXPECT_EQ(client["acks"][0]["ack"], 1);
    EXPECT_EQ(client["acks"][0]["packet"], 5);  // the SYN+ACK as the server sent it
    ASSERT_EQ(client["window"].size(), 1u);
    EXPECT_EQ(client["window"][0]["cwnd"], 14480);
    EXPECT_TRUE(client["window"][0]["ssthresh"].is_null());
    EXPECT_EQ(client["window"][0]["srtt_ns"], 20'000'000);
    const nlohmann::json& server = c["sides"][1];
    EXPECT_EQ(server["node"], "server");
    ASSERT_EQ(server["segments"].size(), 1u);
    EXPECT_EQ(server["segments"][0]["flags"], "SYN, ACK");
    EXPECT_EQ(server["segments"][0]["seq"], 0);
}

TEST_F(RunReportTest, TopologyAndLinkStatisticsComeFromTheNetwork) {
    const nlohmann::json d = data();
    ASSERT_EQ(d["nodes"].size(), 3u);
    EXPECT_EQ(d["nodes"][0]["name"], "client");
    EXPECT_FALSE(d["nodes"][0]["router"]);
    EXPECT_EQ(d["nodes"][0]["addresses"], nlohmann::json({"10.0.0.1/24"}));
    EXPECT_TRUE(d["nodes"][2]["router"]);
    ASSERT_EQ(d["links"].size(), 2u);
    EXPECT_EQ(d["links"][1]["name"], "r1-server");
    EXPECT_EQ(d["links"][1]["impairments"], "loss 1%");
    ASSERT_EQ(d["links"][1]["stats"].size(), 2u);
    EXPECT_EQ(d["links"][1]["stats"][0]["from"], "r1");
    EXPECT_EQ(d["links"][1]["stats"][1]["from"], "server");
}

TEST_F(RunReportTest, PacketsCarryTheirLayersFromTheFrameSent) {
    story();
    const nlohmann::json d = data();
    const nlohmann::json& layers = d["packets"][6]["layers"];
    ASSERT_EQ(layers.size(), 4u);
    EXPECT_EQ(layers[0]["name"], "Ethernet II");
    EXPECT_EQ(layers[1]["name"], "IPv4");
    EXPECT_EQ(layers[2]["name"], "TCP");
    EXPECT_EQ(layers[3]["name"], "Data");
    EXPECT_FALSE(d["packets"][6].contains("layers_error"));
}

TEST_F(RunReportTest, ALongRunKeepsABoundedNumberOfPacketsAndCountsTheRest) {
    const auto syn = segment(client_side, TcpFlags::syn, 5000, 0);
    const auto f = frame(client_side, syn, 1);
    const size_t n = report::PacketTrail::max_kept + 10;
    for (size_t i = 0; i < n; ++i)
        sent(static_cast<int64_t>(i), client_node, 0, f);
    const nlohmann::json d = data();
    EXPECT_EQ(d["packets_total"], n);
    EXPECT_EQ(d["packets"].size(), report::PacketTrail::max_kept);
    EXPECT_EQ(d["packets_with_layers"], report::PacketTrail::max_with_bytes);
    EXPECT_TRUE(d["packets"][report::PacketTrail::max_with_bytes]["layers"].empty());
}

TEST_F(RunReportTest, TimelineLinesAreKeptWithThePacketTheyTellOf) {
    // The timeline makes its lines of an event before the report reads it.
    auto line = [&](int64_t t, const char* node, report::Layer layer, const char* text) {
        report_->line({ms(t), node, layer, text, false});
    };
    const auto syn = segment(client_side, TcpFlags::syn, 5000, 0);
    const auto syn1 = frame(client_side, syn, 1);
    line(0, "client", report::Layer::tcp, "SYN -> 10.0.1.2:80 seq=0");
    tcp_sent(0, client_node, client_side, syn, Reason::syn);
    line(0, "", report::Layer::tcp, "… 3 more routine lines");  // tells of no packet
    report_->event(sim::ev::TcpState{ms(0), client_node, client_side, tcp::State::closed,
                                     tcp::State::syn_sent});
    sent(0, client_node, 0, syn1);
    sent(1, r1, 1, syn1);
    line(2, "r1", report::Layer::link, "TCP … [SYN] lost on link r1-server");
    report_->event(sim::ev::LinkDropped{ms(2), 1, 0, stack::DropReason::loss, syn1});
    const nlohmann::json d = data();
    ASSERT_EQ(d["timeline"].size(), 3u);
    EXPECT_EQ(d["timeline"][0]["layer"], "TCP");
    EXPECT_EQ(d["timeline"][0]["t_ns"], 0);
    EXPECT_EQ(d["timeline"][0]["packet"], 1);  // the SYN's frame, sent after the line
    EXPECT_TRUE(d["timeline"][1]["packet"].is_null());
    EXPECT_EQ(d["timeline"][2]["packet"], 1);  // the SYN as the client sent it
}

TEST(HtmlPage, DataCannotEndItsScriptElement) {
    const std::string page =
        report::html_page("a <b> & c", {{"label", "</script><script>alert(1)</script>"}});
    EXPECT_NE(page.find(R"(<\/script><script>alert(1)<\/script>)"), std::string::npos);
    EXPECT_NE(page.find("<title>minternet — a &lt;b&gt; &amp; c</title>"), std::string::npos);
    // The data's script element and the program's: two ends, no more.
    size_t ends = 0;
    for (size_t at = page.find("</script>"); at != std::string::npos;
         at = page.find("</script>", at + 1))
        ++ends;
    EXPECT_EQ(ends, 2u);
    EXPECT_NE(page.find(R"(<script type="application/json" id="run-data">)"), std::string::npos);
}

}  // namespace
