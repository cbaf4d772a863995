#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "../support/chopped_feed.hpp"
#include "../support/deflate.hpp"
#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "obs/metrics/loop_metrics.hpp"
#include "ws/session.hpp"

namespace parley::ws {
namespace {

using namespace std::chrono_literals;
using test_support::client_frame;
using test_support::deflate_message;
using test_support::fake_transport;
namespace raw = test_support::op;

struct received {
  std::vector<std::string> texts;
  std::vector<std::string> binaries;
  int closes = 0;
};

class recording_handler final : public message_handler {
 public:
  explicit recording_handler(received& log) : log_(log) {}
  void on_open(session&) override {}
  void on_text(std::string_view text) override { log_.texts.emplace_back(text); }
  void on_binary(std::string_view data) override { log_.binaries.emplace_back(data); }
  void on_close() override { ++log_.closes; }

 private:
  received& log_;
};

constexpr std::uint64_t k_limit = 1000;

std::string compressed_frame(std::uint8_t raw_op, std::string_view text, bool fin = true) {
  return client_frame(raw_op, deflate_message(text), {.fin = fin, .rsv = 4});
}

// A session that negotiated permessage-deflate; the client's bytes arrive whole and one byte at
// a time (GetParam: the piece size, 0 for whole).
class session_deflate_test : public ::testing::TestWithParam<std::size_t> {
 protected:
  void start(bool client_no_context_takeover = false, bool deflate = true) {
    session_ = std::make_unique<session>(transport_, std::make_unique<recording_handler>(log_),
                                         session_limits{k_limit, 5000ms, 0ms});
    if (deflate) session_->enable_deflate(client_no_context_takeover);
    session_->open();
  }

  void receive(std::string_view bytes) {
    test_support::feed_in_pieces(*session_, unconsumed_, bytes, GetParam());
  }

  std::optional<std::uint16_t> close_code_sent() const {
    const auto frames = test_support::decode_server_frames(transport_.sent);
    if (!frames || frames->empty()) return std::nullopt;
    return frames->back().close_code();
  }

