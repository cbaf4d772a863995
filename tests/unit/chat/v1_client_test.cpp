#include "chat/v1_client.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../support/fake_loops.hpp"
#include "../support/fake_store.hpp"
#include "../support/fake_transport.hpp"
#include "../support/frames.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {
namespace {

using test_support::fake_loops;
using test_support::fake_transport;

// One parley.v1 client: its transport, its session and what it received, parsed.
class client {
 public:
  std::unique_ptr<fake_transport> transport;
  std::unique_ptr<ws::session> session;

  void send(std::string_view json) {
    std::string bytes = test_support::text_frame(json);
    EXPECT_EQ(session->on_data(std::span<char>(bytes.data(), bytes.size())), bytes.size());
  }
  void send_binary(std::string_view data) {
    std::string bytes = test_support::client_frame(test_support::op::binary, data);
    session->on_data(std::span<char>(bytes.data(), bytes.size()));
  }
  // Every event received so far, parsed.
  std::vector<simdjson::dom::element> events() {
    const auto frames = test_support::decode_server_frames(transport->sent);
    EXPECT_TRUE(frames.has_value());
    std::vector<simdjson::dom::element> out;
    if (!frames) return out;
    for (std::size_t i = parsed_.size(); i < frames->size(); ++i) {
      const auto& frame = (*frames)[i];
      auto& entry = parsed_.emplace_back();
      if (frame.opcode != test_support::op::text) continue;
      entry.parser = std::make_unique<simdjson::dom::parser>();
      EXPECT_EQ(entry.parser->parse(frame.payload).get(entry.event), simdjson::SUCCESS)
          << frame.payload;
    }
    for (const auto& entry : parsed_) {
      if (entry.parser) out.push_back(entry.event);
    }
    return out;
  }
  std::vector<simdjson::dom::element> of_type(std::string_view type) {
    std::vector<simdjson::dom::element> out;
    for (auto event : events()) {
      if (std::string_view(event["type"]) == type) out.push_back(event);
    }
    return out;
  }
  // The `code` of each error received, in order.
  std::vector<std::string> error_codes() {
    std::vector<std::string> out;
    for (auto event : of_type("error")) out.emplace_back(std::string_view(event["code"]));
    return out;
  }
  // The close frame received, if any.
  std::optional<test_support::server_frame> close() const {
    const auto frames = test_support::decode_server_frames(transport->sent);
    if (!frames) return std::nullopt;
    for (const auto& frame : *frames) {
      if (frame.opcode == test_support::op::close) return frame;
    }
    return std::nullopt;
  }

 private:
  struct parsed {
    std::unique_ptr<simdjson::dom::parser> parser;  // keeps the event's document
    simdjson::dom::element event;
  };
  std::vector<parsed> parsed_;
};

// The room names of events, e.g. of every `joined`.
std::vector<std::string> rooms_of(const std::vector<simdjson::dom::element>& events) {
  std::vector<std::string> out;
  for (auto event : events) out.emplace_back(std::string_view(event["room"]));
  return out;
}
using names = std::vector<std::string>;

class v1_client_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  // What the HTTP layer does on an accepted parley.v1 upgrade to "/chat/{name}?room=R".
  client& connect(std::string name, std::size_t loop, std::string room = "lobby") {
    return connect_to(context_, std::move(name), loop, std::move(room));
  }
  client& connect_to(member_context& context, std::string name, std::size_t loop,
                     std::string room = "lobby") {
    auto& c = clients_.emplace_back();
    c.transport = std::make_unique<fake_transport>(loop);
    auto handler = std::make_unique<v1_client>(
        context, join_request{std::move(name), std::nullopt, std::move(room)}, next_id_++);
    c.session =
        std::make_unique<ws::session>(*c.transport, std::move(handler), ws::session_limits{});
    c.session->open();
    return c;
  }
  // A connection that drops (as when its TCP connection ends).
  static void drop(client& c) { c.session->on_disconnect(); }

  fake_loops loops_{2};
  name_registry names_;
  test_support::fake_history_store store_;
  room_context room_context_{loops_, names_, {}, nullptr};
  room_directory rooms_{room_context_, 5};
  member_context context_{
      names_,
      rooms_,
      {.max_text_bytes = 16, .max_rooms_per_connection = 3, .history_per_second = 2},
      "1.2.3"};
  // The same with a store, whose answers the test gives.
  room_context stored_room_context_{loops_, names_, {}, &store_};
  room_directory stored_rooms_{stored_room_context_, 10};
  member_context stored_context_{names_, stored_rooms_, {}, "1.2.3"};
  std::deque<client> clients_;  // stable addresses
  std::uint64_t next_id_ = 1;
};

