#include "testing/capture.hpp"

#include <gtest/gtest.h>

#include "testing/data.hpp"

namespace testing_support {

Capture::Capture(std::string_view name) : file_(read_data_file(name)) {
    auto reader = wire::pcap::Reader::open(file_);
    if (!reader) {
        ADD_FAILURE() << name << ": " << wire::to_string(reader.error());
        return;
    }
    header_ = reader->header();
    constexpr size_t max_records = 100;  // every file holds far fewer
    for (size_t i = 0; i <= max_records; ++i) {
        auto next = reader->next();
        if (!next) {
            ADD_FAILURE() << name << " record " << i << ": " << wire::to_string(next.error());
            return;
        }
        if (!next->has_value()) return;
        records_.push_back(**next);
    }
    ADD_FAILURE() << name << ": more than " << max_records << " records";
}

}  // namespace testing_support
