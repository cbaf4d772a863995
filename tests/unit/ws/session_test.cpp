#include "ws/session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "../support/chopped_feed.hpp"
#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::ws {
namespace {

using namespace std::chrono_literals;
using test_support::client_frame;
using test_support::client_header;
using test_support::close_frame;
using test_support::continuation_frame;
using test_support::fake_transport;
using test_support::server_frame;
using test_support::text_frame;
namespace raw = test_support::op;

// What the application saw.
struct handler_log {
  int opens = 0;
  int closes = 0;
  std::vector<std::string> texts;
  std::vector<std::string> binaries;
  int deliveries_after_close = 0;
  // Runs inside on_text, as an application that answers or closes would.
  std::function<void(session&, std::string_view)> on_text_hook;
};

class fake_handler final : public message_handler {
 public:
  explicit fake_handler(handler_log& log) : log_(log) {}
  void on_open(session& session) override {
    session_ = &session;
    ++log_.opens;
  }
  void on_text(std::string_view text) override {
    if (log_.closes > 0) ++log_.deliveries_after_close;
    log_.texts.emplace_back(text);
    if (log_.on_text_hook) log_.on_text_hook(*session_, text);
  }
  void on_binary(std::string_view data) override {
    if (log_.closes > 0) ++log_.deliveries_after_close;
    log_.binaries.emplace_back(data);
  }
  void on_close() override { ++log_.closes; }

 private:
  handler_log& log_;
  session* session_ = nullptr;
};

constexpr std::uint64_t k_limit = 1000;
constexpr std::chrono::milliseconds k_close_timeout = 5000ms;

// Each test runs with the client's bytes in one buffer (0) and chopped into pieces of 1 and 3
// bytes, keeping what on_data leaves unconsumed and offering it again with more, as
// net::connection does.
class session_test : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    session_ = std::make_unique<session>(transport_, std::make_unique<fake_handler>(log_),
                                         session_limits{k_limit, k_close_timeout, 0ms});
    session_->open();
  }

  void TearDown() override {
    EXPECT_EQ(transport_.sends_after_close, 0)
        << "the session sent after asking the transport to close";
    EXPECT_EQ(log_.deliveries_after_close, 0) << "a message was delivered after on_close";
    EXPECT_LE(log_.closes, 1) << "on_close called more than once";
  }

  void receive(std::string_view bytes) {
    test_support::feed_in_pieces(*session_, unconsumed_, bytes, GetParam());
  }

  // The frames the server sent, each checked to be a valid server frame.
  std::vector<server_frame> sent_frames() {
    auto frames = test_support::decode_server_frames(transport_.sent);
    EXPECT_TRUE(frames.has_value()) << "the server sent bytes that are not whole frames";
    if (!frames) return {};
    for (const auto& frame : *frames) {
      EXPECT_TRUE(frame.fin);
      EXPECT_EQ(frame.rsv, 0);
      EXPECT_FALSE(frame.masked);
    }
    return *frames;
  }

  // Expects exactly one frame sent, a close with `code`, and the TCP connection closed after it.
  void expect_failed_with(std::uint16_t code) {
    const auto frames = sent_frames();
    ASSERT_EQ(frames.size(), 1U);
    EXPECT_EQ(frames[0].opcode, raw::close);
    EXPECT_EQ(frames[0].close_code(), code);
    EXPECT_TRUE(is_valid_utf8(frames[0].close_reason()));
    EXPECT_EQ(transport_.close_after_flush_calls, 1);
    EXPECT_EQ(transport_.close_now_calls, 0);
    EXPECT_EQ(log_.closes, 1);
    EXPECT_FALSE(session_->is_open());
  }

  fake_transport transport_;
  handler_log log_;
  std::unique_ptr<session> session_;
  std::string unconsumed_;
};

INSTANTIATE_TEST_SUITE_P(chopped, session_test, ::testing::Values(0, 1, 3), [](const auto& info) {
  return info.param == 0 ? std::string("whole") : "by_" + std::to_string(info.param);
});

// --- messages --------------------------------------------------------------------------------

TEST_P(session_test, tells_the_handler_it_is_open) {
  EXPECT_EQ(log_.opens, 1);
  EXPECT_TRUE(session_->is_open());
  EXPECT_EQ(session_->loop_index(), 3U);
}

