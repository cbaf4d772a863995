// Ids, reservations, replays and gaps of a room (chat/room.cpp), against a store that answers
// when the test says so.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../support/fake_loops.hpp"
#include "../support/fake_store.hpp"
#include "../support/frames.hpp"
#include "chat/room.hpp"
#include "chat/v1/events.hpp"
#include "obs/log.hpp"

namespace parley::chat {
namespace {

using test_support::fake_loops;
using test_support::fake_room_log;
using id_list = std::vector<std::uint64_t>;

// A parley.v1 member's connection as the room sees it: keeps every event delivered.
class v1_member final : public recipient {
 public:
  explicit v1_member(std::string name) : name(std::move(name)) {}
  void deliver(const ws::shared_frame& frame) override {
    const auto frames = test_support::decode_server_frames(*frame);
    ASSERT_TRUE(frames && frames->size() == 1);
    received.push_back(frames->front().payload);
  }
  // The events received of `type`, parsed.
  std::vector<simdjson::dom::element> of_type(std::string_view type) {
    std::vector<simdjson::dom::element> out;
    for (const auto& text : received) {
      auto& parser = parsers_.emplace_back(std::make_unique<simdjson::dom::parser>());
      simdjson::dom::element event;
      EXPECT_EQ(parser->parse(text).get(event), simdjson::SUCCESS) << text;
      if (std::string_view(event["type"]) == type) out.push_back(event);
    }
    return out;
  }
  // The one `joined` received.
  simdjson::dom::element joined() {
    auto all = of_type("joined");
    EXPECT_EQ(all.size(), 1U);
    if (!all.empty()) return all.front();
    // None: an empty one, so the test goes on to fail rather than crash.
    simdjson::dom::element none;
    EXPECT_EQ(parsers_.emplace_back(std::make_unique<simdjson::dom::parser>())
                  ->parse(std::string_view(R"({"last_id":0,"events":[]})"))
                  .get(none),
              simdjson::SUCCESS);
    return none;
  }

  std::string name;
  std::vector<std::string> received;

 private:
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;  // each keeps its document
};

// The ids of stored events (and "gap a-b" for gaps) in a joined or history event's list.
std::vector<std::string> listed(simdjson::dom::element event) {
  std::vector<std::string> out;
  for (simdjson::dom::element e : simdjson::dom::array(event["events"])) {
    const std::string_view type(e["type"]);
    if (type == "gap") {
      out.push_back("gap " + std::to_string(std::uint64_t(e["from"])) + "-" +
                    std::to_string(std::uint64_t(e["to"])));
    } else {
      out.push_back(std::string(type) + " " + std::to_string(std::uint64_t(e["id"])));
    }
  }
  return out;
}
using listing = std::vector<std::string>;

id_list ids(const std::vector<store::event>& events) {
  id_list out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

store::event stored_message(std::uint64_t id) {
  return {
      .id = id, .ts_ms = now_ms(), .kind = store::event_kind::message, .user = "x", .text = "t"};
}

class room_ids_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  // A room whose history is `log` (none: the memory engine).
  room& make_room(std::shared_ptr<fake_room_log> log, history_settings history = {}) {
    context_ = std::make_unique<room_context>(room_context{loops_, names_, history, nullptr});
    room_ = std::make_unique<room>(*context_, "lobby", 0, std::move(log));
    return *room_;
  }
  void join(v1_member& member, std::optional<std::uint64_t> since = std::nullopt) {
    const std::uint64_t id = ids_[&member] = next_member_++;
    room_->shard(1).add(id, member, protocol::v1);
    room_->join(
        {.member = id, .loop = 1, .user = member.name, .speaks = protocol::v1, .since = since});
  }
  void leave(v1_member& member) { room_->leave(ids_.at(&member), 1, nullptr); }
  void say(std::string text) {
    room_->publish({.member = 999, .loop = 1, .user = "zed", .text = std::move(text)});
  }

  fake_loops loops_{2};
  name_registry names_;
  std::unique_ptr<room_context> context_;
  std::unique_ptr<room> room_;
  std::map<const v1_member*, std::uint64_t> ids_;
  std::uint64_t next_member_ = 1;
};

// --- the memory engine ------------------------------------------------------------------------

TEST_F(room_ids_test, numbers_every_stored_event_consecutively_from_one) {
  auto& lobby = make_room(nullptr);
  EXPECT_EQ(lobby.last_id(), 0U);
  v1_member alice("alice"), bob("bob");
  join(alice);
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), 1U);
  join(bob);
  loops_.run_fifo();
  say("one");
  say("two");
  leave(bob);
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), 5U);

  EXPECT_EQ(listed(alice.joined()), (listing{"join 1"}));
  id_list seen;
  for (const auto& type : {"join", "message", "leave"}) {
    for (auto e : alice.of_type(type)) seen.push_back(std::uint64_t(e["id"]));
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (id_list{2, 3, 4, 5}));
  EXPECT_EQ(std::uint64_t(bob.joined()["last_id"]), 2U);
}

