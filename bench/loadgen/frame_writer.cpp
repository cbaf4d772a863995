#include "frame_writer.hpp"

#include <cstring>

namespace parley::bench {
namespace {
constexpr std::uint8_t k_mask[4] = {0x5a, 0x3c, 0xa7, 0x1e};
}

std::size_t append_frame_header(std::vector<char>& out, std::uint8_t opcode,
                                std::size_t payload_size) {
  char header[14];
  std::size_t n = 0;
  header[n++] = static_cast<char>(0x80 | opcode);
  if (payload_size < 126) {
    header[n++] = static_cast<char>(0x80 | payload_size);
  } else if (payload_size <= 0xFFFF) {
    header[n++] = static_cast<char>(0x80 | 126);
    header[n++] = static_cast<char>(payload_size >> 8);
    header[n++] = static_cast<char>(payload_size);
  } else {
    header[n++] = static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      header[n++] = static_cast<char>(static_cast<std::uint64_t>(payload_size) >> shift);
  }
  std::memcpy(header + n, k_mask, 4);
  n += 4;
  const std::size_t start = out.size();
  out.resize(start + n + payload_size);
  std::memcpy(out.data() + start, header, n);
  return start + n;
}

void mask_payload(std::span<char> payload) {
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= static_cast<char>(k_mask[i & 3]);
}

void append_frame(std::vector<char>& out, std::uint8_t opcode, std::span<const char> payload) {
  const std::size_t at = append_frame_header(out, opcode, payload.size());
  if (!payload.empty()) std::memcpy(out.data() + at, payload.data(), payload.size());
  mask_payload({out.data() + at, payload.size()});
}

}  // namespace parley::bench
