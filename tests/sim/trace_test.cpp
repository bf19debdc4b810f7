#include "sim/trace.hpp"

#include <gtest/gtest.h>

namespace {

class Sink : public sim::EventSink {
  public:
    Sink(sim::EventMask mask, bool exact) : mask_(mask), exact_(exact) {}
    sim::EventMask wants() const override { return mask_; }
    bool wants_exact_frames() const override { return exact_; }
    void event(const sim::Event&) override { ++events; }
    int events = 0;

  private:
    sim::EventMask mask_;
    bool exact_;
};

// Hosts may leave TCP checksums pending unless a sink takes events with
// frames in them and wants those frames exact.
TEST(Tracer, ExactFramesOnlyForASinkOfFramesThatAsks) {
    sim::Tracer tracer;
    EXPECT_FALSE(tracer.wants_exact_frames());
    Sink headers(sim::EventMask::of<sim::ev::LinkDropped>(), false);  // like the flow table
    Sink states(sim::EventMask::of<sim::ev::TcpState>(), true);       // no frames in them
    tracer.add(&headers);
    tracer.add(&states);
    EXPECT_FALSE(tracer.wants_exact_frames());
    Sink capture(sim::EventMask::of<sim::ev::FrameSent, sim::ev::FrameReceived>(), true);
    tracer.add(&capture);
    EXPECT_TRUE(tracer.wants_exact_frames());
    tracer.remove(&capture);
    EXPECT_FALSE(tracer.wants_exact_frames());
    EXPECT_TRUE(tracer.wants<sim::ev::LinkDropped>());
    EXPECT_FALSE(tracer.wants<sim::ev::FrameSent>());
}

}  // namespace
