#include "chat/legacy_member.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../support/fake_loops.hpp"
#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "chat/member_basics.hpp"
#include "obs/log.hpp"

namespace parley::chat {
namespace {

using test_support::fake_loops;
using test_support::fake_transport;
using texts = std::vector<std::string>;

// One connected client: its transport, its session and the member behind it.
struct client {
  std::unique_ptr<fake_transport> transport;
  std::unique_ptr<ws::session> session;

  void receive(std::string bytes) {
    const std::size_t used = session->on_data(std::span<char>(bytes.data(), bytes.size()));
    EXPECT_EQ(used, bytes.size());
  }
  std::vector<test_support::server_frame> frames() const {
    auto decoded = test_support::decode_server_frames(transport->sent);
    EXPECT_TRUE(decoded.has_value());
    return decoded.value_or(std::vector<test_support::server_frame>{});
  }
  // The payloads of the text frames the client received.
  texts received() const {
    texts out;
    for (const auto& frame : frames()) {
      if (frame.opcode == test_support::op::text) out.push_back(frame.payload);
    }
    return out;
  }
  // The close frame the client received, if any.
  std::optional<test_support::server_frame> close() const {
    for (const auto& frame : frames()) {
      if (frame.opcode == test_support::op::close) return frame;
    }
    return std::nullopt;
  }
};

class member_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  // What the HTTP layer does on an accepted upgrade to "/chat/{name}" on loop `loop`.
  client& connect(std::string name, std::size_t loop, std::optional<unsigned> age = std::nullopt) {
    auto& c = clients_.emplace_back();
    c.transport = std::make_unique<fake_transport>(loop);
    auto handler =
        std::make_unique<legacy_member>(context_, join_request{std::move(name), age}, next_id_++);
    c.session =
        std::make_unique<ws::session>(*c.transport, std::move(handler), ws::session_limits{});
    c.session->open();
    return c;
  }

  fake_loops loops_{2};
  name_registry names_;
  room_context room_context_{loops_, names_, {}, nullptr};
  room_directory rooms_{room_context_, 100};
  member_context context_{names_, rooms_, {}, "test"};
  room& lobby_ = *rooms_.find_or_create("lobby");
  std::deque<client> clients_;  // stable addresses
  std::uint64_t next_id_ = 1;
};

TEST_F(member_test, greets_the_newcomer_and_announces_it_to_the_others) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  auto& bob = connect("bob", 1, 30);
  loops_.run_fifo();
  EXPECT_EQ(alice.received(), (texts{"Hi alice! You have successfully connected to the chat",
                                     "bob with age 30 connected to chat"}));
  EXPECT_EQ(bob.received(), texts{"Hi bob! You have successfully connected to the chat"});
  EXPECT_TRUE(names_.holds("alice"));
  EXPECT_TRUE(names_.holds("bob"));
}

TEST_F(member_test, message_reaches_everyone_including_the_sender) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  alice.receive(test_support::text_frame("hi \xF0\x9F\x98\x80"));
  loops_.run_fifo();
  EXPECT_EQ(alice.received().back(), "alice: hi \xF0\x9F\x98\x80");
  EXPECT_EQ(bob.received().back(), "alice: hi \xF0\x9F\x98\x80");
}

TEST_F(member_test, duplicate_username_is_closed_with_1003_and_never_announced) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  auto& impostor = connect("alice", 1);
  loops_.run_fifo();

  const auto close = impostor.close();
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->close_code(), 1003);
  EXPECT_EQ(close->close_reason(), "Username already exists.");
  EXPECT_TRUE(impostor.received().empty());  // no greeting

  impostor.receive(test_support::close_frame(1003));
  impostor.session->on_disconnect();
  loops_.run_fifo();
  EXPECT_EQ(alice.received(), texts{"Hi alice! You have successfully connected to the chat"});
  EXPECT_TRUE(names_.holds("alice"));  // still the first alice's
  EXPECT_EQ(lobby_.shard(1).size(), 0U);
}

TEST_F(member_test, binary_message_closes_with_1003_and_the_member_leaves) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  bob.receive(test_support::client_frame(test_support::op::binary, "\x01\x02"));
  loops_.run_fifo();

  const auto close = bob.close();
  ASSERT_TRUE(close.has_value());
  EXPECT_EQ(close->close_code(), 1003);
  EXPECT_EQ(close->close_reason(), "Binary messages are not supported.");
  EXPECT_EQ(alice.received().back(), "bob left the chat");
  EXPECT_FALSE(names_.holds("bob"));
}

TEST_F(member_test, client_close_announces_the_leave_and_frees_the_name) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  bob.receive(test_support::close_frame(1000));
  alice.receive(test_support::text_frame("anyone?"));
  loops_.run_fifo();

  EXPECT_EQ(alice.received(),
            (texts{"Hi alice! You have successfully connected to the chat", "bob connected to chat",
                   "bob left the chat", "alice: anyone?"}));
  EXPECT_EQ(bob.received(),
            texts{"Hi bob! You have successfully connected to the chat"});  // nothing more
  EXPECT_FALSE(names_.holds("bob"));
  bob.session->on_disconnect();  // the TCP close that follows says nothing new
  loops_.run_fifo();
  EXPECT_EQ(alice.received().size(), 4U);
}

TEST_F(member_test, dropped_connection_announces_the_leave) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  bob.session->on_disconnect();
  loops_.run_fifo();
  EXPECT_EQ(alice.received().back(), "bob left the chat");
  EXPECT_FALSE(names_.holds("bob"));
}

