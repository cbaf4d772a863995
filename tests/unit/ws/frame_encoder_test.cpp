#include "ws/frame_encoder.hpp"

#include <gtest/gtest.h>

namespace parley::ws {
namespace {

TEST(frame_encoder, uses_seven_bit_length_up_to_125) {
  const std::string frame = encode_frame(opcode::text, std::string(125, 'a'));
  ASSERT_EQ(frame.size(), 127U);
  EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x81);
  EXPECT_EQ(static_cast<unsigned char>(frame[1]), 125);
}

}  // namespace
}  // namespace parley::ws
