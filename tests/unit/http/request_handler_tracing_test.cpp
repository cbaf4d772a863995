#include <gtest/gtest.h>

#include "../support/fake_transport.hpp"
#include "../support/spans.hpp"
#include "http/request_handler.hpp"
#include "http/site.hpp"
#include "obs/log.hpp"
#include "obs/tracing/traceparent.hpp"

namespace parley::http {
namespace {

using obs::tracing::span_kind;
using test_support::attribute_of;
using test_support::fake_transport;
using test_support::only_span;

constexpr std::string_view k_traceparent =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

class named_app final : public ws::message_handler {
 public:
  void on_open(ws::session&) override {}
  void on_text(std::string_view) override {}
  void on_binary(std::string_view) override {}
  void on_close() override {}
  void annotate_upgrade(obs::tracing::span& upgrade) const override {
    upgrade.set_attribute("chat.username", "alice");
  }
};

std::string upgrade_request(std::string_view target, std::string_view extra_headers = {},
                            std::string_view version = "13") {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: " +
         std::string(version) + "\r\n" + std::string(extra_headers) + "\r\n";
}

class request_handler_tracing : public ::testing::Test {
 protected:
  void SetUp() override {
    obs::init_logging({.level = "off"});
    site_.tracer = &tracer_;
    site_.websocket_routes.push_back(
        {"/chat/",
         [](std::string_view target, std::size_t, std::string_view,
            std::string_view) -> websocket_application {
           if (target.find("nobody") != std::string_view::npos) return {};
           return {std::make_unique<named_app>(), {}};
         }});
    handler_ = std::make_unique<request_handler>(transport_, site_);
  }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  void receive(std::string bytes) {
    held_ = std::move(bytes);
    handler_->on_data(std::span<char>(held_.data(), held_.size()));
  }

  obs::tracing::tracer tracer_ = test_support::recording_tracer();
  fake_transport transport_;
  site site_;
  std::unique_ptr<request_handler> handler_;
  std::string held_;
};

TEST_F(request_handler_tracing, an_upgrade_continues_the_callers_traceparent) {
  receive(upgrade_request("/chat/alice", "traceparent: " + std::string(k_traceparent) + "\r\n"));
  const auto spans = tracer_.take_queued();
  const auto* upgrade = only_span(spans, "websocket upgrade");
  ASSERT_NE(upgrade, nullptr);
  const auto caller = *obs::tracing::parse_traceparent(k_traceparent);
  EXPECT_EQ(upgrade->kind, span_kind::server);
  EXPECT_EQ(upgrade->trace, caller.trace);
  EXPECT_EQ(upgrade->parent, caller.span);
  EXPECT_EQ(attribute_of<std::string>(*upgrade, "http.request.method"), "GET");
  EXPECT_EQ(attribute_of<std::string>(*upgrade, "url.path"), "/chat/alice");
  EXPECT_EQ(attribute_of<std::int64_t>(*upgrade, "http.response.status_code"), 101);
  EXPECT_EQ(attribute_of<std::string>(*upgrade, "chat.username"), "alice");

  // The session carries the upgrade span as the parent of the connection's spans.
  auto* session = dynamic_cast<ws::session*>(transport_.replacement.get());
  ASSERT_NE(session, nullptr);
  EXPECT_TRUE(session->trace().parent.sampled);
  EXPECT_EQ(session->trace().parent.trace, caller.trace);
  EXPECT_EQ(session->trace().parent.span, upgrade->id);
}

TEST_F(request_handler_tracing, an_upgrade_without_traceparent_starts_a_trace) {
  receive(upgrade_request("/chat/alice"));
  const auto spans = tracer_.take_queued();
  const auto* upgrade = only_span(spans, "websocket upgrade");
  ASSERT_NE(upgrade, nullptr);
  EXPECT_TRUE(obs::tracing::is_zero(upgrade->parent));
}

TEST_F(request_handler_tracing, malformed_or_repeated_traceparents_start_a_trace) {
  const std::string one = "traceparent: " + std::string(k_traceparent) + "\r\n";
  for (const std::string& headers : {std::string("traceparent: 00-xyz\r\n"), one + one}) {
    transport_ = fake_transport{};
    handler_ = std::make_unique<request_handler>(transport_, site_);
    receive(upgrade_request("/chat/alice", headers));
    const auto spans = tracer_.take_queued();
    const auto* upgrade = only_span(spans, "websocket upgrade");
    ASSERT_NE(upgrade, nullptr);
    EXPECT_TRUE(obs::tracing::is_zero(upgrade->parent)) << headers;
  }
}

TEST_F(request_handler_tracing, an_unsampled_traceparent_leaves_the_connection_untraced) {
  receive(upgrade_request(
      "/chat/alice", "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\r\n"));
  EXPECT_TRUE(tracer_.take_queued().empty());
  auto* session = dynamic_cast<ws::session*>(transport_.replacement.get());
  ASSERT_NE(session, nullptr);
  EXPECT_FALSE(session->trace().parent.sampled);
}

TEST_F(request_handler_tracing, refused_upgrades_are_recorded_with_their_status) {
  receive(upgrade_request("/chat/alice", {}, "8"));
  auto spans = tracer_.take_queued();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(attribute_of<std::int64_t>(spans[0], "http.response.status_code"), 426);
  EXPECT_EQ(spans[0].status, obs::tracing::span_status::unset);  // the client's problem

  site_.ready = false;
  receive(upgrade_request("/chat/alice"));
  spans = tracer_.take_queued();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(attribute_of<std::int64_t>(spans[0], "http.response.status_code"), 503);
  EXPECT_EQ(spans[0].status, obs::tracing::span_status::error);
}

TEST_F(request_handler_tracing, plain_http_requests_are_not_traced) {
  receive("GET /healthz HTTP/1.1\r\nHost: x\r\ntraceparent: " + std::string(k_traceparent) +
          "\r\n\r\n");
  EXPECT_TRUE(tracer_.take_queued().empty());
}

}  // namespace
}  // namespace parley::http