// --- joining and leaving ----------------------------------------------------------------------

TEST_F(v1_client_test, says_hello_then_joined_for_the_urls_room) {
  auto& alice = connect("alice", 0, "dev");
  loops_.run_fifo();
  auto events = alice.events();
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(std::string_view(events[0]["type"]), "hello");
  EXPECT_EQ(std::string_view(events[0]["user"]), "alice");
  EXPECT_EQ(std::string_view(events[0]["version"]), "1.2.3");
  EXPECT_EQ(std::uint64_t(events[0]["limits"]["max_text_bytes"]), 16U);
  EXPECT_EQ(std::uint64_t(events[0]["limits"]["max_rooms"]), 3U);
  EXPECT_EQ(std::string_view(events[1]["type"]), "joined");
  EXPECT_EQ(std::string_view(events[1]["room"]), "dev");
  EXPECT_EQ(std::uint64_t(events[1]["last_id"]), 1U);
  EXPECT_TRUE(names_.holds("alice"));
  EXPECT_EQ(rooms_.find("dev")->online(), 1U);
}

TEST_F(v1_client_test, joins_talks_in_and_leaves_more_rooms) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1, "dev");
  loops_.run_fifo();
  alice.send(R"({"type":"join","room":"dev"})");
  loops_.run_fifo();
  EXPECT_EQ(rooms_of(alice.of_type("joined")), (names{"lobby", "dev"}));
  EXPECT_EQ(rooms_of(bob.of_type("join")), names{"dev"});

  alice.send(R"({"type":"send","room":"dev","text":"hi dev"})");
  alice.send(R"({"type":"send","room":"lobby","text":"hi lobby"})");
  loops_.run_fifo();
  ASSERT_EQ(bob.of_type("message").size(), 1U);
  EXPECT_EQ(std::string_view(bob.of_type("message")[0]["text"]), "hi dev");
  EXPECT_EQ(rooms_of(alice.of_type("message")), (names{"dev", "lobby"}));

  alice.send(R"({"type":"leave","room":"dev"})");
  loops_.run_fifo();
  EXPECT_EQ(rooms_of(bob.of_type("leave")), names{"dev"});
  bob.send(R"({"type":"send","room":"dev","text":"gone?"})");
  loops_.run_fifo();
  EXPECT_EQ(alice.of_type("message").size(), 2U) << "nothing of dev after leaving it";
  EXPECT_TRUE(names_.holds("alice")) << "still in the lobby";
  EXPECT_TRUE(alice.error_codes().empty());
}

TEST_F(v1_client_test, keeps_its_name_after_leaving_every_room_and_joining_again) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  alice.send(R"({"type":"leave","room":"lobby"})");
  loops_.run_fifo();
  EXPECT_EQ(rooms_.find("lobby")->online(), 0U);
  EXPECT_TRUE(names_.holds("alice")) << "one connection is one person, in no room or many";

  auto& impostor = connect("alice", 1);
  loops_.run_fifo();
  ASSERT_TRUE(impostor.close().has_value());
  EXPECT_EQ(impostor.close()->close_code(), 1003);
  drop(impostor);
  loops_.run_fifo();
  EXPECT_TRUE(names_.holds("alice")) << "a refused duplicate must not free the name";

  alice.send(R"({"type":"join","room":"lobby"})");
  loops_.run_fifo();
  EXPECT_EQ(rooms_of(alice.of_type("joined")), (names{"lobby", "lobby"}));
  EXPECT_TRUE(names_.holds("alice"));
  EXPECT_EQ(rooms_.find("lobby")->online(), 1U);
  drop(alice);
  loops_.run_fifo();
  EXPECT_FALSE(names_.holds("alice"));
}

TEST_F(v1_client_test, frees_its_name_at_once_when_it_closes_in_no_room) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  alice.send(R"({"type":"leave","room":"lobby"})");
  loops_.run_fifo();
  drop(alice);
  EXPECT_FALSE(names_.holds("alice"));
}