TEST_F(member_test, name_can_be_taken_again_after_its_holder_left) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  bob.session->on_disconnect();
  loops_.run_fifo();
  auto& bob_again = connect("bob", 0);
  loops_.run_fifo();
  EXPECT_FALSE(bob_again.close().has_value());
  EXPECT_EQ(bob_again.received(), texts{"Hi bob! You have successfully connected to the chat"});
  EXPECT_EQ(alice.received().back(), "bob connected to chat");
}

TEST_F(member_test, shutdown_closes_with_1001_and_the_member_leaves) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  bob.session->on_shutdown();
  loops_.run_fifo();
  ASSERT_TRUE(bob.close().has_value());
  EXPECT_EQ(bob.close()->close_code(), 1001);
  EXPECT_EQ(alice.received().back(), "bob left the chat");
}

TEST(refused_join, closes_with_1008_and_the_reason) {
  fake_transport transport;
  ws::session session(transport,
                      std::make_unique<refused_join>(
                          join_refusal{"Invalid age: must be a whole number from 0 to 150."}),
                      ws::session_limits{});
  obs::init_logging({.level = "off"});
  session.open();
  obs::init_logging({.level = "info"});
  const auto frames = test_support::decode_server_frames(transport.sent);
  ASSERT_TRUE(frames.has_value());
  ASSERT_EQ(frames->size(), 1U);
  EXPECT_EQ(frames->front().close_code(), 1008);
  EXPECT_EQ(frames->front().close_reason(), "Invalid age: must be a whole number from 0 to 150.");
}

// Cluster mode: names are claimed in a shared store that answers later, on another thread.
class fake_shared_names final : public shared_names {
 public:
  void claim(std::string_view name, claim_fn done) override {
    pending_.push_back({std::string(name), std::move(done)});
  }
  void release(std::string_view name) override { released.emplace_back(name); }
  // Answers the oldest claim still waiting.
  void answer(claim_result result) {
    auto claim = std::move(pending_.front());
    pending_.pop_front();
    claim.done(result);
  }
  [[nodiscard]] std::size_t waiting() const { return pending_.size(); }

  texts released;

 private:
  struct pending {
    std::string name;
    claim_fn done;
  };
  std::deque<pending> pending_;
};

class clustered_member_test : public member_test {
 protected:
  void SetUp() override {
    member_test::SetUp();
    names_.share_with(&shared_, &loops_);
  }
  fake_shared_names shared_;
};

TEST_F(clustered_member_test, what_a_client_says_while_its_name_is_claimed_is_said_once_it_is) {
  auto& alice = connect("alice", 0);
  alice.receive(test_support::text_frame("first"));
  alice.receive(test_support::text_frame("second"));
  loops_.run_fifo();
  EXPECT_TRUE(alice.received().empty());  // no greeting before the name is hers
  EXPECT_FALSE(alice.close().has_value());
  ASSERT_EQ(shared_.waiting(), 1U);
  shared_.answer(claim_result::claimed);
  loops_.run_fifo();
  EXPECT_EQ(alice.received(), (texts{"Hi alice! You have successfully connected to the chat",
                                     "alice: first", "alice: second"}));
}

TEST_F(clustered_member_test, a_name_taken_on_another_node_closes_1003_and_is_not_held_here) {
  auto& alice = connect("alice", 0);
  shared_.answer(claim_result::taken);
  loops_.run_fifo();
  ASSERT_TRUE(alice.close().has_value());
  EXPECT_EQ(alice.close()->close_code(), 1003);
  EXPECT_TRUE(alice.received().empty());
  EXPECT_FALSE(names_.holds("alice"));
}

TEST_F(clustered_member_test, a_store_that_cannot_be_reached_closes_1013_never_1003) {
  auto& alice = connect("alice", 0);
  alice.receive(test_support::text_frame("lost with the connection"));
  shared_.answer(claim_result::unreachable);
  loops_.run_fifo();
  ASSERT_TRUE(alice.close().has_value());
  EXPECT_EQ(alice.close()->close_code(), 1013);
  EXPECT_TRUE(alice.received().empty());
  EXPECT_FALSE(names_.holds("alice"));
}

TEST_F(clustered_member_test, a_client_gone_before_its_claim_is_answered_gives_the_name_back) {
  auto& alice = connect("alice", 0);
  alice.receive(test_support::close_frame(1000));
  loops_.run_fifo();
  shared_.answer(claim_result::claimed);
  loops_.run_fifo();
  EXPECT_FALSE(names_.holds("alice"));
  EXPECT_EQ(shared_.released, texts{"alice"});
  EXPECT_TRUE(alice.received().empty());
  EXPECT_EQ(lobby_.online(), 0U);
}

TEST_F(clustered_member_test, more_than_a_burst_before_the_claim_is_answered_closes_1008) {
  auto& alice = connect("alice", 0);
  for (unsigned i = 0; i <= context_.limits.messages_burst; ++i) {
    alice.receive(test_support::text_frame("flood"));
  }
  ASSERT_TRUE(alice.close().has_value());
  EXPECT_EQ(alice.close()->close_code(), 1008);
  shared_.answer(claim_result::claimed);
  loops_.run_fifo();
  EXPECT_FALSE(names_.holds("alice"));
  EXPECT_TRUE(alice.received().empty());
}

}  // namespace
}  // namespace parley::chat
