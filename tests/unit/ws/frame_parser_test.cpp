#include "ws/frame_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../support/frames.hpp"

namespace parley::ws {
namespace {

using test_support::client_frame;
using test_support::client_header;
using test_support::frame_options;
namespace raw = test_support::op;

constexpr std::uint64_t k_no_limit = std::numeric_limits<std::uint64_t>::max();

parse_result parse(const std::string& bytes, std::uint64_t max = k_no_limit) {
  return parse_frame(std::span<const char>(bytes.data(), bytes.size()), max);
}

std::string payload_of_size(std::size_t size) {
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>((i * 7 + 3) & 0xFF);
  return payload;
}

// Every length at an encoding boundary, with the header size it needs (2 + extended length + 4).
struct length_case {
  std::size_t payload_size;
  std::size_t header_size;
};
const std::vector<length_case> k_length_cases = {
    {0, 6}, {1, 6}, {125, 6}, {126, 8}, {127, 8}, {65535, 8}, {65536, 14}, {65537, 14},
};

TEST(frame_parser, parses_every_length_encoding_boundary) {
  for (const auto& [size, header_size] : k_length_cases) {
    SCOPED_TRACE(size);
    const std::string payload = payload_of_size(size);
    const std::string frame = client_frame(raw::binary, payload);
    ASSERT_EQ(frame.size(), header_size + size);

    const auto result = parse(frame);
    ASSERT_EQ(result.status, parse_status::complete);
    EXPECT_TRUE(result.header.fin);
    EXPECT_EQ(result.header.op, opcode::binary);
    EXPECT_EQ(result.header.payload_size, size);
    EXPECT_EQ(result.header.header_size, header_size);
    EXPECT_EQ(result.frame_size(), frame.size());
    EXPECT_EQ(result.header.mask, test_support::k_mask);
  }
}

TEST(frame_parser, reads_only_the_first_frame_of_a_longer_input) {
  const std::string first = client_frame(raw::text, "hello");
  const std::string both = first + client_frame(raw::binary, std::string(300, 'x'));
  const auto result = parse(both);
  ASSERT_EQ(result.status, parse_status::complete);
  EXPECT_EQ(result.header.op, opcode::text);
  EXPECT_EQ(result.frame_size(), first.size());
}

TEST(frame_parser, accepts_non_minimal_length_encodings) {
  // RFC 6455 asks senders for the minimal encoding; the parser still reads the value right.
  const std::string payload = payload_of_size(5);
  for (int bits : {16, 64}) {
    SCOPED_TRACE(bits);
    const std::string frame = client_frame(raw::text, payload, {.length_bits = bits});
    const auto result = parse(frame);
    ASSERT_EQ(result.status, parse_status::complete);
    EXPECT_EQ(result.header.payload_size, 5U);
    EXPECT_EQ(result.frame_size(), frame.size());
  }
}

TEST(frame_parser, needs_more_at_every_truncation_of_header_and_payload) {
  for (const auto& [size, header_size] : k_length_cases) {
    SCOPED_TRACE(size);
    const std::string frame = client_frame(raw::binary, payload_of_size(size));
    const std::span<const char> all(frame.data(), frame.size());
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
      const auto result = parse_frame(all.first(cut), k_no_limit);
      if (result.status != parse_status::need_more) {
        FAIL() << "cut at " << cut << " of " << frame.size() << " gave status "
               << static_cast<int>(result.status);
      }
    }
    EXPECT_EQ(parse_frame(all, k_no_limit).status, parse_status::complete);
  }
}

TEST(frame_parser, needs_more_for_control_frames_cut_short) {
  const std::string frame = client_frame(raw::ping, "abc");
  for (std::size_t cut = 0; cut < frame.size(); ++cut) {
    EXPECT_EQ(parse(frame.substr(0, cut)).status, parse_status::need_more) << "cut at " << cut;
  }
}

TEST(frame_parser, reads_fin_and_opcode) {
  const auto fragment = parse(client_frame(raw::text, "a", {.fin = false}));
  ASSERT_EQ(fragment.status, parse_status::complete);
  EXPECT_FALSE(fragment.header.fin);
  EXPECT_EQ(fragment.header.op, opcode::text);

  const auto continuation = parse(client_frame(raw::continuation, "a", {.fin = true}));
  ASSERT_EQ(continuation.status, parse_status::complete);
  EXPECT_TRUE(continuation.header.fin);
  EXPECT_EQ(continuation.header.op, opcode::continuation);

  for (auto [raw_op, op] :
       {std::pair{raw::close, opcode::close}, std::pair{raw::ping, opcode::ping},
        std::pair{raw::pong, opcode::pong}}) {
    const auto control = parse(client_frame(raw_op, ""));
    ASSERT_EQ(control.status, parse_status::complete);
    EXPECT_EQ(control.header.op, op);
  }
}

TEST(frame_parser, reads_the_masking_key) {
  const std::array<std::uint8_t, 4> key = {0x01, 0x80, 0xFF, 0x7E};
  const auto result = parse(client_frame(raw::text, "x", {.mask = key}));
  ASSERT_EQ(result.status, parse_status::complete);
  EXPECT_EQ(result.header.mask, key);
}

// --- errors ---------------------------------------------------------------------------------

void expect_error(const std::string& bytes, close_code code, std::uint64_t max = k_no_limit) {
  const auto result = parse(bytes, max);
  ASSERT_EQ(result.status, parse_status::error);
  EXPECT_EQ(result.error.code, code);
  EXPECT_FALSE(result.error.reason.empty());
}

TEST(frame_parser, rejects_unmasked_frame_with_1002) {
  expect_error(client_frame(raw::text, "hi", {.masked = false}), close_code::protocol_error);
}

TEST(frame_parser, rejects_unmasked_frame_from_its_first_two_bytes) {
  expect_error(client_frame(raw::text, "hi", {.masked = false}).substr(0, 2),
               close_code::protocol_error);
}

TEST(frame_parser, rejects_each_rsv_bit_with_1002) {
  for (std::uint8_t rsv = 1; rsv <= 7; ++rsv) {
    SCOPED_TRACE(static_cast<int>(rsv));
    expect_error(client_frame(raw::text, "hi", {.rsv = rsv}), close_code::protocol_error);
    expect_error(client_frame(raw::ping, "", {.rsv = rsv}).substr(0, 2),
                 close_code::protocol_error);
  }
}

TEST(frame_parser, rejects_reserved_opcodes_with_1002) {
  for (std::uint8_t raw_op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    SCOPED_TRACE(static_cast<int>(raw_op));
    expect_error(client_frame(raw_op, "x"), close_code::protocol_error);
    expect_error(client_frame(raw_op, "").substr(0, 2), close_code::protocol_error);
  }
}

TEST(frame_parser, rejects_fragmented_control_frames_with_1002) {
  for (std::uint8_t raw_op : {raw::close, raw::ping, raw::pong}) {
    SCOPED_TRACE(static_cast<int>(raw_op));
    expect_error(client_frame(raw_op, "x", {.fin = false}), close_code::protocol_error);
  }
}

TEST(frame_parser, accepts_control_payload_of_125_bytes) {
  const auto result = parse(client_frame(raw::ping, std::string(125, 'p')));
  ASSERT_EQ(result.status, parse_status::complete);
  EXPECT_EQ(result.header.payload_size, 125U);
}

TEST(frame_parser, rejects_control_payload_of_126_bytes_with_1002) {
  for (std::uint8_t raw_op : {raw::close, raw::ping, raw::pong}) {
    SCOPED_TRACE(static_cast<int>(raw_op));
    expect_error(client_frame(raw_op, std::string(126, 'p')), close_code::protocol_error);
    // From the two first bytes, before the extended length or payload arrives.
    expect_error(client_frame(raw_op, std::string(126, 'p')).substr(0, 2),
                 close_code::protocol_error);
    // A small value in a 64-bit length field is still over the limit for the header's 7 bits.
    expect_error(client_frame(raw_op, "ab", {.length_bits = 64}), close_code::protocol_error);
  }
}

TEST(frame_parser, control_frames_ignore_the_data_limit) {
  const auto result = parse(client_frame(raw::ping, std::string(100, 'p')), /*max=*/10);
  EXPECT_EQ(result.status, parse_status::complete);
}

TEST(frame_parser, rejects_64_bit_length_with_most_significant_bit_set_with_1002) {
  std::string header = client_header(raw::binary, 0, {.length_bits = 64});
  header[2] = static_cast<char>(0x80);  // 2^63
  expect_error(header, close_code::protocol_error);
  // Known from the first 10 bytes, before the masking key arrives.
  expect_error(header.substr(0, 10), close_code::protocol_error);
  // Also with the limit out of the way and all other bits set.
  std::string all_ones =
      client_header(raw::binary, std::numeric_limits<std::uint64_t>::max(), {.length_bits = 64});
  expect_error(all_ones, close_code::protocol_error);
}

TEST(frame_parser, accepts_data_payload_equal_to_the_limit) {
  const auto result = parse(client_frame(raw::text, std::string(100, 'a')), /*max=*/100);
  EXPECT_EQ(result.status, parse_status::complete);
}

TEST(frame_parser, rejects_data_payload_over_the_limit_with_1009_from_the_header_alone) {
  struct limit_case {
    std::uint64_t max;
    std::uint64_t size;
    std::size_t length_bytes;  // first bytes that tell the length: 2, 4 or 10
  };
  for (const auto& [max, size, length_bytes] :
       std::vector<limit_case>{{10, 11, 2},
                               {0, 1, 2},
                               {125, 126, 4},
                               {200, 201, 4},
                               {65535, 65536, 10},
                               {70000, 70001, 10},
                               {1000, std::uint64_t{1} << 40, 10}}) {
    SCOPED_TRACE(size);
    for (std::uint8_t raw_op : {raw::text, raw::binary, raw::continuation}) {
      const std::string header = client_header(raw_op, size);
      // Nothing of the payload, not even the masking key: the length alone decides.
      expect_error(header.substr(0, length_bytes), close_code::message_too_big, max);
      expect_error(header, close_code::message_too_big, max);
    }
  }
}

// --- unmask ---------------------------------------------------------------------------------

std::string reference_xor(std::string_view data, const std::array<std::uint8_t, 4>& mask,
                          std::size_t offset) {
  std::string out(data);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(out[i] ^ mask[(offset + i) % 4]);
  return out;
}

TEST(frame_parser, unmask_recovers_the_payload_of_a_parsed_frame) {
  for (std::size_t size : {0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 125, 126, 1000, 65536}) {
    SCOPED_TRACE(size);
    const std::string payload = payload_of_size(size);
    std::string frame = client_frame(raw::binary, payload);
    const auto result = parse(frame);
    ASSERT_EQ(result.status, parse_status::complete);
    std::span<char> body(frame.data() + result.header.header_size, result.header.payload_size);
    unmask(body, result.header.mask);
    EXPECT_EQ(std::string_view(body.data(), body.size()), payload);
  }
}

TEST(frame_parser, unmask_matches_byte_wise_xor_for_every_offset_length_and_alignment) {
  const std::array<std::uint8_t, 4> mask = {0x12, 0x34, 0x56, 0x78};
  const std::string source = payload_of_size(64);
  std::string buffer(80, '\0');
  for (std::size_t address_shift = 0; address_shift < 8; ++address_shift) {  // unaligned memory
    for (std::size_t offset = 0; offset < 9; ++offset) {                     // position in payload
      for (std::size_t size = 0; size <= 41; ++size) {                       // not multiples of 8
        const std::string_view original(source.data(), size);
        std::copy(original.begin(), original.end(),
                  buffer.begin() + static_cast<std::ptrdiff_t>(address_shift));
        std::span<char> piece(buffer.data() + address_shift, size);
        unmask(piece, mask, offset);
        ASSERT_EQ(std::string_view(piece.data(), piece.size()),
                  reference_xor(original, mask, offset))
            << "shift " << address_shift << " offset " << offset << " size " << size;
      }
    }
  }
}

TEST(frame_parser, unmask_in_pieces_at_any_offset_equals_unmask_in_one_go) {
  const std::string payload = payload_of_size(37);
  std::string masked = payload;
  unmask(masked, test_support::k_mask);  // XOR is its own inverse: this masks
  EXPECT_EQ(masked, reference_xor(payload, test_support::k_mask, 0));
  for (std::size_t first = 0; first <= masked.size(); ++first) {
    for (std::size_t second = first; second <= masked.size(); ++second) {
      std::string copy = masked;
      std::span<char> all(copy);
      unmask(all.subspan(0, first), test_support::k_mask, 0);
      unmask(all.subspan(first, second - first), test_support::k_mask, first);
      unmask(all.subspan(second), test_support::k_mask, second);
      ASSERT_EQ(copy, payload) << "split at " << first << " and " << second;
    }
  }
}

TEST(frame_parser, unmask_twice_round_trips) {
  for (std::size_t size : {0, 1, 5, 8, 13, 64, 1023}) {
    const std::string payload = payload_of_size(size);
    std::string copy = payload;
    unmask(copy, test_support::k_mask, 3);
    if (size > 0) {
      EXPECT_NE(copy, payload);
    }
    unmask(copy, test_support::k_mask, 3);
    EXPECT_EQ(copy, payload);
  }
}

}  // namespace
}  // namespace parley::ws