// The name is free once every room has let the connection go, and never while a room still
// counts it, however the loops' work interleaves.
TEST_F(v1_client_test, frees_its_name_when_it_closes_after_its_last_room_lets_it_go) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string name = "alice" + std::to_string(seed);
    auto& alice = connect(name, seed % 2);
    loops_.run_fifo();
    for (const char* room : {"dev", "qa"}) {
      alice.send(R"({"type":"join","room":")" + std::string(room) + "\"}");
    }
    loops_.run_fifo();
    alice.send(R"({"type":"leave","room":"qa"})");  // joined and left: not in it at the close
    alice.send(R"({"type":"join","room":"ops"})");  // not yet joined at the close
    drop(alice);
    std::mt19937 random(seed);
    while (loops_.run_random_step(random)) {
      if (names_.holds(name)) continue;
      for (const char* room : {"lobby", "dev", "qa", "ops"}) {
        const auto* where = rooms_.find(room);
        if (where != nullptr) EXPECT_EQ(where->online(), 0U) << room;
      }
    }
    EXPECT_FALSE(names_.holds(name));
    for (const char* room : {"lobby", "dev", "qa", "ops"}) {
      EXPECT_EQ(rooms_.find(room)->online(), 0U) << room;
    }
  }
}

// --- requests refused -------------------------------------------------------------------------

TEST_F(v1_client_test, answers_each_bad_request_with_its_error_and_stays_open) {
  auto& alice = connect("alice", 1);
  loops_.run_fifo();
  auto& errors = obs::metrics::for_loop(1).protocol_errors;
  const auto not_joined_before =
      errors[static_cast<std::size_t>(v1::error_code::not_joined)].value();

  alice.send("not json");
  alice.send(R"({"room":"lobby"})");
  alice.send(R"({"type":"shout","room":"lobby"})");
  alice.send(R"({"type":"join","room":"no spaces","client_id":"c-1"})");
  alice.send(R"({"type":"send","room":"dev","text":"hi","client_id":"c-2"})");
  alice.send(R"({"type":"join","room":"lobby"})");
  alice.send(R"({"type":"send","room":"lobby","text":"seventeen bytes!!"})");
  loops_.run_fifo();

  EXPECT_EQ(alice.error_codes(), (names{"bad_json", "bad_request", "unknown_type", "bad_room",
                                        "not_joined", "already_joined", "text_too_long"}));
  auto refused = alice.of_type("error");
  EXPECT_EQ(std::string_view(refused[3]["client_id"]), "c-1");
  EXPECT_EQ(std::string_view(refused[3]["room"]), "no spaces");
  EXPECT_EQ(std::string_view(refused[4]["room"]), "dev");
  EXPECT_EQ(std::string_view(refused[4]["client_id"]), "c-2");
  EXPECT_EQ(std::string_view(refused[4]["reason"]), "Not in this room: join it first.");
  EXPECT_EQ(
      errors[static_cast<std::size_t>(v1::error_code::not_joined)].value() - not_joined_before, 1U);

  alice.send(R"({"type":"send","room":"lobby","text":"sixteen bytes!!!"})");
  loops_.run_fifo();
  EXPECT_EQ(alice.of_type("message").size(), 1U) << "at most max_text_bytes is taken";
  EXPECT_FALSE(alice.transport->asked_to_close());
}

TEST_F(v1_client_test, refuses_requests_for_a_room_still_joining) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  alice.send(R"({"type":"join","room":"dev"})");
  alice.send(R"({"type":"send","room":"dev","text":"early"})");
  alice.send(R"({"type":"typing","room":"dev"})");
  alice.send(R"({"type":"history","room":"dev"})");
  loops_.run_fifo();
  EXPECT_EQ(alice.error_codes(), (names{"not_joined", "not_joined", "not_joined"}));
  EXPECT_EQ(std::string_view(alice.of_type("error")[0]["reason"]), "Still joining this room.");
  EXPECT_TRUE(alice.of_type("message").empty());
}

TEST_F(v1_client_test, refuses_more_rooms_than_its_limit_and_than_the_servers) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  alice.send(R"({"type":"join","room":"r1"})");
  alice.send(R"({"type":"join","room":"r2"})");
  alice.send(R"({"type":"join","room":"r3"})");  // a fourth room for this connection
  loops_.run_fifo();
  EXPECT_EQ(alice.error_codes(), names{"too_many_rooms"});
  alice.send(R"({"type":"leave","room":"r2"})");
  alice.send(R"({"type":"join","room":"r3"})");  // room for it now
  loops_.run_fifo();
  EXPECT_EQ(rooms_of(alice.of_type("joined")), (names{"lobby", "r1", "r2", "r3"}));

  bob.send(R"({"type":"join","room":"r4"})");  // the server's fifth room
  bob.send(R"({"type":"join","room":"r5"})");  // a sixth: over limits.max_rooms
  bob.send(R"({"type":"join","room":"r1"})");  // an existing one is fine
  loops_.run_fifo();
  EXPECT_EQ(bob.error_codes(), names{"room_limit"});
  EXPECT_EQ(rooms_of(bob.of_type("joined")), (names{"lobby", "r4", "r1"}));
}