TEST_P(session_test, delivers_text_message) {
  receive(text_frame("hello \xE2\x82\xAC"));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"hello \xE2\x82\xAC"});
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_TRUE(unconsumed_.empty());
  EXPECT_TRUE(session_->is_open());
}

TEST_P(session_test, delivers_binary_message) {
  const std::string data("\x00\xFF\x80 binary", 10);
  receive(client_frame(raw::binary, data));
  EXPECT_EQ(log_.binaries, std::vector<std::string>{data});
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, delivers_empty_text_message) {
  receive(text_frame(""));
  EXPECT_EQ(log_.texts, std::vector<std::string>{""});
}

TEST_P(session_test, delivers_several_messages_from_one_buffer_in_order) {
  receive(text_frame("one") + client_frame(raw::binary, "two") + text_frame("three"));
  EXPECT_EQ(log_.texts, (std::vector<std::string>{"one", "three"}));
  EXPECT_EQ(log_.binaries, std::vector<std::string>{"two"});
}

TEST_P(session_test, delivers_messages_of_every_length_encoding) {
  receive(text_frame(std::string(125, 'a')) + text_frame(std::string(126, 'b')) +
          text_frame(std::string(k_limit, 'c')));
  ASSERT_EQ(log_.texts.size(), 3U);
  EXPECT_EQ(log_.texts[0], std::string(125, 'a'));
  EXPECT_EQ(log_.texts[1], std::string(126, 'b'));
  EXPECT_EQ(log_.texts[2], std::string(k_limit, 'c'));
}

TEST_P(session_test, reassembles_fragmented_message) {
  // The euro sign is split across the fragments.
  receive(text_frame("frag\xE2", false) + continuation_frame("\x82", false) +
          continuation_frame("", false) + continuation_frame("\xAC end", true));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"frag\xE2\x82\xAC end"});
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_P(session_test, reassembles_fragmented_binary_message) {
  receive(client_frame(raw::binary, "ab", {.fin = false}) + continuation_frame("\xFF", true));
  EXPECT_EQ(log_.binaries, std::vector<std::string>{"ab\xFF"});
}

TEST_P(session_test, delivers_a_message_after_a_fragmented_one) {
  receive(text_frame("a", false) + continuation_frame("b", true) + text_frame("c"));
  EXPECT_EQ(log_.texts, (std::vector<std::string>{"ab", "c"}));
}

// --- control frames --------------------------------------------------------------------------

TEST_P(session_test, answers_ping_with_pong_carrying_same_payload) {
  receive(client_frame(raw::ping, "are you there?"));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::pong);
  EXPECT_EQ(frames[0].payload, "are you there?");
}

TEST_P(session_test, answers_empty_and_125_byte_pings) {
  const std::string big(125, '\x81');
  receive(client_frame(raw::ping, "") + client_frame(raw::ping, big));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].payload, "");
  EXPECT_EQ(frames[1].payload, big);
}

TEST_P(session_test, answers_ping_interleaved_in_fragmented_message) {
  receive(text_frame("Hel", false) + client_frame(raw::ping, "p1") +
          continuation_frame("lo", false) + client_frame(raw::pong, "unsolicited") +
          client_frame(raw::ping, "p2") + continuation_frame("!", true));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"Hello!"});
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].opcode, raw::pong);
  EXPECT_EQ(frames[0].payload, "p1");
  EXPECT_EQ(frames[1].payload, "p2");
  EXPECT_TRUE(session_->is_open());
}

TEST_P(session_test, ignores_unsolicited_pong) {
  receive(client_frame(raw::pong, "x"));
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_TRUE(session_->is_open());
}

TEST_P(session_test, control_frames_do_not_count_towards_the_message_limit) {
  const std::string half(k_limit / 2, 'h');
  receive(text_frame(half, false) + client_frame(raw::ping, std::string(125, 'p')) +
          continuation_frame(half, true));
  ASSERT_EQ(log_.texts.size(), 1U);
  EXPECT_EQ(log_.texts[0].size(), k_limit);
}

// --- protocol errors -------------------------------------------------------------------------

