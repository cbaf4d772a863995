#include "chat_line.hpp"

#include <gtest/gtest.h>

namespace parley::bench {
namespace {

TEST(chat_line, reads_the_legacy_lines_without_ids) {
  const auto message = classify_line("u7: 12 123456789 xxxx", "u");
  EXPECT_EQ(message.kind, line_kind::message);
  EXPECT_EQ(message.client, 7u);
  EXPECT_EQ(message.seq, 12u);
  EXPECT_EQ(message.sent_ns, 123456789);
  EXPECT_EQ(message.id, 0u);
  EXPECT_EQ(classify_line("u7 with age 1 connected to chat", "u").kind, line_kind::join);
  EXPECT_EQ(classify_line("u7 left the chat", "u").kind, line_kind::leave);
  EXPECT_EQ(classify_line("Hi u3! You have successfully connected to the chat", "u").kind,
            line_kind::greeting);
  EXPECT_EQ(classify_line("alice: hi", "u").kind, line_kind::other);
}

}  // namespace
}  // namespace parley::bench
