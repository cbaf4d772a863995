#include "http/request_handler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "http/site.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::http {
namespace {

using test_support::fake_transport;

// The application behind the test's WebSocket route: records what it saw.
struct app_log {
  std::vector<std::string> targets;
  std::vector<std::size_t> loops;
  std::vector<std::string> protocols;       // the Sec-WebSocket-Protocol offers seen
  std::vector<std::string> authorizations;  // the Authorization headers seen
  int opens = 0;
  std::vector<std::string> texts;
};

class recording_app final : public ws::message_handler {
 public:
  explicit recording_app(app_log& log) : log_(log) {}
  void on_open(ws::session&) override { ++log_.opens; }
  void on_text(std::string_view text) override { log_.texts.emplace_back(text); }
  void on_binary(std::string_view) override {}
  void on_close() override {}

 private:
  app_log& log_;
};

constexpr std::string_view k_key = "dGhlIHNhbXBsZSBub25jZQ==";

std::string upgrade_request(std::string_view target, std::string_view version = "13",
                            std::string_view key = k_key, std::string_view extra_headers = {}) {
  std::string request = "GET " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n";
  request += extra_headers;
  request += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  if (!key.empty()) request += "Sec-WebSocket-Key: " + std::string(key) + "\r\n";
  request += "Sec-WebSocket-Version: " + std::string(version) + "\r\n\r\n";
  return request;
}

class request_handler_test : public ::testing::Test {
 protected:
  void SetUp() override {
    obs::init_logging({.level = "off"});
    site_.handshake_timeout = std::chrono::milliseconds(1234);
    site_.websocket_routes.push_back(
        {"/chat/",
         [this](std::string_view target, std::size_t loop, std::string_view protocols,
                std::string_view authorization) -> websocket_application {
           app_.protocols.emplace_back(protocols);
           app_.authorizations.emplace_back(authorization);
           app_.targets.emplace_back(target);
           app_.loops.push_back(loop);
           if (target.find("nobody") != std::string_view::npos) return {};
           const bool v1 = protocols.find("parley.v1") != std::string_view::npos;
           return {std::make_unique<recording_app>(app_), v1 ? "parley.v1" : ""};
         }});
    handler_ = std::make_unique<request_handler>(transport_, site_);
  }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  // Offers `bytes` as one read; returns how many the handler took.
  std::size_t receive(std::string bytes) {
    held_ = std::move(bytes);
    return handler_->on_data(std::span<char>(held_.data(), held_.size()));
  }
  std::string status_line() const {
    return transport_.sent.substr(0, transport_.sent.find("\r\n"));
  }
  bool has_header(std::string_view line) const {
    const auto head_end = transport_.sent.find("\r\n\r\n");
    return transport_.sent.substr(0, head_end + 2).find("\r\n" + std::string(line) + "\r\n") !=
           std::string::npos;
  }
  std::string body() const { return transport_.sent.substr(transport_.sent.find("\r\n\r\n") + 4); }

  fake_transport transport_{1};
  site site_;
  app_log app_;
  std::unique_ptr<request_handler> handler_;
  std::string held_;
};

TEST_F(request_handler_test, starts_the_handshake_timer) {
  EXPECT_EQ(transport_.timers_started,
            std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1234)});
}

TEST_F(request_handler_test, answers_health_probe_and_keeps_the_connection) {
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(receive(request), request.size());
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
  EXPECT_EQ(body(), "ok\n");
  EXPECT_FALSE(transport_.asked_to_close());
}