TEST_F(v1_client_test, limits_history_requests_to_a_burst_of_its_rate) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  for (int i = 0; i < 3; ++i) alice.send(R"({"type":"history","room":"lobby","limit":5})");
  loops_.run_fifo();
  EXPECT_EQ(alice.of_type("history").size(), 2U);
  EXPECT_EQ(alice.error_codes(), names{"rate_limited"});
}

TEST_F(v1_client_test, passes_on_one_typing_per_interval) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  alice.send(R"({"type":"typing","room":"lobby"})");
  alice.send(R"({"type":"typing","room":"lobby"})");
  loops_.run_fifo();
  ASSERT_EQ(bob.of_type("typing").size(), 1U);
  EXPECT_EQ(std::string_view(bob.of_type("typing")[0]["user"]), "alice");
  EXPECT_TRUE(alice.of_type("typing").empty()) << "not to the typist";
}

TEST_F(v1_client_test, answers_a_retried_client_id_with_the_original_message_alone) {
  auto& alice = connect("alice", 0);
  auto& bob = connect("bob", 1);
  loops_.run_fifo();
  alice.send(R"({"type":"send","room":"lobby","text":"once","client_id":"k1"})");
  loops_.run_fifo();
  alice.send(R"({"type":"send","room":"lobby","text":"once","client_id":"k1"})");
  loops_.run_fifo();
  const auto to_alice = alice.of_type("message");
  ASSERT_EQ(to_alice.size(), 2U);
  EXPECT_EQ(std::uint64_t(to_alice[0]["id"]), std::uint64_t(to_alice[1]["id"]));
  EXPECT_EQ(std::string_view(to_alice[1]["client_id"]), "k1");
  EXPECT_EQ(bob.of_type("message").size(), 1U);
}

TEST_F(v1_client_test, closes_on_a_binary_message_with_1003) {
  auto& alice = connect("alice", 0);
  loops_.run_fifo();
  alice.send_binary("\x01\x02");
  ASSERT_TRUE(alice.close().has_value());
  EXPECT_EQ(alice.close()->close_code(), 1003);
}

// Not fixed yet (see the report of the v1-unit branch): the first join's welcome, still on its
// way, activates the membership of the second join, whose own welcome is then dropped, and the
// client gets its own join as a broadcast. Shard entries would need the join they belong to.
TEST_F(v1_client_test,
       DISABLED_a_client_that_leaves_and_joins_again_before_its_welcome_is_welcomed_again) {
  // The loop the directory makes "dev" at home on (its rule), and alice on the other one.
  const std::size_t home = std::hash<std::string_view>{}("dev") % loops_.loop_count();
  auto& alice = connect("alice", 1 - home);
  loops_.run_fifo();
  alice.send(R"({"type":"join","room":"dev"})");
  while (loops_.has_work(home)) loops_.run_one(home);  // sequenced; the welcome on its way
  alice.send(R"({"type":"leave","room":"dev"})");
  alice.send(R"({"type":"join","room":"dev"})");
  loops_.run_fifo();

  const auto* dev = rooms_.find("dev");
  EXPECT_EQ(dev->online(), 1U);
  const auto welcomes = alice.of_type("joined");
  ASSERT_FALSE(welcomes.empty());
  EXPECT_EQ(std::uint64_t(welcomes.back()["last_id"]), dev->last_id())
      << "the last welcome is for the last join";
  EXPECT_TRUE(alice.of_type("join").empty()) << "its own join, as if someone else's";
}

// --- with a store -----------------------------------------------------------------------------

TEST_F(v1_client_test, a_client_that_leaves_and_joins_again_while_ids_wait_is_in_the_room) {
  auto& alice = connect_to(stored_context_, "alice", 1);
  alice.send(R"({"type":"leave","room":"lobby"})");  // while its join waits for ids
  alice.send(R"({"type":"join","room":"lobby"})");
  loops_.run_fifo();
  auto& log = store_.log("lobby");
  ASSERT_EQ(log.reservations.size(), 1U);
  log.grant();
  loops_.run_fifo();

  const auto* lobby = stored_rooms_.find("lobby");
  EXPECT_EQ(lobby->online(), 1U);
  EXPECT_EQ(lobby->users(), names{"alice"});
  ASSERT_EQ(alice.of_type("joined").size(), 1U);
  alice.send(R"({"type":"send","room":"lobby","text":"here"})");
  loops_.run_fifo();
  EXPECT_EQ(alice.of_type("message").size(), 1U);
  EXPECT_TRUE(alice.error_codes().empty());
}

}  // namespace
}  // namespace parley::chat
