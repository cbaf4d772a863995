#include "ws/frame_parser.hpp"

#include <cstring>

namespace parley::ws {
namespace {

bool is_known_opcode(std::uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

parse_result fail(close_code code, std::string_view reason) {
  parse_result result;
  result.status = parse_status::error;
  result.error = {code, reason};
  return result;
}

std::uint64_t read_big_endian(const unsigned char* bytes, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = (value << 8) | bytes[i];
  return value;
}

}  // namespace

parse_result parse_frame(std::span<const char> input, std::uint64_t max_data_payload,
                         bool deflate) {
  parse_result result;
  if (input.size() < 2) return result;
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());

  const std::uint8_t raw_op = bytes[0] & 0x0F;
  const bool rsv1 = (bytes[0] & 0x40) != 0;
  if ((bytes[0] & 0x30) != 0 || (rsv1 && !deflate)) {
    return fail(close_code::protocol_error, "Reserved bits set.");
  }
  if (!is_known_opcode(raw_op)) return fail(close_code::protocol_error, "Reserved opcode.");
  // RFC 7692 §6.1: only the first frame of a data message says it is compressed.
  if (rsv1 && (raw_op == 0x0 || raw_op >= 0x8)) {
    return fail(close_code::protocol_error, "RSV1 set on a control or continuation frame.");
  }
  if ((bytes[1] & 0x80) == 0) {
    return fail(close_code::protocol_error, "Client frames must be masked.");
  }

  frame_header& header = result.header;
  header.fin = (bytes[0] & 0x80) != 0;
  header.compressed = rsv1;
  header.op = static_cast<opcode>(raw_op);
  const std::uint8_t short_size = bytes[1] & 0x7F;
  const bool control = is_control(header.op);
  if (control && !header.fin) return fail(close_code::protocol_error, "Fragmented control frame.");
  if (control && short_size > k_max_control_payload) {
    return fail(close_code::protocol_error, "Control frame payload over 125 bytes.");
  }

  std::size_t size_bytes = 0;
  if (short_size == 126) size_bytes = 2;
  if (short_size == 127) size_bytes = 8;
  header.header_size = 2 + size_bytes + 4;
  if (input.size() < 2 + size_bytes) return result;

  header.payload_size = size_bytes == 0 ? short_size : read_big_endian(bytes + 2, size_bytes);
  if (size_bytes == 8 && (header.payload_size >> 63) != 0) {
    return fail(close_code::protocol_error, "Payload length has its most significant bit set.");
  }
  if (!control && header.payload_size > max_data_payload) {
    return fail(close_code::message_too_big, "Message too big.");
  }
  if (input.size() < header.header_size) return result;
  std::memcpy(header.mask.data(), bytes + 2 + size_bytes, 4);

  if (input.size() - header.header_size < header.payload_size) return result;
  result.status = parse_status::complete;
  return result;
}

void unmask(std::span<char> payload, const std::array<std::uint8_t, 4>& mask, std::size_t offset) {
  // Word-at-a-time XOR; payloads are often kilobytes and this runs once per received frame.
  std::size_t i = 0;
  const std::size_t n = payload.size();
  auto* data = reinterpret_cast<std::uint8_t*>(payload.data());
  while (i < n && ((offset + i) & 3) != 0) {
    data[i] ^= mask[(offset + i) & 3];
    ++i;
  }
  std::uint32_t word_mask = 0;
  std::memcpy(&word_mask, mask.data(), 4);
  std::uint64_t wide_mask = (std::uint64_t{word_mask} << 32) | word_mask;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= wide_mask;
    std::memcpy(data + i, &chunk, 8);
  }
  for (; i < n; ++i) data[i] ^= mask[(offset + i) & 3];
}

}  // namespace parley::ws
