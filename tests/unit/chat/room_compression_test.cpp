#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../support/deflate.hpp"
#include "../support/fake_loops.hpp"
#include "../support/frames.hpp"
#include "chat/room.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {
namespace {

using test_support::fake_loops;
using test_support::run;
using test_support::schedule;

// A member's connection, compressing (permessage-deflate negotiated) or not: keeps every frame
// delivered and what its payload says (inflated when RSV1 is set).
class member final : public recipient {
 public:
  member(std::string name, bool deflates) : name(std::move(name)), deflates_(deflates) {}
  void deliver(const ws::shared_frame& frame) override {
    const auto decoded = test_support::decode_server_frames(*frame);
    ASSERT_TRUE(decoded && decoded->size() == 1U);
    const auto& only = decoded->front();
    ASSERT_TRUE(only.rsv == 0 || (only.rsv == 4 && deflates_)) << "RSV1 to a plain member";
    compressed.push_back(only.rsv == 4);
    texts.push_back(only.rsv == 4 ? test_support::inflate_message(only.payload) : only.payload);
    frames.push_back(frame);
  }
  [[nodiscard]] bool takes_deflated() const override { return deflates_; }

  std::string name;
  std::vector<std::string> texts;
  std::vector<bool> compressed;
  std::vector<ws::shared_frame> frames;

 private:
  bool deflates_;
};

std::uint64_t compressions(std::size_t loops) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < loops; ++i) sum += obs::metrics::for_loop(i).ws_compressions.value();
  return sum;
}

class room_compression_test : public ::testing::Test {
 protected:
  void SetUp() override { obs::init_logging({.level = "off"}); }
  void TearDown() override { obs::init_logging({.level = "info"}); }

  void join(room& where, member& m, std::size_t loop, protocol speaks) {
    ASSERT_TRUE(names_.claim(m.name));
    const std::uint64_t id = ids_[&m] = next_id_++;
    const std::uint64_t entry = where.shard(loop).add(id, m, speaks);
    where.join({.member = id, .loop = loop, .entry = entry, .user = m.name, .speaks = speaks});
  }
  void say(room& where, const member& m, std::string text) {
    where.publish({.member = ids_.at(&m), .user = m.name, .text = std::move(text)});
  }

  fake_loops loops_{2};
  name_registry names_;
  room_context context_{loops_, names_, {}, nullptr, nullptr, {.enabled = true, .min_size = 128}};
  std::map<const member*, std::uint64_t> ids_;
  std::uint64_t next_id_ = 1;
};

const std::string k_long_text = std::string(300, 'a') + " and then some more words, words, words";

TEST_F(room_compression_test, compressing_members_share_one_compressed_frame_per_protocol) {
  room lobby(context_, "lobby", 0, nullptr);
  member al("al", true), bo("bo", true), cy("cy", false), di("di", true), ed("ed", true),
      fy("fy", false);
  join(lobby, al, 0, protocol::legacy);
  join(lobby, bo, 1, protocol::legacy);
  join(lobby, cy, 1, protocol::legacy);
  join(lobby, di, 0, protocol::v1);
  join(lobby, ed, 1, protocol::v1);
  join(lobby, fy, 0, protocol::v1);
  run(loops_, schedule::round_robin);
  for (auto* m : {&al, &bo, &cy, &di, &ed, &fy})
    m->frames.clear(), m->texts.clear(), m->compressed.clear();

  const auto before = compressions(2);
  say(lobby, cy, k_long_text);
  run(loops_, schedule::round_robin);

  EXPECT_EQ(compressions(2), before + 2) << "one compression per protocol, not per recipient";
  for (auto* m : {&al, &bo, &cy, &di, &ed, &fy}) ASSERT_EQ(m->frames.size(), 1U) << m->name;
  EXPECT_EQ(al.frames[0], bo.frames[0]) << "one compressed legacy frame on both loops";
  EXPECT_EQ(di.frames[0], ed.frames[0]) << "one compressed v1 frame on both loops";
  EXPECT_TRUE(al.compressed[0] && di.compressed[0]);
  EXPECT_FALSE(cy.compressed[0] || fy.compressed[0]);
  EXPECT_EQ(al.texts[0], cy.texts[0]) << "the compressed frame says what the plain one says";
  EXPECT_EQ(di.texts[0], fy.texts[0]);
  EXPECT_EQ(cy.texts[0], "cy: " + k_long_text);
}

TEST_F(room_compression_test, short_messages_go_out_plain_to_everyone) {
  room lobby(context_, "lobby", 0, nullptr);
  member al("al", true), bo("bo", false);
  join(lobby, al, 0, protocol::legacy);
  join(lobby, bo, 1, protocol::legacy);
  run(loops_, schedule::fifo);
  al.frames.clear();
  bo.frames.clear();

  const auto before = compressions(2);
  say(lobby, bo, "hi");
  run(loops_, schedule::fifo);
  ASSERT_EQ(al.frames.size(), 1U);
  EXPECT_EQ(al.frames[0], bo.frames[0]);
  EXPECT_EQ(compressions(2), before);
}

TEST_F(room_compression_test, nothing_is_compressed_when_compression_is_off) {
  context_.compression.enabled = false;
  room lobby(context_, "lobby", 0, nullptr);
  member al("al", true), bo("bo", true);
  join(lobby, al, 0, protocol::v1);
  join(lobby, bo, 1, protocol::v1);
  run(loops_, schedule::fifo);
  al.frames.clear();

  const auto before = compressions(2);
  say(lobby, bo, k_long_text);
  run(loops_, schedule::fifo);
  ASSERT_EQ(al.frames.size(), 1U);
  EXPECT_FALSE(al.compressed.back());
  EXPECT_EQ(compressions(2), before);
}

}  // namespace
}  // namespace parley::chat