TEST_F(room_ids_test, a_join_without_since_gets_the_newest_on_join_events) {
  auto& lobby = make_room(nullptr, {.on_join = 3});
  for (int i = 0; i < 5; ++i) say("m");
  loops_.run_fifo();
  v1_member alice("alice");
  join(alice);
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), 6U);
  // The newest on_join events before the join, then the join itself.
  EXPECT_EQ(listed(alice.joined()), (listing{"message 3", "message 4", "message 5", "join 6"}));
}

TEST_F(room_ids_test, a_replay_starts_with_a_gap_for_what_memory_no_longer_holds) {
  make_room(nullptr, {.max_events = 3});
  for (int i = 0; i < 10; ++i) say("m");  // ids 1..10; memory keeps 8..10
  loops_.run_fifo();
  v1_member alice("alice");
  join(alice, 2);
  loops_.run_fifo();
  EXPECT_EQ(listed(alice.joined()),
            (listing{"gap 3-7", "message 8", "message 9", "message 10", "join 11"}));
}

TEST_F(room_ids_test, a_replay_beyond_max_replay_starts_with_a_gap_for_the_oldest) {
  make_room(nullptr, {.max_replay = 2});
  for (int i = 0; i < 6; ++i) say("m");
  loops_.run_fifo();
  v1_member alice("alice");
  join(alice, 1);
  loops_.run_fifo();
  EXPECT_EQ(listed(alice.joined()), (listing{"gap 2-4", "message 5", "message 6", "join 7"}));
}

TEST_F(room_ids_test, a_since_beyond_the_last_id_resets_the_client) {
  make_room(nullptr, {.on_join = 50});
  say("m");
  loops_.run_fifo();
  v1_member alice("alice");
  join(alice, 500);  // from before a restart of the memory engine
  loops_.run_fifo();
  auto joined = alice.joined();
  EXPECT_TRUE(bool(joined["reset"]));
  EXPECT_EQ(listed(joined), (listing{"message 1", "join 2"}));
}

// --- ids reserved in the store ----------------------------------------------------------------

TEST_F(room_ids_test, numbers_nothing_until_its_first_block_of_ids_is_reserved) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  v1_member alice("alice");
  join(alice);
  loops_.run_fifo();
  ASSERT_EQ(log->reservations.size(), 1U);
  EXPECT_EQ(log->reservations[0].until, 1 + k_id_block);
  EXPECT_EQ(lobby.last_id(), 0U);
  EXPECT_TRUE(log->appended.empty());
  EXPECT_TRUE(alice.received.empty());

  log->grant();
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), 1U);
  EXPECT_EQ(ids(log->appended), (id_list{1}));
  EXPECT_EQ(listed(alice.joined()), (listing{"join 1"}));
  EXPECT_TRUE(log->reservations.empty()) << "a whole block is left";
}

TEST_F(room_ids_test, runs_work_that_waited_for_ids_in_the_order_it_came) {
  auto log = std::make_shared<fake_room_log>();
  make_room(log);
  v1_member alice("alice"), bob("bob");
  join(alice);
  say("one");
  join(bob);
  say("two");
  loops_.run_fifo();
  EXPECT_TRUE(log->appended.empty());
  log->grant();
  loops_.run_fifo();

  ASSERT_EQ(ids(log->appended), (id_list{1, 2, 3, 4}));
  EXPECT_EQ(log->appended[0].user, "alice");
  EXPECT_EQ(log->appended[1].text, "one");
  EXPECT_EQ(log->appended[2].kind, store::event_kind::join);
  EXPECT_EQ(log->appended[2].user, "bob");
  EXPECT_EQ(log->appended[3].text, "two");
  EXPECT_EQ(log->reservations.size(), 0U);
  EXPECT_EQ(listed(bob.joined()), (listing{"join 1", "message 2", "join 3"}));
}