TEST_P(session_test, rejects_unmasked_frame_with_1002) {
  receive(client_frame(raw::text, "hi", {.masked = false}));
  expect_failed_with(1002);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, rejects_rsv_bits_with_1002) {
  receive(client_frame(raw::text, "hi", {.rsv = 4}));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_reserved_opcode_with_1002) {
  receive(client_frame(0x3, "hi"));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_fragmented_ping_with_1002) {
  receive(client_frame(raw::ping, "hi", {.fin = false}));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_ping_over_125_bytes_with_1002) {
  receive(client_frame(raw::ping, std::string(126, 'p')));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_continuation_without_start_with_1002) {
  receive(continuation_frame("orphan", true));
  expect_failed_with(1002);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, rejects_continuation_after_a_finished_message_with_1002) {
  receive(text_frame("done") + continuation_frame("more", true));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"done"});
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_new_message_during_fragmented_one_with_1002) {
  receive(text_frame("first", false) + text_frame("second"));
  expect_failed_with(1002);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, rejects_new_binary_message_during_fragmented_text_with_1002) {
  receive(text_frame("first", false) + client_frame(raw::binary, "second", {.fin = false}));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_invalid_utf8_text_with_1007) {
  receive(text_frame("bad \xC0\xAF"));
  expect_failed_with(1007);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, accepts_invalid_utf8_in_binary_message) {
  receive(client_frame(raw::binary, "\xC0\xAF"));
  EXPECT_EQ(log_.binaries.size(), 1U);
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_P(session_test, fails_fast_on_invalid_utf8_in_first_fragment) {
  // Only the first fragment arrives: the surrogate already rules the message out.
  receive(text_frame("ok \xED\xA0", false));
  expect_failed_with(1007);
}

TEST_P(session_test, fails_fast_on_invalid_utf8_in_a_middle_fragment) {
  receive(text_frame("ok", false) + continuation_frame("\xF4\x90", false));
  expect_failed_with(1007);
}

TEST_P(session_test, fails_fast_on_invalid_utf8_inside_a_frame_that_has_not_fully_arrived) {
  // Only part of one whole-message frame arrives, and that part is already impossible UTF-8.
  const std::string frame = text_frame(std::string("ok \xED\xA0") + std::string(200, 'x'));
  receive(frame.substr(0, frame.size() - 200));
  expect_failed_with(1007);
}

TEST_P(session_test, delivers_text_frame_checked_piece_by_piece_intact) {
  // Checking an incomplete frame unmasks it in place; the rest must still unmask correctly.
  const std::string text =
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5 \xF0\x9F\x8E\x89 and more text";
  receive(text_frame(text));
  ASSERT_EQ(log_.texts.size(), 1U);
  EXPECT_EQ(log_.texts[0], text);
}

TEST_P(session_test, rejects_fragmented_text_ending_inside_a_character_with_1007) {
  receive(text_frame("ok \xE2\x82", false) + continuation_frame("", true));
  expect_failed_with(1007);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, accepts_message_of_exactly_the_limit) {
  receive(client_frame(raw::binary, std::string(k_limit, 'x')));
  ASSERT_EQ(log_.binaries.size(), 1U);
  EXPECT_TRUE(transport_.sent.empty());
}

TEST_P(session_test, rejects_message_over_the_limit_with_1009_from_its_header) {
  // Only the header arrives; the payload is never buffered.
  receive(client_header(raw::text, k_limit + 1));
  expect_failed_with(1009);
}

TEST_P(session_test, rejects_fragmented_message_over_the_limit_in_total_with_1009) {
  receive(text_frame(std::string(600, 'a'), false) +
          client_header(raw::continuation, k_limit - 600 + 1));
  expect_failed_with(1009);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_test, accepts_fragmented_message_of_exactly_the_limit_in_total) {
  receive(text_frame(std::string(600, 'a'), false) +
          continuation_frame(std::string(k_limit - 600, 'b'), true));
  ASSERT_EQ(log_.texts.size(), 1U);
  EXPECT_EQ(log_.texts[0].size(), k_limit);
}

TEST_P(session_test, limit_applies_to_each_message_not_the_connection) {
  const std::string big(k_limit, 'x');
  receive(text_frame(big, false) + continuation_frame("", true) + text_frame(big) +
          text_frame(big, false) + continuation_frame("", true));
  EXPECT_EQ(log_.texts.size(), 3U);
  EXPECT_TRUE(transport_.sent.empty());
}

// --- the closing handshake -------------------------------------------------------------------

TEST_P(session_test, answers_client_close_1000_with_close_1000_then_closes) {
  receive(close_frame(1000, "bye"));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::close);
  EXPECT_EQ(frames[0].close_code(), 1000);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(transport_.close_now_calls, 0);
  EXPECT_EQ(log_.closes, 1);
  EXPECT_FALSE(session_->is_open());
}

