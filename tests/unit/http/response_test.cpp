#include "http/response.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::http {
namespace {

// The head (up to and including the blank line) and what follows it.
std::pair<std::string, std::string> split(const std::string& bytes) {
  const auto end = bytes.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos) << "no blank line after the head";
  if (end == std::string::npos) return {bytes, ""};
  return {bytes.substr(0, end + 4), bytes.substr(end + 4)};
}

TEST(response, starts_with_the_status_line) {
  response answer;
  answer.status = 404;
  answer.body = "Not Found\n";
  EXPECT_TRUE(serialize(answer).starts_with("HTTP/1.1 404 Not Found\r\n"));
  answer.status = 200;
  EXPECT_TRUE(serialize(answer).starts_with("HTTP/1.1 200 OK\r\n"));
  answer.status = 426;
  EXPECT_TRUE(serialize(answer).starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
}

TEST(response, content_length_counts_the_body_bytes) {
  response answer;
  answer.body = "h\xC3\xA9llo\n";  // 7 bytes, 6 characters
  const auto [head, body] = split(serialize(answer));
  EXPECT_NE(head.find("\r\nContent-Length: 7\r\n"), std::string::npos) << head;
  EXPECT_EQ(body, answer.body);
}

TEST(response, empty_body_has_content_length_zero) {
  response answer;
  const auto [head, body] = split(serialize(answer));
  EXPECT_NE(head.find("\r\nContent-Length: 0\r\n"), std::string::npos) << head;
  EXPECT_TRUE(body.empty());
}

TEST(response, carries_content_type_and_extra_headers) {
  response answer;
  answer.content_type = "text/html; charset=utf-8";
  answer.headers = {{"Sec-WebSocket-Version", "13"}, {"Cache-Control", "no-cache"}};
  const auto [head, body] = split(serialize(answer));
  EXPECT_NE(head.find("\r\nContent-Type: text/html; charset=utf-8\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nCache-Control: no-cache\r\n"), std::string::npos) << head;
}

TEST(response, says_whether_the_connection_stays_open) {
  response answer;
  EXPECT_NE(serialize(answer).find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  answer.keep_alive = false;
  EXPECT_NE(serialize(answer).find("\r\nConnection: close\r\n"), std::string::npos);
}

TEST(response, head_answer_has_content_length_but_no_body) {
  response answer;
  answer.body = "ready\n";
  answer.head_only = true;
  const std::string bytes = serialize(answer);
  const auto [head, body] = split(bytes);
  EXPECT_NE(head.find("\r\nContent-Length: 6\r\n"), std::string::npos) << head;
  EXPECT_TRUE(body.empty());
  EXPECT_TRUE(bytes.ends_with("\r\n\r\n"));
}

TEST(response, every_header_line_ends_with_crlf) {
  response answer;
  answer.headers = {{"X-A", "1"}};
  answer.body.push_back('x');
  const auto [head, body] = split(serialize(answer));
  std::size_t at = 0;
  while (at < head.size() - 2) {
    const auto end = head.find("\r\n", at);
    ASSERT_NE(end, std::string::npos);
    const std::string line = head.substr(at, end - at);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
    if (at > 0) {
      EXPECT_NE(line.find(": "), std::string::npos) << line;
    }
    at = end + 2;
  }
}

TEST(response, reason_phrases_match_the_status) {
  EXPECT_EQ(reason_phrase(101), "Switching Protocols");
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(405), "Method Not Allowed");
  EXPECT_EQ(reason_phrase(408), "Request Timeout");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
}

}  // namespace
}  // namespace parley::http
