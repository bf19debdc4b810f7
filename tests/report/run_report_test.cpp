// The report's data, from events fed by hand as the event log writes them, on
// a small network: client - r1 - server. The first SYN is lost on r1-server
// and sent again; the handshake completes and "Hello!" goes out.
#include "report/run_report.hpp"

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace {

using base::Time;

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

constexpr const char* client_side = "10.0.0.1:40000-10.0.1.2:80";
constexpr const char* server_side = "10.0.1.2:80-10.0.0.1:40000";

Time ms(int64_t n) {
    return Time::zero() + base::Duration::milliseconds(n);
}

// A frame's fields as the log has them (sim::frame_fields).
std::string tcp_frame(const char* iface, const char* src, const char* dst, int id, int sport,
                      int dport, const char* flags, uint32_t seq, uint32_t ack, int payload) {
    return fmt::format(
        R"("iface":"{}","src":"{}","dst":"{}","proto":"TCP","ttl":64,"id":{},"sport":{},)"
        R"("dport":{},"flags":"{}","seq":{},"ack":{},"win":65535,"payload":{},"len":{})",
        iface, src, dst, id, sport, dport, flags, seq, ack, payload, 66 + payload);
}

std::string segment(const char* conn, const char* why, const char* flags, uint32_t seq,
                    uint32_t ack, int len, const char* data = nullptr) {
    return fmt::format(
        R"("conn":"{}","why":"{}","flags":"{}","seq":{},"ack":{},"len":{},"win":65535{})", conn,
        why, flags, seq, ack, len, data ? fmt::format(R"(,"data":"{}")", data) : std::string());
}

class RunReportTest : public ::testing::Test {
  protected:
    RunReportTest() : sim_(base::Seed{1}) {
        auto t = sim::parse_topology(topology, "small.yaml");
        EXPECT_TRUE(t) << t.error().to_string();
        topology_ = *t;
        auto net = sim::Network::build(sim_, topology_, {});
        EXPECT_TRUE(net) << net.error();
        net_ = std::move(*net);
        report_ = std::make_unique<report::RunReport>(*net_);
    }

    void feed(int64_t t, const char* node, const char* event, const std::string& fields) {
        report_->event(ms(t), node, event, fields);
    }

    // Client 10.0.0.1:40000 opens to server 10.0.1.2:80; the first SYN is lost.
    void story() {
        feed(0, "client", "tcp_send", segment(client_side, "SYN", "SYN", 5000, 0, 0));
        const std::string syn1 =
            tcp_frame("eth0", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0);
        feed(0, "client", "send", syn1);
        feed(1, "r1", "receive", syn1);
        feed(1, "r1", "forward", syn1);
        feed(1, "r1", "send",
             tcp_frame("eth1", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0));
        feed(2, "r1", "drop",
             R"("link":"r1-server","reason":"lost",)" +
                 tcp_frame("eth1", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0));

        feed(1000, "client", "tcp_send", segment(client_side, "SYN", "SYN", 5000, 0, 0));
        const std::string syn2 =
            tcp_frame("eth0", "10.0.0.1", "10.0.1.2", 2, 40000, 80, "SYN", 5000, 0, 0);
        feed(1000, "client", "send", syn2);
        feed(1001, "r1", "send",
             tcp_frame("eth1", "10.0.0.1", "10.0.1.2", 2, 40000, 80, "SYN", 5000, 0, 0));
        feed(1002, "server", "receive", syn2);

        feed(1002, "server", "tcp_send", segment(server_side, "SYN+ACK", "SYN, ACK", 900, 5001, 0));
        const std::string synack =
            tcp_frame("eth0", "10.0.1.2", "10.0.0.1", 7, 80, 40000, "SYN, ACK", 900, 5001, 0);
        feed(1002, "server", "send", synack);
        feed(1003, "r1", "send",
             tcp_frame("eth0", "10.0.1.2", "10.0.0.1", 7, 80, 40000, "SYN, ACK", 900, 5001, 0));
        feed(1004, "client", "receive", synack);
        feed(1004, "client", "tcp_receive",
             segment(client_side, "SYN+ACK", "SYN, ACK", 900, 5001, 0));
        feed(1004, "client", "tcp_window",
             fmt::format(R"("conn":"{}","cwnd":14480,"ssthresh":4294967295,"srtt_ns":20000000)",
                         client_side));
        feed(1004, "client", "tcp_send",
             segment(client_side, "new data", "PSH, ACK", 5001, 901, 6, "Hello!"));
        feed(1004, "client", "send",
             tcp_frame("eth0", "10.0.0.1", "10.0.1.2", 3, 40000, 80, "PSH, ACK", 5001, 901, 6));
    }

    nlohmann::json data() {
        return report_->data({.name = "small",
                              .seed = 1,
                              .end = ms(2000),
                              .summary = {},
                              .capture_dir = "/nonexistent/minternet-report-test"});
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
    EXPECT_EQ(p[4]["conn"], server_side);
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

TEST_F(RunReportTest, AMissingCaptureLeavesThePacketWithoutLayersAndSaysWhy) {
    story();
    const nlohmann::json d = data();
    const nlohmann::json& p = d["packets"][0];
    EXPECT_TRUE(p["layers"].empty());
    EXPECT_NE(p["layers_error"].get<std::string>().find("client-eth0.pcap"), std::string::npos);
}

TEST_F(RunReportTest, TimelineLinesAreKeptWithThePacketTheyTellOf) {
    // The timeline makes its lines of an event before the report reads it.
    auto line = [&](int64_t t, const char* node, report::Layer layer, const char* text) {
        report_->line({ms(t), node, layer, text, false});
    };
    line(0, "client", report::Layer::tcp, "SYN -> 10.0.1.2:80 seq=0");
    feed(0, "client", "tcp_send", segment(client_side, "SYN", "SYN", 5000, 0, 0));
    line(0, "", report::Layer::tcp, "… 3 more routine lines");  // tells of no packet
    feed(0, "client", "tcp_state",
         fmt::format(R"("conn":"{}","from":"CLOSED","to":"SYN-SENT")", client_side));
    feed(0, "client", "send",
         tcp_frame("eth0", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0));
    feed(1, "r1", "send",
         tcp_frame("eth1", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0));
    line(2, "r1", report::Layer::link, "TCP … [SYN] lost on link r1-server");
    feed(2, "r1", "drop",
         R"("link":"r1-server","reason":"lost",)" +
             tcp_frame("eth1", "10.0.0.1", "10.0.1.2", 1, 40000, 80, "SYN", 5000, 0, 0));
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
