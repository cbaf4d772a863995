#include "obs/escaped.hpp"

#include <gtest/gtest.h>

namespace parley::obs {
namespace {

TEST(escaped, leaves_printable_and_multibyte_text_alone) {
  EXPECT_EQ(fmt::format("{}", escaped{"hi J\xC3\xBCrgen \xF0\x9F\x8E\x89"}),
            "hi J\xC3\xBCrgen \xF0\x9F\x8E\x89");
}

TEST(escaped, writes_line_breaks_so_a_message_cannot_forge_a_log_line) {
  EXPECT_EQ(
      fmt::format("{}", escaped{"hi\n2026-01-02 15:04:05,123 INFO  [parley.chat] - admin: x"}),
      "hi\\n2026-01-02 15:04:05,123 INFO  [parley.chat] - admin: x");
  EXPECT_EQ(fmt::format("{}", escaped{"a\rb\tc"}), "a\\rb\\tc");
}

TEST(escaped, writes_other_control_bytes_in_hex) {
  EXPECT_EQ(fmt::format("{}", escaped{std::string_view("\x00\x1B\x7F", 3)}), "\\x00\\x1B\\x7F");
}

}  // namespace
}  // namespace parley::obs
