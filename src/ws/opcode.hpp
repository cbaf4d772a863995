#pragma once

#include <cstdint>

namespace parley::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

constexpr bool is_control(opcode op) {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

// Control frames carry at most 125 bytes of payload (RFC 6455 §5.5).
constexpr std::size_t k_max_control_payload = 125;

}  // namespace parley::ws
