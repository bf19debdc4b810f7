#include "base/text.hpp"

#include <gtest/gtest.h>

namespace {

TEST(EscapeHtml, TurnsMarkupIntoEntities) {
    EXPECT_EQ(base::escape_html(R"(<a href="x">Tom & Jerry</a>)"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt;");
    EXPECT_EQ(base::escape_html("plain text"), "plain text");
    EXPECT_EQ(base::escape_html(""), "");
}

}  // namespace
