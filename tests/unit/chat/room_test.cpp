#include "chat/room.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "../support/fake_loops.hpp"
#include "../support/frames.hpp"
#include "chat/legacy_protocol.hpp"
#include "obs/log.hpp"

namespace parley::chat {
namespace {

using test_support::fake_loops;
using test_support::run;
using test_support::schedule;

// A member's connection as the room sees it: records the text of every frame delivered.
class fake_member final : public recipient {
 public:
  explicit fake_member(std::string name) : name(std::move(name)) {}
  void deliver(const ws::shared_frame& frame) override {
    ASSERT_NE(frame, nullptr);
    const auto frames = test_support::decode_server_frames(*frame);
    ASSERT_TRUE(frames.has_value());
    ASSERT_EQ(frames->size(), 1U);
    ASSERT_EQ(frames->front().opcode, test_support::op::text);
    texts.push_back(frames->front().payload);
    delivered.push_back(frame.get());
    if (on_deliver) on_deliver(texts.back());
  }

  std::string name;
  std::vector<std::string> texts;
  std::vector<const std::string*> delivered;  // each frame's address: shared frames are one
  std::function<void(const std::string&)> on_deliver;
};

class room_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  // What chat::member::on_open does on the member's loop: claim the name, enter the shard, join.
  void join(room& room, fake_member& member, std::size_t loop,
            std::optional<unsigned> age = std::nullopt, protocol speaks = protocol::legacy) {
    ASSERT_TRUE(names_.claim(member.name));
    const std::uint64_t id = ids_[&member] = next_id_++;
    const std::uint64_t entry = room.shard(loop).add(id, member, speaks);
    room.join({.member = id,
               .loop = loop,
               .entry = entry,
               .user = member.name,
               .age = age,
               .speaks = speaks});
  }
  // What chat::legacy_member::on_close does on the member's loop.
  void leave(room& room, fake_member& member, std::size_t loop) {
    room.leave(ids_.at(&member), loop, std::make_shared<departure>(names_, member.name, 1));
  }
  // What chat::legacy_member::on_text does.
  void say(room& room, const fake_member& member, std::string_view text) {
    room.publish({.member = ids_.at(&member), .user = member.name, .text = std::string(text)});
  }

