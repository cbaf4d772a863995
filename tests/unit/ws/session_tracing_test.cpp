#include <gtest/gtest.h>

#include <chrono>

#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "../support/spans.hpp"
#include "obs/log.hpp"
#include "ws/session.hpp"

namespace parley::ws {
namespace {

using namespace std::chrono_literals;
using obs::tracing::span_kind;
using test_support::attribute_of;
using test_support::fake_transport;

class quiet_handler final : public message_handler {
 public:
  void on_open(session&) override {}
  void on_text(std::string_view) override {}
  void on_binary(std::string_view) override {}
  void on_close() override {}
};

// A session whose upgrade span was recorded: its close is a child span.
class session_tracing : public ::testing::Test {
 protected:
  void SetUp() override {
    obs::init_logging({.level = "off"});
    upgrade_ = tracer_.start_span("websocket upgrade", span_kind::server);
    session_ = std::make_unique<session>(transport_, std::make_unique<quiet_handler>(),
                                         session_limits{1000, 5000ms, 0ms},
                                         obs::tracing::trace_context{&tracer_, upgrade_.context()});
    session_->open();
  }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  void receive(std::string bytes) {
    session_->on_data(std::span<char>(bytes.data(), bytes.size()));
  }
  // The one close span queued so far, checked to hang under the upgrade span.
  obs::tracing::span_record close_span() {
    auto spans = tracer_.take_queued();
    EXPECT_EQ(spans.size(), 1U);
    if (spans.empty()) return {};
    EXPECT_EQ(spans[0].name, "websocket close");
    EXPECT_EQ(spans[0].kind, span_kind::internal);
    EXPECT_EQ(spans[0].trace, upgrade_.context().trace);
    EXPECT_EQ(spans[0].parent, upgrade_.context().span);
    return spans[0];
  }

  obs::tracing::tracer tracer_ = test_support::recording_tracer();
  obs::tracing::span upgrade_;
  fake_transport transport_;
  std::unique_ptr<session> session_;
};

TEST_F(session_tracing, client_close_is_recorded_with_its_code_and_reason) {
  receive(test_support::close_frame(4000, "bye"));
  const auto span = close_span();
  EXPECT_EQ(attribute_of<std::int64_t>(span, "websocket.close.code"), 4000);
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.reason"), "bye");
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.initiator"), "client");
  EXPECT_EQ(attribute_of<bool>(span, "websocket.close.clean"), true);
}

TEST_F(session_tracing, client_close_without_a_code_is_recorded_as_1005) {
  receive(test_support::client_frame(test_support::op::close, ""));
  EXPECT_EQ(attribute_of<std::int64_t>(close_span(), "websocket.close.code"), 1005);
}

TEST_F(session_tracing, server_close_lasts_until_the_clients_answer) {
  session_->on_shutdown();
  EXPECT_TRUE(tracer_.take_queued().empty());  // still waiting for the client's close frame
  receive(test_support::close_frame(1001));
  const auto span = close_span();
  EXPECT_EQ(attribute_of<std::int64_t>(span, "websocket.close.code"), 1001);
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.reason"), "Server is shutting down.");
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.initiator"), "server");
  EXPECT_EQ(attribute_of<bool>(span, "websocket.close.clean"), true);
}

TEST_F(session_tracing, server_close_the_client_never_answers_is_unclean) {
  session_->close({close_code::policy_violation, "no"});
  session_->on_timeout();
  const auto span = close_span();
  EXPECT_EQ(attribute_of<std::int64_t>(span, "websocket.close.code"), 1008);
  EXPECT_EQ(attribute_of<bool>(span, "websocket.close.clean"), false);
}

TEST_F(session_tracing, protocol_error_is_recorded_as_the_servers_close) {
  receive(test_support::client_frame(test_support::op::text, "x", {.masked = false}));
  const auto span = close_span();
  EXPECT_EQ(attribute_of<std::int64_t>(span, "websocket.close.code"), 1002);
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.initiator"), "server");
  EXPECT_EQ(attribute_of<bool>(span, "websocket.close.clean"), false);
}

TEST_F(session_tracing, a_dropped_connection_is_recorded_as_1006_from_the_network) {
  session_->on_disconnect();
  const auto span = close_span();
  EXPECT_EQ(attribute_of<std::int64_t>(span, "websocket.close.code"), 1006);
  EXPECT_EQ(attribute_of<std::string>(span, "websocket.close.initiator"), "network");
  EXPECT_EQ(attribute_of<bool>(span, "websocket.close.clean"), false);
}

TEST_F(session_tracing, one_close_span_however_the_close_goes_on) {
  receive(test_support::close_frame(1000));
  session_->on_disconnect();
  session_->on_timeout();
  EXPECT_EQ(tracer_.take_queued().size(), 1U);
}

TEST(session_tracing_off, an_untraced_session_records_no_close) {
  obs::init_logging({.level = "off"});
  auto tracer = test_support::recording_tracer();
  fake_transport transport;
  session untraced(transport, std::make_unique<quiet_handler>(), session_limits{},
                   obs::tracing::trace_context{&tracer, {}});
  untraced.open();
  untraced.on_disconnect();
  EXPECT_TRUE(tracer.take_queued().empty());
  obs::init_logging({.level = "info"});
}

}  // namespace
}  // namespace parley::ws
