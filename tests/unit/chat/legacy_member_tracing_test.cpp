#include <gtest/gtest.h>

#include <deque>

#include "../support/fake_loops.hpp"
#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "../support/spans.hpp"
#include "chat/legacy_member.hpp"
#include "chat/member_basics.hpp"
#include "chat/v1/events.hpp"
#include "obs/log.hpp"

namespace parley::chat {
namespace {

using obs::tracing::span_kind;
using test_support::attribute_of;
using test_support::fake_loops;
using test_support::fake_transport;

struct client {
  std::unique_ptr<fake_transport> transport;
  std::unique_ptr<ws::session> session;
};

// Members whose connections are traced (or not): what a message's broadcast records.
class member_tracing : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  client& connect(std::string name, std::size_t loop, bool traced) {
    auto& c = clients_.emplace_back();
    c.transport = std::make_unique<fake_transport>(loop);
    auto handler =
        std::make_unique<legacy_member>(context_, join_request{std::move(name), {}}, next_id_++);
    obs::tracing::trace_context trace{&tracer_, {}};
    if (traced) {
      auto upgrade = tracer_.start_span("websocket upgrade", span_kind::server);
      handler->annotate_upgrade(upgrade);
      trace.parent = upgrade.context();
      upgrade.end();
    }
    c.session = std::make_unique<ws::session>(*c.transport, std::move(handler),
                                              ws::session_limits{}, trace);
    c.session->open();
    return c;
  }
  void say(client& c, std::string_view text) {
    auto frame = test_support::text_frame(text);
    c.session->on_data(std::span<char>(frame.data(), frame.size()));
  }

  obs::tracing::tracer tracer_ = test_support::recording_tracer();
  fake_loops loops_{2};
  name_registry names_;
  room_context room_context_{loops_, names_, {}, nullptr};
  room_directory rooms_{room_context_, 100};
  member_context context_{names_, rooms_, {}, "test"};
  room& lobby_ = *rooms_.find_or_create("lobby");
  std::deque<client> clients_;
  std::uint64_t next_id_ = 1;
};

TEST_F(member_tracing, the_upgrade_span_gets_the_username) {
  connect("alice", 0, true);
  const auto spans = tracer_.take_queued();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(attribute_of<std::string>(spans[0], "chat.username"), "alice");
}

TEST_F(member_tracing, a_broadcast_span_ends_on_the_home_loop_with_room_fanout_and_sizes) {
  connect("bob", 0, false);
  connect("carol", 0, false);
  auto& alice = connect("alice", 1, true);
  loops_.run_fifo();
  const auto upgrade = tracer_.take_queued().at(0);

  say(alice, "hello");
  EXPECT_TRUE(tracer_.take_queued().empty());  // posted to the home loop, not broadcast yet
  loops_.run_one(0);
  const auto spans = tracer_.take_queued();
  ASSERT_EQ(spans.size(), 1U);
  const auto& broadcast = spans[0];
  EXPECT_EQ(broadcast.name, "chat broadcast");
  EXPECT_EQ(broadcast.kind, span_kind::internal);
  EXPECT_EQ(broadcast.trace, upgrade.trace);
  EXPECT_EQ(broadcast.parent, upgrade.id);
  EXPECT_EQ(attribute_of<std::string>(broadcast, "chat.room"), "lobby");
  EXPECT_EQ(attribute_of<std::int64_t>(broadcast, "chat.fanout"), 3);
  EXPECT_EQ(attribute_of<std::int64_t>(broadcast, "messaging.message.body.size"), 5);
  // The parley.v1 frame (encoded for every event, and kept as history); its time is as long as any.
  store::event said{
      .id = static_cast<std::uint64_t>(*attribute_of<std::int64_t>(broadcast, "chat.id")),
      .kind = store::event_kind::message,
      .user = "alice",
      .text = "hello"};
  EXPECT_EQ(attribute_of<std::int64_t>(broadcast, "chat.bytes"),
            v1::event_frame("lobby", said)->size());
  loops_.run_fifo();
}

TEST_F(member_tracing, an_untraced_member_records_no_broadcast) {
  auto& dave = connect("dave", 0, false);
  loops_.run_fifo();
  say(dave, "hi");
  loops_.run_fifo();
  EXPECT_TRUE(tracer_.take_queued().empty());
}

}  // namespace
}  // namespace parley::chat
