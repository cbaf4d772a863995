#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "ws/close_code.hpp"
#include "ws/opcode.hpp"

namespace parley::ws {

// An encoded server frame, immutable and shared by every recipient of a broadcast.
using shared_frame = std::shared_ptr<const std::string>;

// Encodes one unmasked, final server frame whose payload is the concatenation of `parts`
// (so "alice" ": " text is framed without first building the joined string).
std::string encode_frame(opcode op, std::initializer_list<std::string_view> parts);

inline std::string encode_frame(opcode op, std::string_view payload) {
  return encode_frame(op, {payload});
}

inline shared_frame make_shared_frame(opcode op, std::initializer_list<std::string_view> parts) {
  return std::make_shared<const std::string>(encode_frame(op, parts));
}

// A final server frame with RSV1 set: a message compressed by permessage-deflate (RFC 7692),
// `deflated` being its compressed payload.
std::string encode_deflated_frame(opcode op, std::string_view deflated);

// The payload of a frame this encoder made (unmasked, so the header is 2, 4 or 10 bytes).
std::string_view server_frame_payload(std::string_view frame);

// A close frame: the code in network order, then the reason cut to the 123 bytes that fit.
std::string encode_close_frame(close_status status);

}  // namespace parley::ws
