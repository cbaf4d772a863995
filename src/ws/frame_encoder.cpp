#include "ws/frame_encoder.hpp"

#include <cstdint>

namespace parley::ws {
namespace {

constexpr std::uint8_t k_fin = 0x80;
constexpr std::uint8_t k_rsv1 = 0x40;  // permessage-deflate: the message is compressed

std::string encode(std::uint8_t first_byte, std::initializer_list<std::string_view> parts) {
  std::size_t payload_size = 0;
  for (auto part : parts) payload_size += part.size();

  std::string frame;
  frame.reserve(payload_size + 10);
  frame.push_back(static_cast<char>(first_byte));
  if (payload_size < 126) {
    frame.push_back(static_cast<char>(payload_size));
  } else if (payload_size <= 0xFFFF) {
    frame.push_back(static_cast<char>(126));
    frame.push_back(static_cast<char>(payload_size >> 8));
    frame.push_back(static_cast<char>(payload_size & 0xFF));
  } else {
    frame.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(
          static_cast<char>((static_cast<std::uint64_t>(payload_size) >> shift) & 0xFF));
    }
  }
  for (auto part : parts) frame.append(part);
  return frame;
}

}  // namespace

std::string encode_frame(opcode op, std::initializer_list<std::string_view> parts) {
  return encode(k_fin | static_cast<std::uint8_t>(op), parts);
}

std::string encode_deflated_frame(opcode op, std::string_view deflated) {
  return encode(k_fin | k_rsv1 | static_cast<std::uint8_t>(op), {deflated});
}

std::string_view server_frame_payload(std::string_view frame) {
  const auto length_byte = static_cast<unsigned char>(frame[1]) & 0x7F;
  const std::size_t header = length_byte < 126 ? 2 : length_byte == 126 ? 4 : 10;
  return frame.substr(header);
}

std::string encode_close_frame(close_status status) {
  constexpr std::size_t k_max_reason = k_max_control_payload - 2;
  const auto code = static_cast<std::uint16_t>(status.code);
  const char code_bytes[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  std::string_view reason = status.reason;
  if (reason.size() > k_max_reason) {
    // Cut on a code point boundary: a close reason must stay valid UTF-8.
    std::size_t cut = k_max_reason;
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  return encode_frame(opcode::close, {std::string_view(code_bytes, 2), reason});
}

}  // namespace parley::ws