TEST_P(session_test, echoes_every_valid_close_code) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(code);
    fake_transport transport;
    handler_log log;
    session s(transport, std::make_unique<fake_handler>(log), {k_limit, k_close_timeout});
    s.open();
    std::string frame = close_frame(code, "reason");
    EXPECT_EQ(s.on_data(std::span<char>(frame.data(), frame.size())), frame.size());
    const auto frames = test_support::decode_server_frames(transport.sent);
    ASSERT_TRUE(frames.has_value());
    ASSERT_EQ(frames->size(), 1U);
    EXPECT_EQ(frames->front().close_code(), code);
    EXPECT_EQ(transport.close_after_flush_calls, 1);
    EXPECT_EQ(log.closes, 1);
  }
}

TEST_P(session_test, answers_empty_close_with_empty_close) {
  receive(client_frame(raw::close, ""));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::close);
  EXPECT_EQ(frames[0].payload, "");
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, rejects_one_byte_close_with_1002) {
  receive(client_frame(raw::close, "\x03"));
  expect_failed_with(1002);
}

TEST_P(session_test, rejects_invalid_close_codes_with_1002) {
  for (std::uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(code);
    fake_transport transport;
    handler_log log;
    session s(transport, std::make_unique<fake_handler>(log), {k_limit, k_close_timeout});
    s.open();
    std::string frame = close_frame(code);
    s.on_data(std::span<char>(frame.data(), frame.size()));
    const auto frames = test_support::decode_server_frames(transport.sent);
    ASSERT_TRUE(frames.has_value());
    ASSERT_EQ(frames->size(), 1U);
    EXPECT_EQ(frames->front().close_code(), 1002);
    EXPECT_EQ(transport.close_after_flush_calls, 1);
    EXPECT_EQ(log.closes, 1);
  }
}

TEST_P(session_test, rejects_close_reason_with_invalid_utf8_with_1007) {
  receive(close_frame(1000, "bad \xED\xA0\x80"));
  expect_failed_with(1007);
}

TEST_P(session_test, accepts_close_reason_in_utf8) {
  receive(close_frame(1000, "tsch\xC3\xBC\xC3\x9F"));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_code(), 1000);
}

TEST_P(session_test, client_close_ends_a_fragmented_message_undelivered) {
  receive(text_frame("half", false) + close_frame(1000));
  EXPECT_TRUE(log_.texts.empty());
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_code(), 1000);
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, ignores_frames_after_client_close) {
  receive(close_frame(1000) + text_frame("late") + client_frame(raw::ping, "late") +
          close_frame(1000));
  EXPECT_TRUE(log_.texts.empty());
  EXPECT_EQ(sent_frames().size(), 1U);  // only the close reply, no pong, no second close
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(log_.closes, 1);
  EXPECT_TRUE(unconsumed_.empty());  // read and dropped
}

TEST_P(session_test, ignores_garbage_after_a_protocol_error) {
  receive(continuation_frame("x", true) + std::string(40, '\xFF') + text_frame("late"));
  expect_failed_with(1002);
  EXPECT_TRUE(log_.texts.empty());
  EXPECT_TRUE(unconsumed_.empty());
}

TEST_P(session_test, server_close_sends_close_frame_and_starts_the_timer) {
  session_->close(
      {close_code::policy_violation, "Invalid age: must be a whole number from 0 to 150."});
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::close);
  EXPECT_EQ(frames[0].close_code(), 1008);
  EXPECT_EQ(frames[0].close_reason(), "Invalid age: must be a whole number from 0 to 150.");
  EXPECT_EQ(transport_.timers_started, std::vector<std::chrono::milliseconds>{k_close_timeout});
  EXPECT_FALSE(transport_.asked_to_close());  // waits for the client's close frame
  EXPECT_EQ(log_.closes, 1);
  EXPECT_FALSE(session_->is_open());
}

