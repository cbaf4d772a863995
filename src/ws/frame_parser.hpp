#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ws/close_code.hpp"
#include "ws/opcode.hpp"

namespace parley::ws {

// One client frame's header, as read off the wire.
struct frame_header {
  bool fin = false;
  bool compressed = false;  // RSV1: the first frame of a permessage-deflate compressed message
  opcode op = opcode::continuation;
  std::uint64_t payload_size = 0;
  std::array<std::uint8_t, 4> mask{};  // clients always mask (RFC 6455 §5.3)
  std::size_t header_size = 0;         // 2 to 14 bytes
};

enum class parse_status {
  complete,   // header and whole payload are in the input
  need_more,  // keep the bytes and call again with more
  error,      // the frame breaks RFC 6455 or a limit; close with `error`
};

struct parse_result {
  parse_status status = parse_status::need_more;
  frame_header header;
  close_status error{close_code::protocol_error, ""};

  [[nodiscard]] std::size_t frame_size() const { return header.header_size + header.payload_size; }
};

// Parses one client-to-server frame from the start of `input`. Rejects, as soon as the header
// shows them, unmasked frames, reserved bits (RSV1 is allowed only with `deflate`, the
// connection having negotiated permessage-deflate, and then only on a text or binary frame),
// reserved opcodes, fragmented or oversized control frames, and data frames whose payload exceeds
// `max_data_payload` (1009), so an oversized frame is never buffered.
parse_result parse_frame(std::span<const char> input, std::uint64_t max_data_payload,
                         bool deflate = false);

// XORs `payload` with the masking key in place; `offset` is the payload position of payload[0].
void unmask(std::span<char> payload, const std::array<std::uint8_t, 4>& mask,
            std::size_t offset = 0);

}  // namespace parley::ws
