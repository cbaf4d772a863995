#include "ws/frame_deflater.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "../support/deflate.hpp"
#include "../support/frames.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::ws {
namespace {

using test_support::decode_server_frames;
using test_support::inflate_message;

constexpr std::size_t k_loop = 7;

std::string chat_line(std::size_t size) {
  std::string text;
  while (text.size() < size) text += "alice: shall we meet at the station at noon? ";
  text.resize(size);
  return text;
}

TEST(frame_deflater, compresses_a_frame_with_rsv1_and_the_tail_removed) {
  const std::string text = chat_line(4096);
  const auto plain = make_shared_frame(opcode::text, {text});
  const auto deflated = deflate_frame(plain, 128, k_loop);
  ASSERT_NE(deflated, plain);
  const auto frames = decode_server_frames(*deflated);
  ASSERT_TRUE(frames);
  ASSERT_EQ(frames->size(), 1U);
  EXPECT_TRUE((*frames)[0].fin);
  EXPECT_EQ((*frames)[0].rsv, 4);  // RSV1
  EXPECT_EQ((*frames)[0].opcode, 0x1);
  EXPECT_LT((*frames)[0].payload.size(), text.size() / 4);
  EXPECT_FALSE((*frames)[0].payload.ends_with(std::string("\0\0\xff\xff", 4)));
  EXPECT_EQ(inflate_message((*frames)[0].payload), text);
}

TEST(frame_deflater, keeps_the_binary_opcode) {
  const std::string data(1000, '\x01');
  const auto deflated = deflate_frame(make_shared_frame(opcode::binary, {data}), 0, k_loop);
  const auto frames = decode_server_frames(*deflated);
  ASSERT_TRUE(frames);
  EXPECT_EQ((*frames)[0].opcode, 0x2);
  EXPECT_EQ(inflate_message((*frames)[0].payload), data);
}

TEST(frame_deflater, sends_short_payloads_plain) {
  const auto plain = make_shared_frame(opcode::text, {chat_line(127)});
  EXPECT_EQ(deflate_frame(plain, 128, k_loop), plain);
  EXPECT_NE(deflate_frame(make_shared_frame(opcode::text, {chat_line(128)}), 128, k_loop), plain);
}

TEST(frame_deflater, sends_incompressible_payloads_plain) {
  std::string noise;
  std::uint32_t state = 12345;
  for (int i = 0; i < 2000; ++i) {
    state = state * 1103515245 + 12345;
    noise.push_back(static_cast<char>(state >> 24));
  }
  const auto plain = make_shared_frame(opcode::binary, {noise});
  EXPECT_EQ(deflate_frame(plain, 0, k_loop), plain);
}

TEST(frame_deflater, counts_compressions_and_bytes_on_the_loop) {
  auto& metrics = obs::metrics::for_loop(k_loop);
  const auto compressions = metrics.ws_compressions.value();
  const auto skipped = metrics.ws_compressions_skipped.value();
  const auto bytes_in = metrics.ws_compression_bytes_in.value();
  deflate_frame(make_shared_frame(opcode::text, {chat_line(1000)}), 128, k_loop);
  deflate_frame(make_shared_frame(opcode::text, {chat_line(10)}), 128, k_loop);
  EXPECT_EQ(metrics.ws_compressions.value(), compressions + 1);
  EXPECT_EQ(metrics.ws_compressions_skipped.value(), skipped + 1);
  EXPECT_EQ(metrics.ws_compression_bytes_in.value(), bytes_in + 1000);
}

TEST(frame_deflater, each_frame_is_compressed_on_its_own) {
  // No context takeover: the second identical frame compresses exactly like the first.
  const auto plain = make_shared_frame(opcode::text, {chat_line(500)});
  EXPECT_EQ(*deflate_frame(plain, 0, k_loop), *deflate_frame(plain, 0, k_loop));
}

TEST(deflated_twin, is_made_once_and_shared_by_every_thread) {
  auto& metrics = obs::metrics::for_loop(k_loop);
  const auto compressions = metrics.ws_compressions.value();
  const auto plain = make_shared_frame(opcode::text, {chat_line(2000)});
  deflated_twin twin;
  const shared_frame* seen[4] = {};
  std::vector<std::thread> threads;
  for (auto& slot : seen) {
    threads.emplace_back([&] { slot = &twin.of(plain, 128, k_loop); });
  }
  for (auto& t : threads) t.join();
  for (const auto* each : seen) EXPECT_EQ(each->get(), seen[0]->get());
  EXPECT_NE(seen[0]->get(), plain.get());
  EXPECT_EQ(metrics.ws_compressions.value(), compressions + 1);
}

}  // namespace
}  // namespace parley::ws