TEST_P(session_test, closes_at_once_when_the_client_never_answers_the_close) {
  session_->close({close_code::normal, ""});
  session_->on_timeout();
  EXPECT_EQ(transport_.close_now_calls, 1);
  EXPECT_EQ(sent_frames().size(), 1U);
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, completes_the_handshake_when_the_client_answers_the_close) {
  session_->close({close_code::normal, "bye"});
  receive(close_frame(1000));
  EXPECT_EQ(sent_frames().size(), 1U);  // no second close frame
  EXPECT_EQ(transport_.timer_cancels, 1);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(transport_.close_now_calls, 0);
  EXPECT_EQ(log_.closes, 1);
  session_->on_timeout();  // a timer that fired anyway changes nothing
  EXPECT_EQ(transport_.close_now_calls, 0);
}

TEST_P(session_test, delivers_nothing_while_waiting_for_the_client_close) {
  session_->close({close_code::normal, ""});
  receive(text_frame("late") + client_frame(raw::binary, "late"));
  EXPECT_TRUE(log_.texts.empty());
  EXPECT_TRUE(log_.binaries.empty());
  EXPECT_EQ(sent_frames().size(), 1U);
}

TEST_P(session_test, protocol_error_while_closing_closes_without_a_second_close_frame) {
  session_->close({close_code::normal, ""});
  receive(client_frame(raw::text, "x", {.masked = false}));
  EXPECT_EQ(sent_frames().size(), 1U);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, second_close_is_ignored) {
  session_->close({close_code::normal, "one"});
  session_->close({close_code::going_away, "two"});
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_reason(), "one");
  EXPECT_EQ(transport_.timers_started.size(), 1U);
}

TEST_P(session_test, shutdown_sends_close_1001) {
  session_->on_shutdown();
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_code(), 1001);
  EXPECT_EQ(frames[0].close_reason(), "Server is shutting down.");
  EXPECT_EQ(transport_.timers_started, std::vector<std::chrono::milliseconds>{k_close_timeout});
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, slow_consumer_is_closed_with_1008_and_leaves) {
  session_->on_slow_consumer();
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_code(), 1008);
  EXPECT_EQ(frames[0].close_reason(), "Too slow: too much output left unread.");
  EXPECT_FALSE(session_->is_open());
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, input_left_when_output_stops_keeps_its_framing_for_the_close) {
  // A ping flood from a client that never reads: the first pong makes it a slow consumer, and the
  // connection tells the session later, from a fresh call. What arrived meanwhile must be parsed
  // in step afterwards (once it was dropped mid-frame, and the rest failed with 1002).
  const auto& rejections = obs::metrics::for_loop(transport_.loop_index()).rejections;
  const auto protocol_errors = [&] {
    return rejections[static_cast<std::size_t>(obs::metrics::rejection::ws_protocol_error)].value();
  };
  const auto errors_before = protocol_errors();
  const std::string ping = client_frame(raw::ping, std::string(125, 'p'));
  transport_.sends_until_slow = 1;
  receive(ping + ping + ping.substr(0, 50));
  transport_.sends_until_slow = -1;
  session_->on_slow_consumer();
  receive(ping.substr(50) + ping + close_frame(1000));

  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 2U);  // the first pong; none while closing
  EXPECT_EQ(frames[0].opcode, raw::pong);
  EXPECT_EQ(frames[1].close_code(), 1008);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);  // the client's close ended the handshake
  EXPECT_EQ(transport_.close_now_calls, 0);
  EXPECT_EQ(protocol_errors(), errors_before);
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, shutdown_after_close_sends_nothing_more) {
  receive(close_frame(1000));
  session_->on_shutdown();
  EXPECT_EQ(sent_frames().size(), 1U);
}

TEST_P(session_test, timeout_while_open_changes_nothing) {
  session_->on_timeout();
  EXPECT_TRUE(session_->is_open());
  EXPECT_FALSE(transport_.asked_to_close());
  receive(text_frame("still here"));
  EXPECT_EQ(log_.texts.size(), 1U);
}

