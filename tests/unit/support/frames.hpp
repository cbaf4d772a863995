#pragma once

// Test helpers shared by the unit tests: builds client (masked) frames byte by byte, independent
// of the code under test, and decodes the server's (unmasked) frames back into opcode + payload.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::test_support {

// A masking key with four different bytes, so a wrong key position shows in the result.
constexpr std::array<std::uint8_t, 4> k_mask = {0x37, 0xFA, 0x21, 0x3D};

// How a client frame is built; the defaults make a valid, final, masked frame.
struct frame_options {
  bool fin = true;
  std::uint8_t rsv = 0;  // the three RSV bits, 0..7 (RSV1 = 4, RSV2 = 2, RSV3 = 1)
  bool masked = true;
  std::array<std::uint8_t, 4> mask = k_mask;
  // Length encoding: 0 picks the shortest; 7, 16 or 64 forces one (for non-minimal encodings).
  int length_bits = 0;
};

// The header of a client frame: first byte, length (7/16/64-bit) and masking key if masked.
inline std::string client_header(std::uint8_t raw_opcode, std::uint64_t length,
                                 const frame_options& options = {}) {
  std::string header;
  header.push_back(static_cast<char>((options.fin ? 0x80 : 0x00) | ((options.rsv & 0x7) << 4) |
                                     (raw_opcode & 0x0F)));
  const char mask_bit = options.masked ? static_cast<char>(0x80) : 0;
  int bits = options.length_bits;
  if (bits == 0) bits = length < 126 ? 7 : (length <= 0xFFFF ? 16 : 64);
  if (bits == 7) {
    header.push_back(static_cast<char>(mask_bit | static_cast<char>(length)));
  } else if (bits == 16) {
    header.push_back(static_cast<char>(mask_bit | 126));
    header.push_back(static_cast<char>((length >> 8) & 0xFF));
    header.push_back(static_cast<char>(length & 0xFF));
  } else {
    header.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      header.push_back(static_cast<char>((length >> shift) & 0xFF));
  }
  if (options.masked) {
    for (auto byte : options.mask) header.push_back(static_cast<char>(byte));
  }
  return header;
}

// A whole client frame: header, then the payload masked with the key (unless unmasked).
inline std::string client_frame(std::uint8_t raw_opcode, std::string_view payload,
                                const frame_options& options = {}) {
  std::string frame = client_header(raw_opcode, payload.size(), options);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const auto key = options.masked ? options.mask[i % 4] : 0;
    frame.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key));
  }
  return frame;
}

// Raw opcodes, so tests can also send reserved ones.
namespace op {
constexpr std::uint8_t continuation = 0x0;
constexpr std::uint8_t text = 0x1;
constexpr std::uint8_t binary = 0x2;
constexpr std::uint8_t close = 0x8;
constexpr std::uint8_t ping = 0x9;
constexpr std::uint8_t pong = 0xA;
}  // namespace op

inline std::string text_frame(std::string_view payload, bool fin = true) {
  return client_frame(op::text, payload, {.fin = fin});
}
inline std::string continuation_frame(std::string_view payload, bool fin) {
  return client_frame(op::continuation, payload, {.fin = fin});
}
inline std::string close_frame(std::uint16_t code, std::string_view reason = {}) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return client_frame(op::close, payload);
}

// One frame as the server sent it.
struct server_frame {
  bool fin = false;
  std::uint8_t rsv = 0;
  bool masked = false;
  std::uint8_t opcode = 0;
  std::string payload;

  // The close code of a close frame, if it carries one.
  std::optional<std::uint16_t> close_code() const {
    if (payload.size() < 2) return std::nullopt;
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                      static_cast<std::uint8_t>(payload[1]));
  }
  std::string close_reason() const {
    return payload.size() < 2 ? std::string{} : payload.substr(2);
  }
};

// Decodes the server's frames from `bytes`; nothing (std::nullopt) if the bytes are not a whole
// number of well-formed frames.
inline std::optional<std::vector<server_frame>> decode_server_frames(std::string_view bytes) {
  std::vector<server_frame> frames;
  std::size_t at = 0;
  auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  while (at < bytes.size()) {
    if (bytes.size() - at < 2) return std::nullopt;
    server_frame frame;
    frame.fin = (byte(at) & 0x80) != 0;
    frame.rsv = (byte(at) >> 4) & 0x7;
    frame.opcode = byte(at) & 0x0F;
    frame.masked = (byte(at + 1) & 0x80) != 0;
    std::uint64_t length = byte(at + 1) & 0x7F;
    std::size_t header = 2;
    const std::size_t extra = length == 126 ? 2 : (length == 127 ? 8 : 0);
    if (bytes.size() - at < header + extra) return std::nullopt;
    if (extra != 0) {
      length = 0;
      for (std::size_t i = 0; i < extra; ++i) length = (length << 8) | byte(at + 2 + i);
    }
    header += extra;
    if (frame.masked) return std::nullopt;  // a server never masks
    if (bytes.size() - at - header < length) return std::nullopt;
    frame.payload = std::string(bytes.substr(at + header, length));
    frames.push_back(std::move(frame));
    at += header + length;
  }
  return frames;
}

}  // namespace parley::test_support
