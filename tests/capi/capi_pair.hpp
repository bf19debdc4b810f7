// Two C API hosts on one Ethernet (10.0.0.1/24 and 10.0.0.2/24, and with
// `ipv6` also 2001:db8::1/64 and ::2): frames queue and move when pumped, on
// a clock the test advances. Only the C API's own calls.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "minternet/minternet.h"

namespace capi_testing {

constexpr uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
constexpr uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

struct Pair {
    struct Side {
        Pair* pair;
        int to;
    };
    mnet_host* a = mnet_host_new(1);
    mnet_host* b = mnet_host_new(2);
    Side to_b{this, 1}, to_a{this, 0};
    std::deque<std::pair<int, std::vector<unsigned char>>> wire;
    uint64_t now = 0;

    explicit Pair(bool ipv6 = false) {
        EXPECT_EQ(mnet_host_add_interface(a, mac_a, "10.0.0.1/24", 1500), 0);
        EXPECT_EQ(mnet_host_add_interface(b, mac_b, "10.0.0.2/24", 1500), 0);
        mnet_host_set_output(a, &Pair::output, &to_b);
        mnet_host_set_output(b, &Pair::output, &to_a);
        if (ipv6) {
            EXPECT_EQ(mnet_host_add_address(a, 0, "2001:db8::1/64"), 0);
            EXPECT_EQ(mnet_host_add_address(b, 0, "2001:db8::2/64"), 0);
            pump(2000);  // duplicate address detection
        }
    }
    Pair(const Pair&) = delete;
    Pair& operator=(const Pair&) = delete;
    ~Pair() {
        mnet_host_free(a);
        mnet_host_free(b);
    }
    static void output(void* user, int, const void* frame, size_t length) {
        auto* side = static_cast<Side*>(user);
        const auto* bytes = static_cast<const unsigned char*>(frame);
        side->pair->wire.emplace_back(side->to, std::vector<unsigned char>(bytes, bytes + length));
    }
    // Moves frames and runs timers for `ms` milliseconds of the clock.
    void pump(uint64_t ms = 10) {
        const uint64_t until = now + ms * 1'000'000;
        for (;;) {
            while (!wire.empty()) {
                auto [to, frame] = std::move(wire.front());
                wire.pop_front();
                EXPECT_EQ(mnet_host_input(to == 0 ? a : b, 0, frame.data(), frame.size(), now), 0);
            }
            const uint64_t next = std::min(mnet_host_next_deadline(a), mnet_host_next_deadline(b));
            if (next > until) break;
            now = std::max(now, next);
            mnet_host_poll(a, now);
            mnet_host_poll(b, now);
        }
        now = until;
        mnet_host_poll(a, now);
        mnet_host_poll(b, now);
    }
};

// The question's name in a DNS query (labels from offset 12, no
// compression), "www.example."; `end` is set to the offset of its root label.
inline std::string query_name(const unsigned char* query, size_t& end) {
    std::string name;
    size_t i = 12;
    while (query[i] != 0) {
        name.append(reinterpret_cast<const char*>(query + i + 1), query[i]);
        name += '.';
        i += query[i] + 1u;
    }
    end = i;
    return name;
}

}  // namespace capi_testing