TEST_P(session_test, disconnect_calls_on_close_exactly_once) {
  session_->on_disconnect();
  EXPECT_EQ(log_.closes, 1);
  session_->on_disconnect();
  EXPECT_EQ(log_.closes, 1);
  EXPECT_FALSE(session_->is_open());
  EXPECT_TRUE(transport_.sent.empty());  // the socket is gone: nothing to say
}

TEST_P(session_test, disconnect_after_close_handshake_does_not_call_on_close_again) {
  receive(close_frame(1000));
  session_->on_disconnect();
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, disconnect_after_protocol_error_does_not_call_on_close_again) {
  receive(continuation_frame("x", true));
  session_->on_disconnect();
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, ignores_data_after_disconnect) {
  session_->on_disconnect();
  receive(text_frame("ghost") + client_frame(raw::ping, "ghost"));
  EXPECT_TRUE(log_.texts.empty());
  EXPECT_TRUE(transport_.sent.empty());
}

// --- the application side --------------------------------------------------------------------

TEST_P(session_test, send_queues_frames_while_open_only) {
  const auto frame = make_shared_frame(opcode::text, {"to client"});
  session_->send(frame);
  session_->close({close_code::normal, ""});
  session_->send(frame);
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].payload, "to client");
  EXPECT_EQ(frames[1].opcode, raw::close);
}

TEST_P(session_test, handler_may_answer_from_on_text) {
  log_.on_text_hook = [](session& s, std::string_view text) {
    s.send(make_shared_frame(opcode::text, {"echo: ", text}));
  };
  receive(text_frame("a") + text_frame("b"));
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 2U);
  EXPECT_EQ(frames[0].payload, "echo: a");
  EXPECT_EQ(frames[1].payload, "echo: b");
}

TEST_P(session_test, handler_closing_from_on_text_stops_later_messages_in_the_same_buffer) {
  log_.on_text_hook = [](session& s, std::string_view) {
    s.close({close_code::unsupported_data, "stop"});
  };
  receive(text_frame("first") + text_frame("second") + close_frame(1003));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"first"});
  const auto frames = sent_frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].close_code(), 1003);
  EXPECT_EQ(transport_.close_after_flush_calls, 1);  // the client's close completed the handshake
  EXPECT_EQ(log_.closes, 1);
}

TEST_P(session_test, handler_closing_from_a_fragmented_message_leaves_a_clean_state) {
  log_.on_text_hook = [](session& s, std::string_view) { s.close({close_code::normal, ""}); };
  receive(text_frame("a", false) + continuation_frame("b", true) + text_frame("c", false) +
          continuation_frame("d", true));
  EXPECT_EQ(log_.texts, std::vector<std::string>{"ab"});
  EXPECT_EQ(sent_frames().size(), 1U);
}

// --- keep-alive pings (not parameterised: driven by the timer, not by the bytes) ------------

constexpr std::chrono::milliseconds k_ping_interval = 30000ms;

struct pinging_session {
  pinging_session()
      : session(transport, std::make_unique<fake_handler>(log),
                {k_limit, k_close_timeout, k_ping_interval}) {
    session.open();
  }
  std::vector<server_frame> frames() {
    return test_support::decode_server_frames(transport.sent).value_or(std::vector<server_frame>{});
  }

  fake_transport transport;
  handler_log log;
  ws::session session;
};

TEST(session_ping, starts_the_ping_timer_when_opened) {
  pinging_session s;
  EXPECT_EQ(s.transport.timers_started, std::vector<std::chrono::milliseconds>{k_ping_interval});
}

TEST(session_ping, pings_a_quiet_peer_and_drops_it_when_still_quiet_an_interval_later) {
  pinging_session s;
  s.transport.clock += k_ping_interval;
  s.session.on_timeout();
  auto frames = s.frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::ping);
  EXPECT_EQ(s.transport.close_now_calls, 0);
  EXPECT_EQ(s.log.closes, 0);

  s.transport.clock += k_ping_interval;
  s.session.on_timeout();
  EXPECT_EQ(s.transport.close_now_calls, 1);
  EXPECT_EQ(s.log.closes, 1);
  EXPECT_FALSE(s.session.is_open());
}