// --- permessage-deflate (RSV1) ----------------------------------------------------------------

namespace parley::ws {
namespace {

parse_result parse_deflate(const std::string& bytes) {
  return parse_frame(std::span<const char>(bytes.data(), bytes.size()), k_no_limit, true);
}

TEST(frame_parser, takes_rsv1_on_a_data_frame_when_deflate_was_negotiated) {
  for (std::uint8_t raw_op : {raw::text, raw::binary}) {
    const auto result = parse_deflate(client_frame(raw_op, "xx", {.fin = false, .rsv = 4}));
    ASSERT_EQ(result.status, parse_status::complete);
    EXPECT_TRUE(result.header.compressed);
  }
  EXPECT_FALSE(parse_deflate(client_frame(raw::text, "xx")).header.compressed);
}

TEST(frame_parser, rejects_rsv1_on_control_and_continuation_frames_with_1002) {
  for (std::uint8_t raw_op : {raw::continuation, raw::ping, raw::pong, raw::close}) {
    SCOPED_TRACE(static_cast<int>(raw_op));
    const auto result = parse_deflate(client_frame(raw_op, "", {.rsv = 4}).substr(0, 2));
    EXPECT_EQ(result.status, parse_status::error);
    EXPECT_EQ(result.error.code, close_code::protocol_error);
  }
}

TEST(frame_parser, rejects_rsv2_and_rsv3_even_with_deflate) {
  for (std::uint8_t rsv : {1, 2, 3, 5, 6, 7}) {
    EXPECT_EQ(parse_deflate(client_frame(raw::text, "hi", {.rsv = rsv})).status,
              parse_status::error);
  }
}

}  // namespace
}  // namespace parley::ws
