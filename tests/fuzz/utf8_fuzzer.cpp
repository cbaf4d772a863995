// The UTF-8 checks against each other: simdjson's whole-text validator, our validator fed the
// same text in pieces (cut where the input's first bytes say), and the prefix check on every
// incomplete sequence at the end of the text. Any disagreement aborts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ws/utf8.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

// Feeds `text` in pieces of 1 to 8 bytes, their sizes taken from `cuts` in turn.
bool valid_in_pieces(std::string_view text, std::string_view cuts) {
  parley::ws::utf8_stream_validator validator;
  std::size_t turn = 0;
  while (!text.empty()) {
    const std::size_t cut =
        cuts.empty() ? text.size() : 1 + static_cast<unsigned char>(cuts[turn++ % cuts.size()]) % 8;
    const std::string_view piece = text.substr(0, cut);
    text.remove_prefix(piece.size());
    if (!validator.feed(piece)) return false;
  }
  return validator.complete();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t cut_bytes = data[0] % 4;  // how many bytes after the first choose the cuts
  if (size < 1 + cut_bytes) return 0;
  const std::string_view cuts(reinterpret_cast<const char*>(data) + 1, cut_bytes);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1 + cut_bytes,
                              size - 1 - cut_bytes);

  const bool valid = parley::ws::is_valid_utf8(text);
  check(valid == valid_in_pieces(text, cuts));
  check(valid == valid_in_pieces(text, {}));

  // A valid text cut inside its last code point leaves a prefix that can still become one.
  if (valid && !text.empty()) {
    std::size_t last = text.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;
    const int length = parley::ws::utf8_sequence_size(static_cast<unsigned char>(text[last]));
    check(length >= 1 && last + static_cast<std::size_t>(length) == text.size());
    for (std::size_t end = last + 1; end < text.size(); ++end) {
      check(parley::ws::is_valid_utf8_prefix(text.substr(last, end - last)));
    }
  }
  return 0;
}