TEST_F(room_ids_test, a_join_called_off_while_it_waits_for_ids_leaves_no_trace) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  v1_member alice("alice"), bob("bob");
  join(alice);
  join(bob);
  leave(bob);  // before the room could number its join: nobody saw it come
  loops_.run_fifo();
  log->grant();
  loops_.run_fifo();
  EXPECT_EQ(ids(log->appended), (id_list{1}));
  EXPECT_EQ(lobby.online(), 1U);
  EXPECT_EQ(alice.of_type("join").size() + alice.of_type("leave").size(), 0U);
  EXPECT_TRUE(bob.received.empty());
}

TEST_F(room_ids_test, reserves_the_next_block_halfway_through_and_goes_on_meanwhile) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  say("first");
  loops_.run_fifo();
  log->grant();
  loops_.run_fifo();
  for (std::uint64_t id = 2; id < k_id_block / 2; ++id) say("m");
  loops_.run_fifo();
  EXPECT_TRUE(log->reservations.empty());
  say("m");  // id k_id_block / 2: half the block is left
  loops_.run_fifo();
  ASSERT_EQ(log->reservations.size(), 1U);
  EXPECT_EQ(log->reservations[0].until, 1 + 2 * k_id_block);

  for (std::uint64_t id = k_id_block / 2 + 1; id <= k_id_block; ++id) say("m");
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), k_id_block) << "the whole first block is used while the next waits";
  EXPECT_EQ(log->reservations.size(), 1U) << "one reservation at a time";

  say("beyond");  // the first id of the next block: waits for it
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), k_id_block);
  log->grant();
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), k_id_block + 1);
  EXPECT_EQ(log->appended.back().text, "beyond");
  EXPECT_EQ(log->appended.size(), k_id_block + 1);
  for (std::size_t i = 0; i < log->appended.size(); ++i) {
    ASSERT_EQ(log->appended[i].id, i + 1) << "ids must be consecutive";
  }
}

TEST_F(room_ids_test, goes_on_when_a_reservation_could_not_be_written) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  say("m");
  loops_.run_fifo();
  log->grant(false);  // the disk failed: logged and counted by the store; the chat goes on
  loops_.run_fifo();
  EXPECT_EQ(lobby.last_id(), 1U);
}

TEST_F(room_ids_test, continues_above_every_reserved_id_after_a_restart) {
  auto log = std::make_shared<fake_room_log>(1 + k_id_block);  // ids below may have been used
  auto& lobby = make_room(log);
  EXPECT_EQ(lobby.last_id(), k_id_block);
  say("m");
  loops_.run_fifo();
  ASSERT_EQ(log->reservations.size(), 1U);
  EXPECT_EQ(log->reservations[0].until, 1 + 2 * k_id_block);
  ASSERT_EQ(log->reads.size(), 1U);  // memory is warmed with the newest events first
  log->answer({});
  loops_.run_fifo();
  EXPECT_TRUE(log->appended.empty());
  log->grant();
  loops_.run_fifo();
  EXPECT_EQ(ids(log->appended), (id_list{1 + k_id_block}));
}

TEST_F(room_ids_test, tells_the_store_where_ids_continue_when_released) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  say("a");
  say("b");
  loops_.run_fifo();
  log->grant();
  loops_.run_fifo();
  lobby.release();
  EXPECT_EQ(log->released, (id_list{3}));
}

TEST_F(room_ids_test, a_replay_across_ids_lost_in_a_crash_has_a_gap_where_they_were) {
  // Before the crash: 1..5 written, ids up to 4096 reserved (and maybe handed out).
  auto log = std::make_shared<fake_room_log>(1 + k_id_block);
  log->settled = k_id_block;
  make_room(log);
  v1_member alice("alice");
  join(alice, 3);
  loops_.run_fifo();
  ASSERT_EQ(log->reads.size(), 1U);  // memory holds nothing from before the restart
  EXPECT_EQ(log->reads[0].after, 3U);
  EXPECT_EQ(log->reads[0].before, 1 + k_id_block);
  log->answer({stored_message(4), stored_message(5)});
  loops_.run_fifo();
  ASSERT_EQ(log->reads.size(), 1U);  // warming memory up, below what the replay read
  EXPECT_EQ(log->reads[0].before, 4U);
  log->answer({});
  loops_.run_fifo();
  log->grant();
  loops_.run_fifo();
  EXPECT_EQ(listed(alice.joined()),
            (listing{"message 4", "message 5", "gap 6-" + std::to_string(k_id_block),
                     "join " + std::to_string(k_id_block + 1)}));
}

