#include "chat/v1/events.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../support/frames.hpp"

namespace parley::chat::v1 {
namespace {

// 2026-12-02T18:27:06.120Z
constexpr std::int64_t k_ts = 1796236026120;

// The payload of `frame`, checked to be one final, unmasked text frame (decoded independently
// of the encoder).
std::string text_of(const ws::shared_frame& frame) {
  if (frame == nullptr) {
    ADD_FAILURE() << "no frame";
    return {};
  }
  const auto frames = test_support::decode_server_frames(*frame);
  if (!frames || frames->size() != 1) {
    ADD_FAILURE() << "not one whole frame";
    return {};
  }
  EXPECT_TRUE(frames->front().fin);
  EXPECT_EQ(frames->front().rsv, 0);
  EXPECT_EQ(frames->front().opcode, test_support::op::text);
  return frames->front().payload;
}

store::event message(std::uint64_t id, std::string user, std::string text,
                     std::string client_id = {}) {
  return {.id = id,
          .ts_ms = k_ts,
          .kind = store::event_kind::message,
          .user = std::move(user),
          .text = std::move(text),
          .client_id = std::move(client_id)};
}

// --- ts ---------------------------------------------------------------------------------------

TEST(v1_events, formats_ts_as_iso_8601_utc_with_milliseconds) {
  EXPECT_EQ(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso_timestamp(k_ts), "2026-12-02T18:27:06.120Z");
  EXPECT_EQ(iso_timestamp(1709208000000), "2024-02-29T12:00:00.000Z");  // a leap day
  EXPECT_EQ(iso_timestamp(951868799999), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(iso_timestamp(4102444799999), "2099-12-31T23:59:59.999Z");
  EXPECT_EQ(iso_timestamp(5), "1970-01-01T00:00:00.005Z");
  EXPECT_EQ(iso_timestamp(1050), "1970-01-01T00:00:01.050Z");
}

TEST(v1_events, formats_times_before_the_epoch_from_the_second_below) {
  EXPECT_EQ(iso_timestamp(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(iso_timestamp(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(iso_timestamp(-1001), "1969-12-31T23:59:58.999Z");
}

TEST(v1_events, formats_each_time_right_whatever_was_formatted_before) {
  // The formatted second is cached: going back and forth across seconds must not reuse it.
  EXPECT_EQ(iso_timestamp(k_ts), "2026-12-02T18:27:06.120Z");
  EXPECT_EQ(iso_timestamp(k_ts + 880), "2026-12-02T18:27:07.000Z");
  EXPECT_EQ(iso_timestamp(k_ts + 879), "2026-12-02T18:27:06.999Z");
  EXPECT_EQ(iso_timestamp(k_ts - 120), "2026-12-02T18:27:06.000Z");
  EXPECT_EQ(iso_timestamp(k_ts - 121), "2026-12-02T18:27:05.999Z");
  EXPECT_EQ(iso_timestamp(k_ts + 86'400'000), "2026-12-03T18:27:06.120Z");
  EXPECT_EQ(iso_timestamp(k_ts), "2026-12-02T18:27:06.120Z");
}

// --- stored events ----------------------------------------------------------------------------

TEST(v1_events, encodes_a_message_without_client_id) {
  EXPECT_EQ(event_json("lobby", message(41, "bob", "anyone?")),
            R"({"type":"message","id":41,"ts":"2026-12-02T18:27:06.120Z","room":"lobby",)"
            R"("from":"bob","text":"anyone?"})");
}

TEST(v1_events, encodes_a_message_with_client_id) {
  EXPECT_EQ(event_json("lobby", message(43, "alice", "hi bob", "5f0c")),
            R"({"type":"message","id":43,"ts":"2026-12-02T18:27:06.120Z","room":"lobby",)"
            R"("from":"alice","text":"hi bob","client_id":"5f0c"})");
}

TEST(v1_events, encodes_a_join_with_and_without_age) {
  store::event join{.id = 42, .ts_ms = k_ts, .kind = store::event_kind::join, .user = "alice"};
  EXPECT_EQ(event_json("dev", join),
            R"({"type":"join","id":42,"ts":"2026-12-02T18:27:06.120Z","room":"dev",)"
            R"("user":"alice"})");
  join.age = 30;
  EXPECT_EQ(event_json("dev", join),
            R"({"type":"join","id":42,"ts":"2026-12-02T18:27:06.120Z","room":"dev",)"
            R"("user":"alice","age":30})");
  join.age = 0;
  EXPECT_EQ(event_json("dev", join),
            R"({"type":"join","id":42,"ts":"2026-12-02T18:27:06.120Z","room":"dev",)"
            R"("user":"alice","age":0})");
}

TEST(v1_events, encodes_a_leave_without_text_age_or_client_id) {
  const store::event leave{.id = 18446744073709551615U,
                           .ts_ms = k_ts,
                           .kind = store::event_kind::leave,
                           .user = "bob",
                           .age = 30,
                           .text = "ignored",
                           .client_id = "ignored"};
  EXPECT_EQ(event_json("dev", leave),
            R"({"type":"leave","id":18446744073709551615,"ts":"2026-12-02T18:27:06.120Z",)"
            R"("room":"dev","user":"bob"})");
}

TEST(v1_events, escapes_quotes_backslashes_and_control_characters) {
  EXPECT_EQ(event_json("r", message(1, "a\"b\\c", "line\none\ttab\r\x01\x1f\x7f</script>", "q\"")),
            R"({"type":"message","id":1,"ts":"2026-12-02T18:27:06.120Z","room":"r",)"
            R"("from":"a\"b\\c","text":"line\none\ttab\r\u0001\u001f\u007f</script>",)"
            R"("client_id":"q\""})");
}

TEST(v1_events, keeps_valid_utf8_and_replaces_invalid_bytes) {
  // é, €, an emoji; then a lone continuation byte and a truncated sequence.
  EXPECT_EQ(event_json("r", message(2, "\xC3\xA9", "\xE2\x82\xAC \xF0\x9F\x98\x80 \x80 \xE2\x82")),
            "{\"type\":\"message\",\"id\":2,\"ts\":\"2026-12-02T18:27:06.120Z\",\"room\":\"r\","
            "\"from\":\"\xC3\xA9\",\"text\":\"\xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBF\xBD "
            "\xEF\xBF\xBD\xEF\xBF\xBD\"}");
}

TEST(v1_events, frames_an_event_once_as_one_text_frame_holding_its_json) {
  const auto e = message(7, "bob", std::string(70'000, 'x'));  // a 64-bit length
  const auto frame = event_frame("lobby", e);
  EXPECT_EQ(text_of(frame), event_json("lobby", e));
  EXPECT_EQ(event_json_in(frame), event_json("lobby", e));
  const auto small = event_frame("lobby", message(8, "bob", "hi"));
  EXPECT_EQ(event_json_in(small), event_json("lobby", message(8, "bob", "hi")));
}

// --- other events -----------------------------------------------------------------------------

TEST(v1_events, encodes_a_gap) {
  EXPECT_EQ(gap_json("lobby", 3, 4098), R"({"type":"gap","room":"lobby","from":3,"to":4098})");
}

TEST(v1_events, encodes_hello_with_every_limit) {
  EXPECT_EQ(text_of(hello_frame("al\"ice", "0.1.0",
                                {.max_message_size = 65536,
                                 .max_text_bytes = 16384,
                                 .max_rooms = 64,
                                 .history_limit = 100,
                                 .typing_interval_ms = 2000})),
            R"({"type":"hello","user":"al\"ice","version":"0.1.0","protocol":"parley.v1",)"
            R"("limits":{"max_message_size":65536,"max_text_bytes":16384,"max_rooms":64,)"
            R"("history_limit":100,"typing_interval_ms":2000}})");
}

TEST(v1_events, encodes_joined_with_users_and_events_in_order) {
  const std::vector<std::string> users = {"bob", "alice"};
  const std::string first = event_json("lobby", message(41, "bob", "anyone?"));
  const std::string gap = gap_json("lobby", 42, 43);
  const std::vector<std::string_view> events = {first, gap};
  EXPECT_EQ(text_of(joined_frame("lobby", users, 44, events, false)),
            R"({"type":"joined","room":"lobby","users":["bob","alice"],"last_id":44,"events":[)" +
                first + "," + gap + "]}");
}

TEST(v1_events, encodes_joined_with_reset_and_nothing_else) {
  const std::vector<std::string> users = {"a\\b"};
  EXPECT_EQ(
      text_of(joined_frame("r", users, 1, {}, true)),
      R"({"type":"joined","room":"r","users":["a\\b"],"last_id":1,"reset":true,"events":[]})");
  EXPECT_EQ(text_of(joined_frame("r", {}, 0, {}, false)),
            R"({"type":"joined","room":"r","users":[],"last_id":0,"events":[]})");
}

TEST(v1_events, encodes_history) {
  const std::string a = event_json("dev", message(1, "x", "1"));
  const std::string b = event_json("dev", message(2, "y", "2"));
  const std::vector<std::string_view> events = {a, b};
  EXPECT_EQ(text_of(history_frame("dev", events)),
            R"({"type":"history","room":"dev","events":[)" + a + "," + b + "]}");
  EXPECT_EQ(text_of(history_frame("dev", {})), R"({"type":"history","room":"dev","events":[]})");
}

TEST(v1_events, encodes_typing) {
  EXPECT_EQ(text_of(typing_frame("dev", "bob")), R"({"type":"typing","room":"dev","user":"bob"})");
}

TEST(v1_events, encodes_an_error_with_and_without_room_and_client_id) {
  EXPECT_EQ(text_of(error_frame(error_code::not_joined, "Not in this room: join it first.", "dev",
                                "c-17")),
            R"({"type":"error","code":"not_joined","reason":"Not in this room: join it first.",)"
            R"("room":"dev","client_id":"c-17"})");
  EXPECT_EQ(text_of(error_frame(error_code::bad_json, "Not valid JSON.", {}, {})),
            R"({"type":"error","code":"bad_json","reason":"Not valid JSON."})");
  EXPECT_EQ(text_of(error_frame(error_code::bad_request, "x", {}, "c\n")),
            R"({"type":"error","code":"bad_request","reason":"x","client_id":"c\n"})");
}

TEST(v1_events, names_every_error_code_as_documented) {
  const std::vector<std::pair<error_code, std::string_view>> documented = {
      {error_code::bad_json, "bad_json"},
      {error_code::bad_request, "bad_request"},
      {error_code::unknown_type, "unknown_type"},
      {error_code::bad_room, "bad_room"},
      {error_code::not_joined, "not_joined"},
      {error_code::already_joined, "already_joined"},
      {error_code::too_many_rooms, "too_many_rooms"},
      {error_code::room_limit, "room_limit"},
      {error_code::text_too_long, "text_too_long"},
      {error_code::rate_limited, "rate_limited"},
      {error_code::history_unavailable, "history_unavailable"},
      {error_code::unavailable, "unavailable"},
      {error_code::invalid_token, "invalid_token"}};
  ASSERT_EQ(documented.size(), static_cast<std::size_t>(error_code::count));
  for (const auto& [code, expected] : documented) EXPECT_EQ(name(code), expected);
}

}  // namespace
}  // namespace parley::chat::v1
