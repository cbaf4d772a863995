#include "ws/utf8.hpp"

#include <simdjson.h>

#include <algorithm>

namespace parley::ws {

bool is_valid_utf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

int utf8_sequence_size(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool is_valid_utf8_prefix(std::string_view bytes) {
  if (bytes.empty()) return true;
  const auto lead = static_cast<unsigned char>(bytes[0]);
  const int size = utf8_sequence_size(lead);
  if (size == 0 || static_cast<int>(bytes.size()) >= size) return false;
  for (std::size_t i = 1; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (i == 1) {  // the second byte rules out overlongs, surrogates and code points > U+10FFFF
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    if (byte < low || byte > high) return false;
  }
  return true;
}

bool utf8_stream_validator::feed_pending(std::string_view& piece) {
  const int size = utf8_sequence_size(static_cast<unsigned char>(pending_[0]));
  const std::size_t wanted = static_cast<std::size_t>(size) - pending_size_;
  const std::size_t taken = std::min(wanted, piece.size());
  std::copy_n(piece.data(), taken, pending_ + pending_size_);
  pending_size_ = static_cast<std::uint8_t>(pending_size_ + taken);
  piece.remove_prefix(taken);
  if (taken < wanted) return is_valid_utf8_prefix(std::string_view(pending_, pending_size_));
  const bool valid = is_valid_utf8(std::string_view(pending_, pending_size_));
  pending_size_ = 0;
  return valid;
}

bool utf8_stream_validator::feed(std::string_view piece) {
  if (pending_size_ > 0 && !feed_pending(piece)) return false;
  if (piece.empty()) return true;

  // Find a sequence cut off at the end of the piece: its lead byte is among the last three.
  std::size_t tail_start = piece.size();
  const std::size_t lookback = std::min<std::size_t>(3, piece.size());
  for (std::size_t back = 1; back <= lookback; ++back) {
    const std::size_t at = piece.size() - back;
    const auto byte = static_cast<unsigned char>(piece[at]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    const int size = utf8_sequence_size(byte);
    if (size > static_cast<int>(back)) tail_start = at;
    break;
  }
  const std::string_view body = piece.substr(0, tail_start);
  const std::string_view tail = piece.substr(tail_start);
  if (!is_valid_utf8(body) || !is_valid_utf8_prefix(tail)) return false;
  std::copy(tail.begin(), tail.end(), pending_);
  pending_size_ = static_cast<std::uint8_t>(tail.size());
  return true;
}

}  // namespace parley::ws
