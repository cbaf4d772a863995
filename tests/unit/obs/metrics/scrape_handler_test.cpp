#include "obs/metrics/scrape_handler.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../../support/fake_transport.hpp"

namespace parley::obs::metrics {
namespace {

using test_support::fake_transport;

constexpr std::chrono::milliseconds k_timeout{1234};

class scrape_handler_test : public ::testing::Test {
 protected:
  // Offers `bytes` as one read; returns how many the handler took.
  std::size_t receive(std::string bytes) {
    held_ = std::move(bytes);
    return handler_.on_data(std::span<char>(held_.data(), held_.size()));
  }

  fake_transport transport_;
  int renders_ = 0;
  scrape_handler handler_{transport_,
                          [this] {
                            ++renders_;
                            return std::string("parley_up 1\n");
                          },
                          k_timeout};
  std::string held_;
};

TEST_F(scrape_handler_test, starts_the_request_timer_at_once_for_the_handshake_and_request) {
  ASSERT_EQ(transport_.timers_started.size(), 1U);
  EXPECT_EQ(transport_.timers_started.front(), k_timeout);
  handler_.on_timeout();
  EXPECT_EQ(transport_.close_now_calls, 1);
}

TEST_F(scrape_handler_test, answers_get_metrics_in_prometheus_text_and_keeps_the_connection) {
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(receive(request), request.size());
  EXPECT_EQ(renders_, 1);
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK\r\n")) << transport_.sent;
  EXPECT_NE(transport_.sent.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_TRUE(transport_.sent.ends_with("\r\n\r\nparley_up 1\n"));
  EXPECT_FALSE(transport_.asked_to_close());
  EXPECT_EQ(transport_.timers_started.size(), 2U);  // the next request's time starts now
}

TEST_F(scrape_handler_test, answers_a_request_that_arrives_in_pieces) {
  // As the connection does: what was not used is offered again with what arrives next.
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string pending;
  for (const char byte : request) {
    pending += byte;
    pending.erase(0, receive(pending));
  }
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(renders_, 1);
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST_F(scrape_handler_test, answers_pipelined_requests_in_order) {
  const std::string two =
      "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(receive(two), two.size());
  const auto not_found = transport_.sent.find("HTTP/1.1 404 Not Found\r\n");
  EXPECT_GT(not_found, transport_.sent.find("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(not_found, std::string::npos);
  EXPECT_EQ(renders_, 1);
}

TEST_F(scrape_handler_test, head_gets_the_headers_only) {
  receive("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_NE(transport_.sent.find("Content-Length: 12\r\n"), std::string::npos);
  EXPECT_TRUE(transport_.sent.ends_with("\r\n\r\n"));
}

TEST_F(scrape_handler_test, other_methods_get_405_and_other_paths_404_without_rendering) {
  receive("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"));
  transport_.sent.clear();
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 404 Not Found\r\n"));
  EXPECT_EQ(renders_, 0);
}

TEST_F(scrape_handler_test, a_query_string_is_ignored) {
  receive("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST_F(scrape_handler_test, closes_after_answering_connection_close) {
  receive("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

TEST_F(scrape_handler_test, garbage_gets_400_and_the_connection_closes) {
  const std::string garbage = "\x16\x03\x01 not http at all\r\n\r\n";
  EXPECT_EQ(receive(garbage), garbage.size());
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 400 Bad Request\r\n")) << transport_.sent;
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(renders_, 0);
}

TEST_F(scrape_handler_test, a_request_body_gets_400) {
  receive("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 400 Bad Request\r\n")) << transport_.sent;
  EXPECT_EQ(renders_, 0);
}

TEST_F(scrape_handler_test, a_head_over_8_kib_gets_400) {
  const std::string huge = "GET /metrics HTTP/1.1\r\nX: " + std::string(9000, 'a') + "\r\n\r\n";
  EXPECT_EQ(receive(huge), huge.size());
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_EQ(renders_, 0);
}

}  // namespace
}  // namespace parley::obs::metrics
