#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace parley::bench {

enum class frame_status {
  complete,   // header and payload are all in the input
  need_more,  // keep the bytes as leftover and read more
  error,      // reserved bits, bad opcode, or a length over 2^63
};

// One server-to-client frame located in a buffer. The payload starts at header_size.
struct frame {
  frame_status status = frame_status::need_more;
  bool fin = false;
  bool compressed = false;  // RSV1: permessage-deflate
  std::uint8_t opcode = 0;
  bool masked = false;  // servers must not mask, but unmask_payload copes if one does
  std::uint8_t mask[4] = {};
  std::size_t header_size = 0;
  std::uint64_t payload_size = 0;

  std::size_t size() const { return header_size + static_cast<std::size_t>(payload_size); }
};

namespace opcode {
constexpr std::uint8_t continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9,
                       pong = 0xA;
}

// Locates the frame at the start of `input` (7-, 16- and 64-bit lengths). Touches no memory
// outside `input` and allocates nothing. RSV1 is an error unless `deflate` (negotiated).
frame read_frame(std::span<const char> input, bool deflate = false);

// XORs a masked payload in place.
void unmask_payload(std::span<char> payload, const std::uint8_t (&mask)[4]);

}  // namespace parley::bench