  fake_transport transport_;
  received log_;
  std::unique_ptr<session> session_;
  std::string unconsumed_;
};

INSTANTIATE_TEST_SUITE_P(chopped, session_deflate_test, ::testing::Values(0, 1),
                         [](const auto& info) {
                           return info.param == 0 ? std::string("whole") : "by_1";
                         });

TEST_P(session_deflate_test, says_whether_it_sends_compressed_frames) {
  start();
  EXPECT_TRUE(session_->sends_deflated());
  session plain(transport_, std::make_unique<recording_handler>(log_),
                session_limits{k_limit, 5000ms, 0ms});
  EXPECT_FALSE(plain.sends_deflated());
}

TEST_P(session_deflate_test, inflates_compressed_text_and_binary_messages) {
  start();
  receive(compressed_frame(raw::text, "caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9") +
          compressed_frame(raw::binary, std::string(300, '\x07')) +
          client_frame(raw::text, "plain too"));
  EXPECT_EQ(log_.texts,
            (std::vector<std::string>{"caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9", "plain too"}));
  EXPECT_EQ(log_.binaries, std::vector<std::string>{std::string(300, '\x07')});
  EXPECT_TRUE(session_->is_open());
}

TEST_P(session_deflate_test, inflates_a_fragmented_compressed_message) {
  start();
  const std::string body = deflate_message("fragmented and compressed, fragmented and compressed");
  const std::size_t half = body.size() / 2;
  receive(client_frame(raw::text, body.substr(0, half), {.fin = false, .rsv = 4}) +
          client_frame(raw::ping, "in between") +
          client_frame(raw::continuation, body.substr(half), {.fin = true}));
  EXPECT_EQ(log_.texts,
            std::vector<std::string>{"fragmented and compressed, fragmented and compressed"});
}

TEST_P(session_deflate_test, inflates_with_the_clients_context_from_message_to_message) {
  start(false);
  test_support::client_deflater client;  // context takeover: one compressor for all three
  std::string wire;
  for (int i = 0; i < 3; ++i) {
    wire += client_frame(raw::text, client.message("the same line, again and again"), {.rsv = 4});
  }
  receive(wire);
  EXPECT_EQ(log_.texts, std::vector<std::string>(3, "the same line, again and again"));
}

TEST_P(session_deflate_test, inflates_each_message_afresh_with_client_no_context_takeover) {
  start(true);
  receive(compressed_frame(raw::text, "one one one") + compressed_frame(raw::text, "two two two"));
  EXPECT_EQ(log_.texts, (std::vector<std::string>{"one one one", "two two two"}));
}

TEST_P(session_deflate_test, closes_a_zip_bomb_with_1009) {
  start();
  const auto& metrics = obs::metrics::for_loop(transport_.loop_index());
  const auto rejected =
      metrics.rejections[static_cast<std::size_t>(obs::metrics::rejection::ws_message_too_big)]
          .value();
  // 1 MiB of spaces compresses to about 1 KiB, far under the limit; inflated it is far over.
  receive(compressed_frame(raw::text, std::string(1024 * 1024, ' ')));
  EXPECT_EQ(close_code_sent(), 1009);
  EXPECT_TRUE(log_.texts.empty());
  EXPECT_FALSE(session_->is_open());
  EXPECT_EQ(
      metrics.rejections[static_cast<std::size_t>(obs::metrics::rejection::ws_message_too_big)]
          .value(),
      rejected + 1);
}

TEST_P(session_deflate_test, closes_with_1009_when_fragments_inflate_past_the_limit_together) {
  start();
  const std::string body = deflate_message(std::string(k_limit + 1, 'z'));
  receive(client_frame(raw::text, body.substr(0, 3), {.fin = false, .rsv = 4}) +
          client_frame(raw::continuation, body.substr(3), {.fin = true}));
  EXPECT_EQ(close_code_sent(), 1009);
}

TEST_P(session_deflate_test, takes_a_compressed_message_of_exactly_the_limit) {
  start();
  receive(compressed_frame(raw::text, std::string(k_limit, 'z')));
  ASSERT_EQ(log_.texts.size(), 1U);
  EXPECT_EQ(log_.texts[0].size(), k_limit);
}

TEST_P(session_deflate_test, closes_invalid_utf8_inside_compressed_text_with_1007) {
  start();
  receive(compressed_frame(raw::text, "valid then \xC0\xAF invalid"));
  EXPECT_EQ(close_code_sent(), 1007);
  EXPECT_TRUE(log_.texts.empty());
}

TEST_P(session_deflate_test, closes_compressed_text_that_ends_mid_code_point_with_1007) {
  start();
  receive(compressed_frame(raw::text, "cut \xE2\x82"));
  EXPECT_EQ(close_code_sent(), 1007);
}

TEST_P(session_deflate_test, closes_data_that_does_not_inflate_with_1007) {
  start();
  receive(client_frame(raw::text, "\xff\xff\xff\xff", {.rsv = 4}));
  EXPECT_EQ(close_code_sent(), 1007);
}

TEST_P(session_deflate_test, closes_rsv1_on_a_continuation_frame_with_1002) {
  start();
  receive(client_frame(raw::text, "plain", {.fin = false}) +
          client_frame(raw::continuation, deflate_message("x"), {.fin = true, .rsv = 4}));
  EXPECT_EQ(close_code_sent(), 1002);
}

TEST_P(session_deflate_test, closes_rsv1_on_a_control_frame_with_1002) {
  start();
  receive(client_frame(raw::ping, "", {.rsv = 4}));
  EXPECT_EQ(close_code_sent(), 1002);
}

TEST_P(session_deflate_test, closes_rsv1_from_a_client_that_did_not_negotiate_it_with_1002) {
  start(false, false);
  receive(compressed_frame(raw::text, "hello"));
  EXPECT_EQ(close_code_sent(), 1002);
  EXPECT_TRUE(log_.texts.empty());
}

}  // namespace
}  // namespace parley::ws
