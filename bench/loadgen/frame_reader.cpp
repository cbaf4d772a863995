#include "frame_reader.hpp"

namespace parley::bench {

frame read_frame(std::span<const char> input, bool deflate) {
  frame f;
  if (input.size() < 2) return f;
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(input[i]); };
  const std::uint8_t b0 = byte(0), b1 = byte(1);
  f.fin = (b0 & 0x80) != 0;
  f.opcode = b0 & 0x0F;
  f.masked = (b1 & 0x80) != 0;
  f.compressed = (b0 & 0x40) != 0;
  const std::uint8_t reserved = deflate ? 0x30 : 0x70;
  if ((b0 & reserved) != 0 || (f.opcode > 0x2 && f.opcode < 0x8) || f.opcode > 0xA) {
    f.status = frame_status::error;
    return f;
  }
  std::size_t pos = 2;
  std::uint64_t len = b1 & 0x7F;
  if (len >= 126) {
    const std::size_t bytes = len == 126 ? 2 : 8;
    if (input.size() < pos + bytes) return f;
    len = 0;
    for (std::size_t i = 0; i < bytes; ++i) len = (len << 8) | byte(pos + i);
    pos += bytes;
    if (len >> 63) {
      f.status = frame_status::error;
      return f;
    }
  }
  if (f.masked) {
    if (input.size() < pos + 4) return f;
    for (int i = 0; i < 4; ++i) f.mask[i] = byte(pos + i);
    pos += 4;
  }
  f.header_size = pos;
  f.payload_size = len;
  if (input.size() - pos >= len) f.status = frame_status::complete;
  return f;
}

void unmask_payload(std::span<char> payload, const std::uint8_t (&mask)[4]) {
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= static_cast<char>(mask[i & 3]);
}

}  // namespace parley::bench
