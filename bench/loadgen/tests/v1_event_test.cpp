#include "v1_event.hpp"

#include <gtest/gtest.h>

#include <string>

namespace parley::bench {
namespace {

TEST(v1_event, reads_a_loadgen_message_with_its_id_sender_seq_and_time) {
  const auto line = classify_v1_event(
      R"({"type":"message","id":43,"ts":"2026-12-02T18:27:07.311Z","room":"lobby","from":"u7",)"
      R"("text":"12 123456789 xxxx"})",
      "u");
  EXPECT_EQ(line.kind, line_kind::message);
  EXPECT_EQ(line.id, 43u);
  EXPECT_EQ(line.client, 7u);
  EXPECT_EQ(line.seq, 12u);
  EXPECT_EQ(line.sent_ns, 123456789);
}

TEST(v1_event, reads_events_whose_fields_are_not_where_the_server_puts_them) {
  const auto message = classify_v1_event(
      R"({"type":"message","id":7,"room":"r1","text":"3 99 x","from":"u2","ts":"now"})", "u");
  EXPECT_EQ(message.kind, line_kind::message);
  EXPECT_EQ(message.client, 2u);
  EXPECT_EQ(message.seq, 3u);
  const auto join = classify_v1_event(R"({"type":"join","id":8,"user":"u5"})", "u");
  EXPECT_EQ(join.kind, line_kind::join);
  EXPECT_EQ(join.client, 5u);
}

TEST(v1_event, a_message_not_in_our_format_or_from_a_stranger_is_other_but_keeps_its_id) {
  const auto stranger = classify_v1_event(
      R"({"type":"message","id":5,"ts":"x","room":"lobby","from":"alice","text":"1 2 x"})", "u");
  EXPECT_EQ(stranger.kind, line_kind::other);
  EXPECT_EQ(stranger.id, 5u);
  const auto prose = classify_v1_event(
      R"({"type":"message","id":6,"ts":"x","room":"lobby","from":"u1","text":"hello"})", "u");
  EXPECT_EQ(prose.kind, line_kind::other);
}

TEST(v1_event, reads_join_and_leave_of_our_clients) {
  const auto join =
      classify_v1_event(R"({"type":"join","id":2,"ts":"x","room":"r3","user":"u12","age":1})", "u");
  EXPECT_EQ(join.kind, line_kind::join);
  EXPECT_EQ(join.client, 12u);
  EXPECT_EQ(join.id, 2u);
  const auto leave =
      classify_v1_event(R"({"type":"leave","id":9,"ts":"x","room":"r3","user":"u4"})", "u");
  EXPECT_EQ(leave.kind, line_kind::leave);
  EXPECT_EQ(leave.client, 4u);
  EXPECT_EQ(leave.id, 9u);
  EXPECT_EQ(
      classify_v1_event(R"({"type":"join","id":2,"ts":"x","room":"r","user":"u4x"})", "u").kind,
      line_kind::other);
}

TEST(v1_event, a_joined_is_a_greeting_counting_its_replayed_events_and_gaps) {
  const auto line = classify_v1_event(
      R"({"type":"joined","room":"lobby","users":["u1","{\"type\":\"x"],"last_id":12,"events":[)"
      R"({"type":"gap","room":"lobby","from":1,"to":9},)"
      R"({"type":"message","id":10,"ts":"x","room":"lobby","from":"u0","text":"{\"type\":\""},)"
      R"({"type":"leave","id":11,"ts":"x","room":"lobby","user":"u2"},)"
      R"({"type":"join","id":12,"ts":"x","room":"lobby","user":"u1","age":1}]})",
      "u");
  EXPECT_EQ(line.kind, line_kind::greeting);
  EXPECT_EQ(line.id, 12u);
  EXPECT_EQ(line.replayed, 3u);  // escaped quotes inside strings are not objects
  EXPECT_EQ(line.replay_gaps, 1u);
}

TEST(v1_event, hello_is_told_apart_and_anything_else_is_other) {
  EXPECT_EQ(classify_v1_event(R"({"type":"hello","user":"u1","version":"0.1.0"})", "u").kind,
            line_kind::hello);
  EXPECT_EQ(classify_v1_event(R"({"type":"typing","room":"lobby","user":"u1"})", "u").kind,
            line_kind::other);
  EXPECT_EQ(classify_v1_event("u1: 1 2 xx", "u").kind, line_kind::other);
  EXPECT_EQ(classify_v1_event(R"({"type":"message","id":)", "u").kind, line_kind::other);
}

TEST(v1_event, the_send_request_wraps_the_text_in_json_for_its_room) {
  std::string head(k_v1_send_head_max, '\0');
  head.resize(write_v1_send_head(head.data(), "r42"));
  EXPECT_EQ(head + "1 2 xx" + std::string{k_v1_send_tail},
            R"({"type":"send","room":"r42","text":"1 2 xx"})");
}

}  // namespace
}  // namespace parley::bench