TEST_F(request_handler_test, readyz_says_draining_when_not_ready) {
  site_.ready = false;
  receive("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(body(), "draining\n");
}

TEST_F(request_handler_test, serves_the_web_client_at_root) {
  receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(has_header("Content-Type: text/html; charset=utf-8"));
  EXPECT_TRUE(has_header("X-Content-Type-Options: nosniff"));
  EXPECT_FALSE(body().empty());
}

TEST_F(request_handler_test, head_gets_headers_without_body) {
  receive("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(has_header("Content-Length: 3"));
  EXPECT_EQ(body(), "");
}

TEST_F(request_handler_test, other_methods_get_405) {
  receive("DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 405 Method Not Allowed");
  EXPECT_TRUE(has_header("Allow: GET, HEAD"));
}

TEST_F(request_handler_test, unknown_path_gets_404) {
  receive("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 404 Not Found");
}

TEST_F(request_handler_test, answers_pipelined_requests_in_order) {
  const std::string requests =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(receive(requests), requests.size());
  const auto second = transport_.sent.find("HTTP/1.1 404 Not Found");
  EXPECT_TRUE(transport_.sent.starts_with("HTTP/1.1 200 OK"));
  EXPECT_NE(second, std::string::npos);
}

TEST_F(request_handler_test, connection_close_request_is_answered_then_closed) {
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
  EXPECT_TRUE(has_header("Connection: close"));
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

TEST_F(request_handler_test, websocket_path_without_upgrade_gets_426) {
  receive("GET /chat/alice HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 426 Upgrade Required");
  EXPECT_TRUE(has_header("Sec-WebSocket-Version: 13"));
  EXPECT_TRUE(app_.targets.empty());
}

TEST_F(request_handler_test, upgrade_with_version_8_gets_426) {
  receive(upgrade_request("/chat/alice", "8"));
  EXPECT_EQ(status_line(), "HTTP/1.1 426 Upgrade Required");
  EXPECT_TRUE(has_header("Sec-WebSocket-Version: 13"));
  EXPECT_EQ(transport_.handler_replacements, 0);
}

TEST_F(request_handler_test, upgrade_without_key_gets_400_and_closes) {
  const std::string request = upgrade_request("/chat/alice", "13", "");
  EXPECT_EQ(receive(request), request.size());
  EXPECT_EQ(status_line(), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(transport_.handler_replacements, 0);
}

TEST_F(request_handler_test, garbage_gets_400_and_closes) {
  const std::string garbage = "\x16\x03\x01\x02\x00 not http\r\n\r\n";
  EXPECT_EQ(receive(garbage), garbage.size());
  EXPECT_EQ(status_line(), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

TEST_F(request_handler_test, request_head_over_8_kib_gets_400) {
  std::string request =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  receive(request);
  EXPECT_EQ(status_line(), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

TEST_F(request_handler_test, incomplete_request_waits_for_more) {
  const std::string part = "GET /healthz HTTP/1.1\r\nHo";
  const std::size_t used = receive(part);
  EXPECT_LE(used, part.size());
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_EQ(receive(part.substr(used) + "st: x\r\n\r\n"), part.size() - used + 9);
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
}

TEST_F(request_handler_test, upgrade_hands_the_connection_to_a_websocket_session) {
  const std::string request = upgrade_request("/chat/alice?age=3");
  const std::string frame = test_support::text_frame("early");
  // The handler takes the request only; the frame after it is for the new handler.
  EXPECT_EQ(receive(request + frame), request.size());

  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");
  EXPECT_TRUE(has_header("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
  EXPECT_EQ(app_.targets, std::vector<std::string>{"/chat/alice?age=3"});
  EXPECT_EQ(app_.loops, std::vector<std::size_t>{1});
  EXPECT_EQ(transport_.handler_replacements, 1);
  EXPECT_EQ(transport_.timer_cancels, 1);  // the handshake timeout no longer applies
  EXPECT_EQ(app_.opens, 1);
  EXPECT_FALSE(transport_.asked_to_close());

  ASSERT_NE(transport_.replacement, nullptr);
  std::string rest = frame;
  EXPECT_EQ(transport_.replacement->on_data(std::span<char>(rest.data(), rest.size())),
            frame.size());
  EXPECT_EQ(app_.texts, std::vector<std::string>{"early"});
}

TEST_F(request_handler_test, upgrade_from_a_foreign_origin_gets_403_and_counts) {
  auto& metrics = obs::metrics::for_loop(1);
  auto& forbidden =
      metrics.rejections[static_cast<std::size_t>(obs::metrics::rejection::http_forbidden_origin)];
  const auto before = forbidden.value();
  receive(upgrade_request("/chat/alice", "13", k_key, "Origin: https://evil.example\r\n"));
  EXPECT_EQ(status_line(), "HTTP/1.1 403 Forbidden");
  EXPECT_NE(body().find("https://evil.example"), std::string::npos);
  EXPECT_TRUE(app_.targets.empty());  // refused before the application saw it
  EXPECT_EQ(transport_.handler_replacements, 0);
  EXPECT_TRUE(transport_.asked_to_close());
  EXPECT_EQ(forbidden.value(), before + 1);
}

TEST_F(request_handler_test, upgrade_from_the_servers_own_origin_is_accepted) {
  receive(upgrade_request("/chat/alice", "13", k_key, "Origin: http://localhost\r\n"));
  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");
}

TEST_F(request_handler_test, upgrade_without_origin_is_accepted) {
  site_.origins = origin_policy("https://only.example");
  receive(upgrade_request("/chat/alice"));
  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");
}

TEST_F(request_handler_test, upgrade_with_two_origins_gets_403) {
  receive(upgrade_request("/chat/alice", "13", k_key,
                          "Origin: http://localhost\r\nOrigin: https://evil.example\r\n"));
  EXPECT_EQ(status_line(), "HTTP/1.1 403 Forbidden");
}

TEST_F(request_handler_test, upgrade_beyond_connections_per_ip_gets_429_until_one_closes) {
  site_.connections_per_address = address_limit(1);
  auto& metrics = obs::metrics::for_loop(1);
  auto& refused =
      metrics
          .rejections[static_cast<std::size_t>(obs::metrics::rejection::http_too_many_connections)];
  const auto before = refused.value();
  receive(upgrade_request("/chat/alice"));
  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");
  EXPECT_EQ(site_.connections_per_address.open("192.0.2.7"), 1U);

  fake_transport second{1};
  second.remote = "192.0.2.7:40001";
  request_handler other(second, site_);
  std::string request = upgrade_request("/chat/bob");
  other.on_data(std::span<char>(request.data(), request.size()));
  EXPECT_EQ(second.sent.substr(0, second.sent.find("\r\n")), "HTTP/1.1 429 Too Many Requests");
  EXPECT_NE(second.sent.find("192.0.2.7 has 1 connections open already"), std::string::npos);
  EXPECT_EQ(app_.targets.size(), 1U);  // the application never saw bob
  EXPECT_EQ(refused.value(), before + 1);

  transport_.replacement.reset();  // alice's session ends: her slot is free again
  EXPECT_EQ(site_.connections_per_address.open("192.0.2.7"), 0U);
}

TEST_F(request_handler_test, forwarded_for_counts_only_from_a_trusted_proxy) {
  site_.connections_per_address = address_limit(1);
  site_.clients = client_address("192.0.2.7");  // the fake peer is the proxy
  receive(upgrade_request("/chat/alice", "13", k_key, "X-Forwarded-For: 203.0.113.5\r\n"));
  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");
  EXPECT_EQ(site_.connections_per_address.open("203.0.113.5"), 1U);
  EXPECT_EQ(site_.connections_per_address.open("192.0.2.7"), 0U);
}

TEST_F(request_handler_test, upgrade_the_application_declines_gets_404) {
  receive(upgrade_request("/chat/nobody"));
  EXPECT_EQ(status_line(), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(transport_.handler_replacements, 0);
}

TEST_F(request_handler_test, timeout_answers_408_and_closes) {
  handler_->on_timeout();
  EXPECT_EQ(status_line(), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

// Each timed-out connection counts once, under what happened.
struct timeout_counts {
  std::uint64_t no_request, partial_request, answered_408;
  static timeout_counts now(std::size_t loop) {
    using obs::metrics::rejection;
    const auto& m = obs::metrics::for_loop(loop);
    const auto rejected = [&](rejection r) {
      return m.rejections[static_cast<std::size_t>(r)].value();
    };
    std::uint64_t answered = 0;  // http_requests_total{status="408"}, any method
    const auto status = static_cast<std::size_t>(
        std::find(obs::metrics::k_statuses.begin(), obs::metrics::k_statuses.end(), 408) -
        obs::metrics::k_statuses.begin());
    for (const auto& method : m.http_requests) answered += method[status].value();
    return {rejected(rejection::http_no_request_timeout), rejected(rejection::http_request_timeout),
            answered};
  }
  timeout_counts operator-(const timeout_counts& o) const {
    return {no_request - o.no_request, partial_request - o.partial_request,
            answered_408 - o.answered_408};
  }
  bool operator==(const timeout_counts&) const = default;
};

TEST_F(request_handler_test, timeout_of_a_connection_that_sent_nothing_counts_as_no_request) {
  const auto before = timeout_counts::now(transport_.loop_index());
  handler_->on_timeout();
  EXPECT_EQ(timeout_counts::now(transport_.loop_index()) - before, (timeout_counts{1, 0, 0}));
}

TEST_F(request_handler_test, timeout_of_a_partial_request_counts_as_a_request_timeout) {
  const auto before = timeout_counts::now(transport_.loop_index());
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  handler_->on_timeout();
  EXPECT_EQ(status_line(), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(timeout_counts::now(transport_.loop_index()) - before, (timeout_counts{0, 1, 1}));
}

TEST_F(request_handler_test, idle_keep_alive_connection_timing_out_is_no_rejection) {
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto before = timeout_counts::now(transport_.loop_index());
  handler_->on_timeout();
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(timeout_counts::now(transport_.loop_index()) - before, (timeout_counts{0, 0, 0}));
}

TEST_F(request_handler_test, shutdown_closes_the_connection) {
  handler_->on_shutdown();
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
}

std::uint64_t rejected(std::size_t loop, obs::metrics::rejection reason) {
  return obs::metrics::for_loop(loop).rejections[static_cast<std::size_t>(reason)].value();
}

TEST_F(request_handler_test, request_with_more_header_fields_than_allowed_gets_431) {
  site_.max_header_fields = 3;
  const auto before = rejected(1, obs::metrics::rejection::http_too_many_headers);
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_NE(body().find("4 header fields, more than 3 (limits.max_request_headers)"),
            std::string::npos);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(rejected(1, obs::metrics::rejection::http_too_many_headers), before + 1);
}

TEST_F(request_handler_test, request_with_as_many_header_fields_as_allowed_is_answered) {
  site_.max_header_fields = 3;
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
}

TEST_F(request_handler_test, upgrades_faster_than_accepts_per_second_get_429_with_retry_after) {
  site_.upgrades_per_address = address_rate(1, 1);
  const auto before = rejected(1, obs::metrics::rejection::http_accept_rate_limited);
  receive(upgrade_request("/chat/alice"));
  EXPECT_EQ(status_line(), "HTTP/1.1 101 Switching Protocols");

  fake_transport second{1};
  second.remote = "192.0.2.7:40001";
  second.clock = transport_.clock + std::chrono::milliseconds(500);
  request_handler other(second, site_);
  std::string request = upgrade_request("/chat/bob");
  other.on_data(std::span<char>(request.data(), request.size()));
  EXPECT_EQ(second.sent.substr(0, second.sent.find("\r\n")), "HTTP/1.1 429 Too Many Requests");
  EXPECT_NE(second.sent.find("\r\nRetry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(second.sent.find("192.0.2.7 opens WebSockets faster than 1 a second "
                             "(limits.accepts_per_second_per_ip)"),
            std::string::npos);
  EXPECT_EQ(app_.targets.size(), 1U);  // the application never saw bob
  EXPECT_EQ(rejected(1, obs::metrics::rejection::http_accept_rate_limited), before + 1);

  fake_transport third{1};
  third.remote = "192.0.2.7:40002";
  third.clock = transport_.clock + std::chrono::milliseconds(1000);  // a token is back
  request_handler later(third, site_);
  request = upgrade_request("/chat/carol");
  later.on_data(std::span<char>(request.data(), request.size()));
  EXPECT_EQ(third.sent.substr(0, third.sent.find("\r\n")), "HTTP/1.1 101 Switching Protocols");
}

class slow_request_test : public request_handler_test {
 protected:
  void SetUp() override {
    request_handler_test::SetUp();
    site_.min_request_bytes_per_second = 20;
    transport_.timers_started.clear();
    handler_ = std::make_unique<request_handler>(transport_, site_);
  }
  // The connection offers what it has not consumed again, with what arrived since.
  std::size_t arrive(std::string_view more) {
    pending_ += more;
    const auto used = receive(pending_);
    pending_.erase(0, used);
    return used;
  }
  void advance(std::chrono::milliseconds by) { transport_.clock += by; }
  std::string pending_;
};

TEST_F(slow_request_test, first_byte_arms_a_rate_check_a_second_later) {
  arrive("GET");
  EXPECT_EQ(transport_.timers_started.back(), std::chrono::milliseconds(1000));
}

TEST_F(slow_request_test, request_arriving_slower_than_the_minimum_gets_408_and_counts) {
  const auto before = rejected(1, obs::metrics::rejection::http_slow_request);
  const auto timeouts_before = rejected(1, obs::metrics::rejection::http_request_timeout);
  arrive("GET /healthz");  // 12 bytes: under 20 a second
  advance(std::chrono::milliseconds(1000));
  handler_->on_timeout();
  EXPECT_EQ(status_line(), "HTTP/1.1 408 Request Timeout");
  EXPECT_NE(body().find("12 bytes in 1000 ms, slower than 20 bytes a second "
                        "(limits.request_min_bytes_per_second)"),
            std::string::npos);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(rejected(1, obs::metrics::rejection::http_slow_request), before + 1);
  EXPECT_EQ(rejected(1, obs::metrics::rejection::http_request_timeout), timeouts_before);
}

TEST_F(slow_request_test, bytes_offered_again_are_not_counted_twice) {
  arrive("GET /healthz HTTP/1.1\r\n");  // 23 bytes, kept by the parser until the head is whole
  advance(std::chrono::milliseconds(1000));
  handler_->on_timeout();  // 23 bytes in 1 s: fast enough
  EXPECT_EQ(transport_.sent, "");
  arrive("X");  // offered again: 24 bytes have arrived, not 47
  advance(std::chrono::milliseconds(300));
  handler_->on_timeout();  // 24 bytes in 1.3 s: 26 were due
  EXPECT_EQ(status_line(), "HTTP/1.1 408 Request Timeout");
}

TEST_F(slow_request_test, request_fast_enough_is_checked_again_until_the_deadline) {
  arrive("GET /healthz HTTP/1.1\r\n");  // 23 bytes
  advance(std::chrono::milliseconds(1000));
  handler_->on_timeout();
  EXPECT_EQ(transport_.sent, "");
  // The handshake timeout (1234 ms) comes before the next check.
  EXPECT_EQ(transport_.timers_started.back(), std::chrono::milliseconds(234));
  arrive("Host: x\r\n\r\n");
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
  EXPECT_FALSE(transport_.asked_to_close());
}

TEST_F(slow_request_test, the_deadline_still_bounds_a_request_that_is_fast_enough) {
  arrive("GET /healthz HTTP/1.1\r\nHost: x\r\nA: b\r\n");
  advance(std::chrono::milliseconds(1234));
  const auto before = rejected(1, obs::metrics::rejection::http_request_timeout);
  handler_->on_timeout();
  EXPECT_EQ(status_line(), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(rejected(1, obs::metrics::rejection::http_request_timeout), before + 1);
}

TEST_F(slow_request_test, idle_keep_alive_connection_is_not_rate_checked) {
  arrive("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(transport_.timers_started.back(), std::chrono::milliseconds(1234));
  EXPECT_EQ(status_line(), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace parley::http