  name_registry names_;
  std::map<const fake_member*, std::uint64_t> ids_;
  std::uint64_t next_id_ = 1;
};

const std::vector<schedule> k_schedules = {schedule::fifo, schedule::round_robin,
                                           schedule::highest_loop_first, schedule::random};

std::string schedule_name(schedule how) {
  switch (how) {
    case schedule::fifo:
      return "fifo";
    case schedule::round_robin:
      return "round robin";
    case schedule::highest_loop_first:
      return "highest loop first";
    case schedule::random:
      return "random";
  }
  return "?";
}

using texts = std::vector<std::string>;

// --- room_shard ------------------------------------------------------------------------------

// A room for the shard tests to name when they activate members (its loops never run).
struct any_room {
  fake_loops loops{1};
  name_registry names;
  room_context context{loops, names, {}, nullptr};
  room where{context, "lobby", 0, nullptr};
};

event_frames legacy_only(std::string_view text) {
  return {.legacy = legacy::text_frame(text), .v1 = nullptr};
}

TEST(room_shard, delivers_only_to_activated_members) {
  any_room r;
  room_shard shard;
  fake_member alice("alice"), bob("bob");
  const auto first = shard.add(1, alice, protocol::legacy);
  shard.add(2, bob, protocol::legacy);
  EXPECT_EQ(shard.size(), 2U);
  shard.deliver(legacy_only("before"));
  shard.activate(1, first, r.where, nullptr);
  shard.deliver(legacy_only("after"));
  EXPECT_EQ(alice.texts, texts{"after"});
  EXPECT_TRUE(bob.texts.empty());
}

TEST(room_shard, removed_member_receives_nothing) {
  any_room r;
  room_shard shard;
  fake_member alice("alice"), bob("bob");
  const auto first = shard.add(1, alice, protocol::legacy);
  const auto second = shard.add(2, bob, protocol::legacy);
  shard.activate(1, first, r.where, nullptr);
  shard.activate(2, second, r.where, nullptr);
  shard.remove(1);
  shard.deliver(legacy_only("x"));
  EXPECT_TRUE(alice.texts.empty());
  EXPECT_EQ(bob.texts, texts{"x"});
  EXPECT_EQ(shard.size(), 1U);
}

TEST(room_shard, activating_or_removing_an_unknown_member_does_nothing) {
  any_room r;
  room_shard shard;
  fake_member alice("alice");
  const auto entry = shard.add(1, alice, protocol::legacy);
  shard.activate(99, entry, r.where, nullptr);
  shard.remove(99);
  shard.deliver(legacy_only("x"));
  EXPECT_TRUE(alice.texts.empty());
  EXPECT_EQ(shard.size(), 1U);
}

// --- room ------------------------------------------------------------------------------------

TEST_F(room_test, join_notice_reaches_existing_members_but_not_the_newcomer) {
  for (schedule how : k_schedules) {
    SCOPED_TRACE(schedule_name(how));
    fake_loops loops(2);
    room_context context{loops, names_, {}, nullptr};
    room lobby(context, "lobby", 0, nullptr);
    fake_member alice("alice-" + schedule_name(how)), bob("bob-" + schedule_name(how)),
        carol("carol-" + schedule_name(how));
    join(lobby, alice, 0);
    run(loops, how);
    join(lobby, bob, 1);
    run(loops, how);
    join(lobby, carol, 1, 30);
    run(loops, how);

    EXPECT_EQ(alice.texts, (texts{bob.name + " connected to chat",
                                  carol.name + " with age 30 connected to chat"}));
    EXPECT_EQ(bob.texts, texts{carol.name + " with age 30 connected to chat"});
    EXPECT_TRUE(carol.texts.empty());
  }
}

TEST_F(room_test, newcomer_receives_messages_published_after_its_join_even_before_activation) {
  for (schedule how : k_schedules) {
    for (std::size_t newcomer_loop : {0, 1, 2}) {
      SCOPED_TRACE(schedule_name(how) + " newcomer on loop " + std::to_string(newcomer_loop));
      fake_loops loops(3);
      room_context context{loops, names_, {}, nullptr};
      room lobby(context, "lobby", 0, nullptr);
      fake_member alice("alice"), bob("bob");
      join(lobby, alice, 1);
      run(loops, how);

      say(lobby, alice, "before");  // reaches the home loop before bob's join
      join(lobby, bob, newcomer_loop);
      say(lobby, alice, "after");  // after it: bob must see it, though nothing ran in between
      run(loops, how);

      EXPECT_EQ(alice.texts, (texts{"alice: before", "bob connected to chat", "alice: after"}));
      EXPECT_EQ(bob.texts, texts{"alice: after"});
      leave(lobby, alice, 1);
      leave(lobby, bob, newcomer_loop);
      run(loops, how);
    }
  }
}

TEST_F(room_test, every_member_sees_the_same_order_across_three_loops) {
  for (schedule how : k_schedules) {
    SCOPED_TRACE(schedule_name(how));
    fake_loops loops(3);
    room_context context{loops, names_, {}, nullptr};
    room lobby(context, "lobby", 1, nullptr);  // home on a loop other than 0
    std::vector<std::unique_ptr<fake_member>> members;
    for (std::size_t i = 0; i < 6; ++i) {
      members.push_back(std::make_unique<fake_member>(std::string("m").append(std::to_string(i))));
      join(lobby, *members.back(), i % 3);
    }
    run(loops, how);
    for (auto& member : members) member->texts.clear();

    for (int round = 0; round < 5; ++round) {
      for (std::size_t i = 0; i < members.size(); ++i)
        say(lobby, *members[i], std::string("r").append(std::to_string(round)));
    }
    run(loops, how);

    ASSERT_EQ(members[0]->texts.size(), 30U);
    for (const auto& member : members) EXPECT_EQ(member->texts, members[0]->texts) << member->name;
    // Each sender's messages in the order sent.
    for (const auto& member : members) {
      std::vector<std::string> own;
      for (const auto& text : members[0]->texts) {
        if (text.starts_with(member->name + ": ")) own.push_back(text);
      }
      EXPECT_EQ(own, (texts{member->name + ": r0", member->name + ": r1", member->name + ": r2",
                            member->name + ": r3", member->name + ": r4"}));
    }
    for (auto& member : members) leave(lobby, *member, std::stoul(member->name.substr(1)) % 3);
    run(loops, how);
  }
}

TEST_F(room_test, a_message_is_encoded_once_per_protocol_whatever_the_loops_and_members) {
  fake_loops loops(2);
  room_context context{loops, names_, {}, nullptr};
  room lobby(context, "lobby", 0, nullptr);
  fake_member al("al"), bo("bo"), cy("cy"), di("di"), ed("ed");
  join(lobby, al, 0);
  join(lobby, bo, 1);
  join(lobby, cy, 1, std::nullopt, protocol::v1);
  join(lobby, di, 0, std::nullopt, protocol::v1);
  join(lobby, ed, 1, std::nullopt, protocol::v1);
  run(loops, schedule::fifo);
  for (auto* m : {&al, &bo, &cy, &di, &ed}) m->delivered.clear();

  say(lobby, al, "hi");
  run(loops, schedule::fifo);

  for (auto* m : {&al, &bo, &cy, &di, &ed}) ASSERT_EQ(m->delivered.size(), 1U) << m->name;
  EXPECT_EQ(bo.delivered[0], al.delivered[0]) << "one legacy frame for every legacy member";
  EXPECT_EQ(di.delivered[0], cy.delivered[0]) << "one v1 frame for every v1 member";
  EXPECT_EQ(ed.delivered[0], cy.delivered[0]);
  EXPECT_NE(al.delivered[0], cy.delivered[0]);
  EXPECT_EQ(al.texts.back(), "al: hi");
}

TEST_F(room_test, leave_releases_the_name_before_the_leave_notice_is_delivered) {
  for (schedule how : k_schedules) {
    SCOPED_TRACE(schedule_name(how));
    fake_loops loops(3);
    room_context context{loops, names_, {}, nullptr};
    room lobby(context, "lobby", 0, nullptr);
    fake_member alice("alice"), bob("bob"), carol("carol");
    join(lobby, alice, 0);
    join(lobby, bob, 1);
    join(lobby, carol, 2);
    run(loops, how);

    int notices_seen = 0;
    for (fake_member* member : {&alice, &carol}) {
      member->on_deliver = [&](const std::string& text) {
        if (text != "bob left the chat") return;
        ++notices_seen;
        EXPECT_FALSE(names_.holds("bob")) << "bob's name still held when the leave notice arrived";
      };
    }
    leave(lobby, bob, 1);
    run(loops, how);
    EXPECT_EQ(notices_seen, 2);
    EXPECT_FALSE(names_.holds("bob"));
    EXPECT_TRUE(names_.holds("alice"));

    leave(lobby, alice, 0);
    leave(lobby, carol, 2);
    run(loops, how);
    EXPECT_FALSE(names_.holds("alice"));
    EXPECT_FALSE(names_.holds("carol"));
  }
}

TEST_F(room_test, leaver_receives_nothing_after_leaving) {
  for (schedule how : k_schedules) {
    SCOPED_TRACE(schedule_name(how));
    fake_loops loops(2);
    room_context context{loops, names_, {}, nullptr};
    room lobby(context, "lobby", 0, nullptr);
    fake_member alice("alice"), bob("bob"), dave("dave");
    join(lobby, alice, 0);
    join(lobby, bob, 1);
    join(lobby, dave, 1);
    run(loops, how);
    alice.texts.clear();
    bob.texts.clear();

    say(lobby, alice, "one");  // published, but not yet delivered when bob leaves
    leave(lobby, bob, 1);
    say(lobby, alice, "two");
    run(loops, how);

    EXPECT_TRUE(bob.texts.empty());
    EXPECT_EQ(alice.texts, (texts{"alice: one", "bob left the chat", "alice: two"}));
    EXPECT_EQ(dave.texts, (texts{"alice: one", "bob left the chat", "alice: two"}));
    EXPECT_EQ(lobby.shard(1).size(), 1U);
    leave(lobby, alice, 0);
    leave(lobby, dave, 1);
    run(loops, how);
  }
}

TEST_F(room_test, member_leaving_before_its_join_is_processed_produces_join_then_leave) {
  for (schedule how : k_schedules) {
    SCOPED_TRACE(schedule_name(how));
    fake_loops loops(2);
    room_context context{loops, names_, {}, nullptr};
    room lobby(context, "lobby", 0, nullptr);
    fake_member alice("alice"), carol("carol");
    join(lobby, alice, 0);
    run(loops, how);

    join(lobby, carol, 1);
    leave(lobby, carol, 1);  // before the home loop has even seen the join
    EXPECT_EQ(lobby.shard(1).size(), 0U);
    run(loops, how);

    EXPECT_EQ(alice.texts, (texts{"carol connected to chat", "carol left the chat"}));
    EXPECT_TRUE(carol.texts.empty());
    EXPECT_FALSE(names_.holds("carol"));

    say(lobby, alice, "still works");
    run(loops, how);
    EXPECT_EQ(alice.texts.back(), "alice: still works");
    EXPECT_TRUE(carol.texts.empty());
    leave(lobby, alice, 0);
    run(loops, how);
  }
}

TEST_F(room_test, posts_no_work_to_loops_without_members) {
  fake_loops loops(3);
  room_context context{loops, names_, {}, nullptr};
  room lobby(context, "lobby", 0, nullptr);
  fake_member alice("alice"), bob("bob");
  join(lobby, alice, 0);
  join(lobby, bob, 2);
  loops.run_fifo();
  EXPECT_EQ(loops.posts_per_loop[1], 0);

  leave(lobby, bob, 2);
  loops.run_fifo();
  const int posts_to_2 = loops.posts_per_loop[2];
  say(lobby, alice, "hi");
  loops.run_fifo();
  EXPECT_EQ(loops.posts_per_loop[2], posts_to_2);
  EXPECT_EQ(loops.posts_per_loop[1], 0);
  EXPECT_EQ(alice.texts, (texts{"bob connected to chat", "bob left the chat", "alice: hi"}));
}

// Random joins, messages, leaves and loop steps; then checks what every member saw against the
// members who were there from the start (witnesses, one per loop).
TEST_F(room_test, random_traffic_keeps_one_order_for_everyone) {
  constexpr std::size_t k_loops = 3;
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    name_registry names;
    fake_loops loops(k_loops);
    room_context context{loops, names, {}, nullptr};
    room lobby(context, "lobby", seed % k_loops, nullptr);
    std::mt19937 random(seed);

    struct tracked {
      std::unique_ptr<fake_member> member;
      std::size_t loop;
      std::uint64_t id;
      bool present;
      int said;
    };
    std::vector<tracked> people;
    std::uint64_t next_id = 1;
    auto add_person = [&](std::size_t loop) {
      auto member =
          std::make_unique<fake_member>(std::string("p").append(std::to_string(people.size())));
      ASSERT_TRUE(names.claim(member->name));
      const std::uint64_t entry = lobby.shard(loop).add(next_id, *member, protocol::legacy);
      lobby.join({.member = next_id, .loop = loop, .entry = entry, .user = member->name});
      member->on_deliver = [&names](const std::string& text) {
        if (!text.ends_with(" left the chat")) return;
        const std::string who =
            text.substr(0, text.size() - std::string_view(" left the chat").size());
        EXPECT_FALSE(names.holds(who)) << who << " still held at its leave notice";
      };
      people.push_back({std::move(member), loop, next_id++, true, 0});
    };
    for (std::size_t loop = 0; loop < k_loops; ++loop) add_person(loop);  // the witnesses
    loops.run_fifo();
    for (auto& person : people) person.member->texts.clear();
    const std::size_t witnesses = people.size();

    for (int step = 0; step < 300; ++step) {
      const auto action = random() % 10;
      if (action < 5) {
        loops.run_random_step(random);
      } else if (action < 8) {
        auto& speaker = people[random() % people.size()];
        if (!speaker.present) continue;
        lobby.publish({.member = speaker.id,
                       .loop = speaker.loop,
                       .user = speaker.member->name,
                       .text = std::to_string(speaker.said++)});
      } else if (action < 9 || people.size() <= witnesses) {
        add_person(random() % k_loops);
      } else {
        auto& leaver = people[witnesses + random() % (people.size() - witnesses)];
        if (!leaver.present) continue;
        leaver.present = false;
        lobby.leave(leaver.id, leaver.loop,
                    std::make_shared<departure>(names, leaver.member->name, 1));
      }
    }
    for (auto& person : people) {  // everyone else leaves, then all work drains
      if (person.present && &person - people.data() >= static_cast<std::ptrdiff_t>(witnesses)) {
        person.present = false;
        lobby.leave(person.id, person.loop,
                    std::make_shared<departure>(names, person.member->name, 1));
      }
    }
    while (loops.run_random_step(random)) {
    }

    ASSERT_GT(people.size(), witnesses + 5) << "too few joins to test anything";
    const texts& order = people[0].member->texts;
    for (std::size_t w = 1; w < witnesses; ++w)
      ASSERT_EQ(people[w].member->texts, order) << "witness " << w;

    for (std::size_t p = witnesses; p < people.size(); ++p) {
      const auto& member = *people[p].member;
      SCOPED_TRACE(member.name);
      const auto joined = std::find(order.begin(), order.end(), member.name + " connected to chat");
      const auto left = std::find(order.begin(), order.end(), member.name + " left the chat");
      ASSERT_NE(joined, order.end());
      ASSERT_NE(left, order.end());
      ASSERT_LT(joined, left);
      // From right after its own join notice, every event, until it left (never its own leave).
      ASSERT_LE(static_cast<std::ptrdiff_t>(member.texts.size()), left - joined - 1);
      EXPECT_TRUE(std::equal(member.texts.begin(), member.texts.end(), joined + 1));
      EXPECT_FALSE(names.holds(member.name));
    }
    for (const auto& person : people) {  // each sender's messages in the order sent
      int expected = 0;
      for (const auto& text : order) {
        if (text.starts_with(person.member->name + ": ")) {
          EXPECT_EQ(text, person.member->name + ": " + std::to_string(expected++));
        }
      }
      EXPECT_EQ(expected, person.said) << person.member->name;
    }
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace parley::chat