TEST(session_ping, counts_silence_from_the_last_byte_heard) {
  // Bytes just after the timer was set: the next timeout finds only part of an interval of
  // silence and waits for the rest instead of pinging (or of waiting a whole extra interval).
  pinging_session s;
  s.transport.clock += k_ping_interval / 3;
  std::string text = text_frame("hi");
  s.session.on_data(std::span<char>(text.data(), text.size()));
  s.transport.clock += k_ping_interval * 2 / 3;
  s.session.on_timeout();
  EXPECT_TRUE(s.transport.sent.empty());
  ASSERT_EQ(s.transport.timers_started.size(), 2U);
  EXPECT_GE(s.transport.timers_started[1], k_ping_interval / 3);
  EXPECT_LE(s.transport.timers_started[1], k_ping_interval / 3 + 5ms);

  s.transport.clock += s.transport.timers_started[1];
  s.session.on_timeout();
  ASSERT_EQ(s.frames().size(), 1U);
  EXPECT_EQ(s.frames()[0].opcode, raw::ping);
}

TEST(session_ping, a_peer_that_answers_stays_connected) {
  pinging_session s;
  for (int round = 0; round < 5; ++round) {
    s.transport.clock += k_ping_interval;
    s.session.on_timeout();  // ping, or (after a pong) the wait for the next quiet interval
    std::string pong = client_frame(raw::pong, "");
    s.session.on_data(std::span<char>(pong.data(), pong.size()));
  }
  s.transport.clock += k_ping_interval;
  s.session.on_timeout();
  EXPECT_EQ(s.transport.close_now_calls, 0);
  EXPECT_TRUE(s.session.is_open());
  EXPECT_GE(s.frames().size(), 3U);
}

TEST(session_ping, a_peer_that_talks_is_never_pinged) {
  pinging_session s;
  for (int round = 0; round < 6; ++round) {
    std::string text = text_frame("hi");
    s.session.on_data(std::span<char>(text.data(), text.size()));
    s.transport.clock += k_ping_interval / 2;
    s.session.on_timeout();
  }
  EXPECT_TRUE(s.transport.sent.empty());
  EXPECT_TRUE(s.session.is_open());
}

}  // namespace
// --- close_at (an authentication token's expiry) ------------------------------------------

TEST(session_close_at, closes_with_the_status_at_its_time_before_the_next_ping) {
  pinging_session s;
  s.session.close_at(s.transport.clock + 2500ms, {close_code::token_expired, "Token expired."});
  EXPECT_EQ(s.transport.timers_started.back(), 2500ms);
  s.transport.clock += 2500ms;
  s.session.on_timeout();
  const auto frames = s.frames();
  ASSERT_EQ(frames.size(), 1U);
  EXPECT_EQ(frames[0].opcode, raw::close);
  EXPECT_EQ(frames[0].close_code(), 4001);
  EXPECT_EQ(frames[0].close_reason(), "Token expired.");
  EXPECT_EQ(s.log.closes, 1);
}

TEST(session_close_at, a_moved_time_neither_closes_early_nor_pings_early) {
  pinging_session s;
  s.session.close_at(s.transport.clock + 1000ms, {close_code::token_expired, "Token expired."});
  s.session.close_at(s.transport.clock + 60000ms, {close_code::token_expired, "Token expired."});
  s.transport.clock += 1000ms;  // the timer set for the first time fires
  s.session.on_timeout();
  EXPECT_TRUE(s.frames().empty());
  EXPECT_EQ(s.transport.timers_started.back(), k_ping_interval - 1000ms);
  s.transport.clock += k_ping_interval - 1000ms;
  s.session.on_timeout();  // the ping, on time
  ASSERT_EQ(s.frames().size(), 1U);
  EXPECT_EQ(s.frames()[0].opcode, raw::ping);
  EXPECT_EQ(s.log.closes, 0);
}

TEST(session_close_at, the_maximum_time_cancels_it) {
  pinging_session s;
  s.session.close_at(s.transport.clock + 1000ms, {close_code::token_expired, "Token expired."});
  s.session.close_at(std::chrono::steady_clock::time_point::max(),
                     {close_code::token_expired, "Token expired."});
  EXPECT_EQ(s.transport.timers_started.back(), k_ping_interval);
}

}  // namespace parley::ws
