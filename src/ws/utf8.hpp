#pragma once

#include <cstdint>
#include <string_view>

namespace parley::ws {

// Whether `text` is complete, valid UTF-8 (simdjson's validator: fast on long text).
bool is_valid_utf8(std::string_view text);

// Validates a message that arrives in pieces (fragments), failing as soon as the bytes seen so
// far cannot begin valid UTF-8, as RFC 6455 §8.1 asks ("fail fast"), not only at the end.
class utf8_stream_validator {
 public:
  // Takes the next piece; false once the message can no longer be valid.
  bool feed(std::string_view piece);
  // Whether the message ends on a code point boundary (call after the last piece).
  [[nodiscard]] bool complete() const { return pending_size_ == 0; }
  void reset() { pending_size_ = 0; }

 private:
  bool feed_pending(std::string_view& piece);

  char pending_[4] = {};  // a code point split between pieces
  std::uint8_t pending_size_ = 0;
};

// Whether `bytes` (shorter than the sequence its first byte announces) can still become a valid
// code point, e.g. "\xE0\xA0" can while "\xE0\x80" (overlong) cannot.
bool is_valid_utf8_prefix(std::string_view bytes);

// How many bytes a sequence starting with `lead` has; 0 for a byte that cannot start one.
int utf8_sequence_size(unsigned char lead);

}  // namespace parley::ws
