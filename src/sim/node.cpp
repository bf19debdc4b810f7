#include "sim/node.hpp"

#include <cstdio>

namespace sim {

Node::Node(Simulator& sim, NodeConfig config, base::Seed seed)
    : sim_(sim),
      config_(std::move(config)),
      seed_(seed),
      links_(config_.interfaces.size(), {nullptr, 0}) {
    boot();
}

Node::~Node() {
    sim_.cancel(poll_timer_);
}

void Node::boot() {
    ++boots_;
    // Each boot draws from its own stream: a restarted host is a new host.
    host_ = std::make_unique<stack::Host>(config_.host, sim_.pool(), seed_.derive(boots_));
    for (const stack::InterfaceConfig& i : config_.interfaces)
        host_->add_interface(i);
    for (const stack::Route& r : config_.static_routes)
        host_->routes().add(r);
    for (const stack::Ipv6Route& r : config_.static_routes6)
        host_->routes6().add(r);
    host_->set_observer(observer_);
    host_->set_frame_sink([this](stack::InterfaceId out, base::PacketBuffer&& frame) {
        auto [link, end] = links_[out];
        if (link) link->send(end, std::move(frame));
    });
    for (auto& hook : boot_hooks_)
        hook(*this);
    wake();
}

void Node::attach(stack::InterfaceId interface, Link* link, int end) {
    links_.at(interface) = {link, end};
}

Link* Node::link_of(stack::InterfaceId interface) const {
    return links_.at(interface).first;
}

void Node::set_observer(stack::Observer* o) {
    observer_ = o;
    if (host_) host_->set_observer(o);
}

void Node::deliver(stack::InterfaceId interface, base::PacketBuffer frame) {
    if (!host_) {
        if (observer_)
            observer_->dropped(sim_.now(), stack::DropReason::node_down, stack::Layer::frame,
                               frame.bytes());
        return;
    }
    host_->receive(interface, std::move(frame), sim_.now());
    // A frame usually leaves work due at once (an application to resume, an
    // ACK to send): do it now rather than through an event at this instant.
    const base::Time due = host_->next_deadline();
    if (due <= sim_.now()) return run_poll();
    wake_at(due);
}

void Node::crash() {
    if (!host_) return;
    for (auto& hook : crash_hooks_)
        hook(*this);
    sim_.cancel(poll_timer_);
    poll_at_ = base::Time::never();
    host_.reset();
}

void Node::restart() {
    if (host_) return;
    boot();
}

void Node::wake() {
    if (host_) wake_at(host_->next_deadline());
}

void Node::wake_at(base::Time due) {
    due = std::max(due, sim_.now());
    if (due.is_never() || due >= poll_at_) return;
    poll_at_ = due;
    if (!sim_.reschedule(poll_timer_, due))
        poll_timer_ = sim_.schedule_at(due, [this] { run_poll(); });
}

void Node::run_poll() {
    poll_at_ = base::Time::never();
    if (!host_) return;
    // A host that keeps asking to be polled at the same instant has a bug in a
    // component's deadline; say so once instead of spinning forever.
    if (sim_.now() == last_poll_) {
        if (++polls_at_same_time_ == 100000) {
            std::fprintf(stderr,
                         "minternet: node %s asked for 100000 polls at t=%s; check deadlines\n",
                         name().c_str(), base::to_string(sim_.now()).c_str());
        }
        if (polls_at_same_time_ >= 100000) {
            poll_at_ = sim_.now() + base::Duration::microseconds(1);
            poll_timer_ = sim_.schedule_at(poll_at_, [this] { run_poll(); });
            return;
        }
    } else {
        polls_at_same_time_ = 0;
        last_poll_ = sim_.now();
    }
    host_->poll(sim_.now());
    wake();
}

}  // namespace sim
