#include "cluster/event_codec.hpp"

#include <gtest/gtest.h>

namespace parley::cluster {
namespace {

// What the publish script does: the brace and the id, then (joins) the users, then the tail.
std::string as_published(std::uint64_t id, const chat::cluster_event& e) {
  return "{\"id\":" + std::to_string(id) + "," + encode_event_tail(e);
}

TEST(event_codec, a_published_message_decodes_to_the_same_event_with_its_id) {
  chat::cluster_event sent{.event = {.ts_ms = 1'700'000'000'123,
                                     .kind = store::event_kind::message,
                                     .user = "alice",
                                     .text = "hi \"all\"\n",
                                     .client_id = "c-1"},
                           .node = "node-a",
                           .member = 42};
  const auto got = decode_event(as_published(7, sent));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->event.id, 7U);
  EXPECT_EQ(got->event.ts_ms, sent.event.ts_ms);
  EXPECT_EQ(got->event.kind, store::event_kind::message);
  EXPECT_EQ(got->event.user, "alice");
  EXPECT_EQ(got->event.text, "hi \"all\"\n");
  EXPECT_EQ(got->event.client_id, "c-1");
  EXPECT_EQ(got->node, "node-a");
  EXPECT_EQ(got->member, 42U);
}

TEST(event_codec, a_join_keeps_its_age_and_the_users_the_script_added) {
  chat::cluster_event sent{
      .event = {.ts_ms = 1, .kind = store::event_kind::join, .user = "bob", .age = 30}};
  const std::string tail = encode_event_tail(sent);
  const auto got = decode_event("{\"id\":3,\"users\":[\"alice\",\"bob\"]," + tail);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->event.kind, store::event_kind::join);
  EXPECT_EQ(got->event.age, 30U);
  EXPECT_EQ(got->users, (std::vector<std::string>{"alice", "bob"}));
}

TEST(event_codec, a_traced_event_carries_its_traceparent_and_an_untraced_one_none) {
  chat::cluster_event sent{.event = {.ts_ms = 1, .user = "carol", .text = "hi"}};
  EXPECT_EQ(encode_event_tail(sent).find("tp"), std::string::npos);  // no cost when not traced
  sent.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const auto got = decode_event(as_published(5, sent));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->traceparent, sent.traceparent);
  EXPECT_EQ(got->event.text, "hi");
}

TEST(event_codec, refuses_what_is_not_an_event) {
  EXPECT_FALSE(decode_event("not json"));
  EXPECT_FALSE(decode_event("[1,2]"));
  EXPECT_FALSE(decode_event(R"({"id":1})"));
}

}  // namespace
}  // namespace parley::cluster