// A room restarted after ids 1..10 were written, that alice has joined (id 11); memory holds
// nothing older.
class restarted_room_test : public room_ids_test {
 protected:
  void SetUp() override {
    room_ids_test::SetUp();
    log_ = std::make_shared<fake_room_log>(11);
    log_->settled = 10;
    make_room(log_);
    join(alice_, 10);
    loops_.run_fifo();
    ASSERT_EQ(log_->reads.size(), 1U);
    log_->answer({}, false);  // warming memory up failed: memory holds only what follows
    loops_.run_fifo();
    log_->grant();
    loops_.run_fifo();
    ASSERT_EQ(listed(alice_.joined()), (listing{"join 11"}));
  }
  void history(std::optional<std::uint64_t> before, unsigned limit) {
    room_->history(ids_.at(&alice_), 1, before, limit);
    loops_.run_fifo();
  }

  std::shared_ptr<fake_room_log> log_;
  v1_member alice_{"alice"};
};

TEST_F(restarted_room_test, pages_back_from_memory_into_the_store) {
  history(std::nullopt, 3);
  ASSERT_EQ(log_->reads.size(), 1U);
  EXPECT_EQ(log_->reads[0].after, 0U);
  EXPECT_EQ(log_->reads[0].before, 11U);  // memory has 11
  log_->answer({stored_message(9), stored_message(10)});
  loops_.run_fifo();
  auto answers = alice_.of_type("history");
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(listed(answers[0]), (listing{"message 9", "message 10", "join 11"}));
}

TEST_F(restarted_room_test, answers_a_page_older_than_memory_from_the_store) {
  history(5, 3);
  ASSERT_EQ(log_->reads.size(), 1U);
  EXPECT_EQ(log_->reads[0].before, 5U);
  EXPECT_EQ(log_->reads[0].limit, 3U);
  log_->answer({stored_message(2), stored_message(3), stored_message(4)});
  loops_.run_fifo();
  EXPECT_TRUE(log_->reads.empty()) << "read the same page again";
  auto answers = alice_.of_type("history");
  ASSERT_EQ(answers.size(), 1U);
  EXPECT_EQ(listed(answers[0]), (listing{"message 2", "message 3", "message 4"}));
}

TEST_F(restarted_room_test, answers_a_page_the_store_cannot_read_with_an_error) {
  history(5, 3);
  ASSERT_EQ(log_->reads.size(), 1U);
  log_->answer({}, false);
  loops_.run_fifo();
  EXPECT_TRUE(log_->reads.empty()) << "read the same page again";
  auto errors = alice_.of_type("error");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(std::string_view(errors[0]["code"]), "history_unavailable");
  EXPECT_EQ(std::string_view(errors[0]["room"]), "lobby");
}

// --- joins and leaves that cross ---------------------------------------------------------------

TEST_F(room_ids_test, a_member_that_leaves_and_joins_again_before_ids_come_is_in_the_room) {
  auto log = std::make_shared<fake_room_log>();
  auto& lobby = make_room(log);
  v1_member alice("alice");
  join(alice);
  const std::uint64_t member = ids_.at(&alice);
  room_->leave(member, 1, nullptr);  // left before its join was sequenced
  room_->shard(1).add(member, alice, protocol::v1);
  room_->join({.member = member, .loop = 1, .user = "alice", .speaks = protocol::v1});
  loops_.run_fifo();
  log->grant();
  loops_.run_fifo();

  EXPECT_EQ(lobby.online(), 1U) << "the second join must count";
  ASSERT_EQ(alice.of_type("joined").size(), 1U);
  const auto last_id = std::uint64_t(alice.of_type("joined")[0]["last_id"]);
  EXPECT_EQ(log->appended.back().id, last_id) << "its welcome is its last join";
  EXPECT_EQ(log->appended.back().kind, store::event_kind::join);
}

}  // namespace
}  // namespace parley::chat
