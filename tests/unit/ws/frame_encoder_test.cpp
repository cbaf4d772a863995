#include "ws/frame_encoder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../support/frames.hpp"
#include "ws/utf8.hpp"

namespace parley::ws {
namespace {

unsigned byte_at(const std::string& s, std::size_t i) {
  return static_cast<unsigned char>(s.at(i));
}

TEST(frame_encoder, uses_seven_bit_length_up_to_125) {
  const std::string frame = encode_frame(opcode::text, std::string(125, 'a'));
  ASSERT_EQ(frame.size(), 127U);
  EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(frame[1]), 125);
}

TEST(frame_encoder, encodes_empty_payload_in_two_bytes) {
  const std::string frame = encode_frame(opcode::binary, std::string_view{});
  ASSERT_EQ(frame.size(), 2U);
  EXPECT_EQ(byte_at(frame, 0), 0x82U);
  EXPECT_EQ(byte_at(frame, 1), 0U);
}

TEST(frame_encoder, uses_sixteen_bit_length_from_126) {
  const std::string frame = encode_frame(opcode::text, std::string(126, 'a'));
  ASSERT_EQ(frame.size(), 4U + 126U);
  EXPECT_EQ(byte_at(frame, 1), 126U);
  EXPECT_EQ(byte_at(frame, 2), 0x00U);
  EXPECT_EQ(byte_at(frame, 3), 0x7EU);
}

TEST(frame_encoder, uses_sixteen_bit_length_up_to_65535) {
  const std::string frame = encode_frame(opcode::binary, std::string(65535, 'b'));
  ASSERT_EQ(frame.size(), 4U + 65535U);
  EXPECT_EQ(byte_at(frame, 1), 126U);
  EXPECT_EQ(byte_at(frame, 2), 0xFFU);
  EXPECT_EQ(byte_at(frame, 3), 0xFFU);
}

TEST(frame_encoder, uses_sixty_four_bit_length_from_65536) {
  const std::string frame = encode_frame(opcode::binary, std::string(65536, 'c'));
  ASSERT_EQ(frame.size(), 10U + 65536U);
  EXPECT_EQ(byte_at(frame, 1), 127U);
  const std::vector<unsigned> length = {0, 0, 0, 0, 0, 0x01, 0x00, 0x00};  // 65536, big-endian
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(byte_at(frame, 2 + i), length[i]) << i;
}

TEST(frame_encoder, round_trips_every_length_boundary_through_a_decoder) {
  for (std::size_t size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
    SCOPED_TRACE(size);
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>(i * 13);
    const auto frames = test_support::decode_server_frames(encode_frame(opcode::binary, payload));
    ASSERT_TRUE(frames.has_value());
    ASSERT_EQ(frames->size(), 1U);
    EXPECT_TRUE(frames->front().fin);
    EXPECT_EQ(frames->front().rsv, 0);
    EXPECT_FALSE(frames->front().masked);
    EXPECT_EQ(frames->front().opcode, 0x2);
    EXPECT_EQ(frames->front().payload, payload);
  }
}

TEST(frame_encoder, sets_fin_and_opcode_and_never_masks) {
  for (auto [op, first] : {std::pair{opcode::text, 0x81U}, std::pair{opcode::binary, 0x82U},
                           std::pair{opcode::close, 0x88U}, std::pair{opcode::ping, 0x89U},
                           std::pair{opcode::pong, 0x8AU}}) {
    const std::string frame = encode_frame(op, "xyz");
    EXPECT_EQ(byte_at(frame, 0), first);
    EXPECT_EQ(byte_at(frame, 1) & 0x80U, 0U);
  }
}

TEST(frame_encoder, concatenates_parts_into_one_payload) {
  const std::string frame = encode_frame(opcode::text, {"alice", ": ", "hello"});
  EXPECT_EQ(frame, encode_frame(opcode::text, "alice: hello"));
}

TEST(frame_encoder, picks_the_length_encoding_from_the_total_of_the_parts) {
  const std::string a(100, 'a');
  const std::string b(26, 'b');
  const std::string frame = encode_frame(opcode::text, {a, b});
  ASSERT_EQ(frame.size(), 4U + 126U);
  EXPECT_EQ(byte_at(frame, 1), 126U);
  EXPECT_EQ(frame.substr(4), a + b);
}

TEST(frame_encoder, make_shared_frame_holds_the_same_bytes) {
  const auto shared = make_shared_frame(opcode::text, {"a", "b"});
  ASSERT_NE(shared, nullptr);
  EXPECT_EQ(*shared, encode_frame(opcode::text, "ab"));
}

TEST(frame_encoder, encodes_close_code_big_endian_then_reason) {
  const std::string frame = encode_close_frame({close_code::normal, "bye"});
  ASSERT_EQ(frame.size(), 2U + 2U + 3U);
  EXPECT_EQ(byte_at(frame, 0), 0x88U);
  EXPECT_EQ(byte_at(frame, 1), 5U);
  EXPECT_EQ(byte_at(frame, 2), 0x03U);  // 1000 = 0x03E8
  EXPECT_EQ(byte_at(frame, 3), 0xE8U);
  EXPECT_EQ(frame.substr(4), "bye");

  const std::string going_away = encode_close_frame({close_code::going_away, ""});
  ASSERT_EQ(going_away.size(), 4U);
  EXPECT_EQ(byte_at(going_away, 2), 0x03U);  // 1001 = 0x03E9
  EXPECT_EQ(byte_at(going_away, 3), 0xE9U);

  const std::string application = encode_close_frame({static_cast<close_code>(4321), ""});
  EXPECT_EQ(byte_at(application, 2), 0x10U);  // 4321 = 0x10E1
  EXPECT_EQ(byte_at(application, 3), 0xE1U);
}

TEST(frame_encoder, keeps_a_close_reason_of_123_bytes) {
  const std::string reason(123, 'r');
  const std::string frame = encode_close_frame({close_code::policy_violation, reason});
  ASSERT_EQ(frame.size(), 2U + 125U);
  EXPECT_EQ(byte_at(frame, 1), 125U);
  EXPECT_EQ(frame.substr(4), reason);
}

TEST(frame_encoder, truncates_close_reason_to_123_bytes) {
  std::string reason(123, 'r');
  reason += "-cut-off";
  const std::string frame = encode_close_frame({close_code::protocol_error, reason});
  ASSERT_EQ(frame.size(), 2U + 125U);  // still a 7-bit length: a valid control frame
  EXPECT_EQ(byte_at(frame, 1), 125U);
  EXPECT_EQ(byte_at(frame, 2), 0x03U);  // 1002 = 0x03EA
  EXPECT_EQ(byte_at(frame, 3), 0xEAU);
  EXPECT_EQ(frame.substr(4), std::string(123, 'r'));
}

// RFC 6455 §5.5.1/§8.1: a close reason is UTF-8, and a client that receives one that is not must
// fail the connection. Cutting at byte 123 must not split a multi-byte character.
TEST(frame_encoder, truncates_close_reason_on_a_code_point_boundary) {
  std::string reason(122, 'r');
  reason += "\xC3\xA9";  // "é" straddles bytes 122..123
  const std::string frame = encode_close_frame({close_code::policy_violation, reason});
  const std::string sent_reason = frame.substr(4);
  EXPECT_LE(sent_reason.size(), 123U);
  EXPECT_TRUE(is_valid_utf8(sent_reason)) << "the reason was cut inside a UTF-8 sequence";
  EXPECT_EQ(sent_reason, std::string(122, 'r'));
}

}  // namespace
}  // namespace parley::ws
