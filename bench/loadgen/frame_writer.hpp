#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace parley::bench {

// Appends a masked client frame header for a payload of `payload_size` bytes and room for the
// payload; returns where the payload goes. Fill it, then call mask_payload on it.
std::size_t append_frame_header(std::vector<char>& out, std::uint8_t opcode,
                                std::size_t payload_size);

// Masks a payload written after append_frame_header (one fixed key: RFC 6455 wants clients to
// mask, and nothing here needs the key to be unpredictable).
void mask_payload(std::span<char> payload);

// Appends a whole masked frame with a copy of `payload`.
void append_frame(std::vector<char>& out, std::uint8_t opcode, std::span<const char> payload);

}  // namespace parley::bench
