#include "chat_line.hpp"

#include <charconv>

namespace parley::bench {
namespace {

// Parses decimal digits at text[pos...]; false when there are none or they overflow.
template <typename T>
bool parse_number(std::string_view text, std::size_t& pos, T& value) {
  const char* first = text.data() + pos;
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc{} || end == first) return false;
  pos = static_cast<std::size_t>(end - text.data());
  return true;
}

chat_line parse_message(std::string_view text, std::size_t pos, std::uint32_t client) {
  chat_line line;
  line.client = client;
  // After "uK: " comes "{seq} {sent_ns} ".
  if (!parse_number(text, pos, line.seq) || pos >= text.size() || text[pos] != ' ') return line;
  ++pos;
  if (!parse_number(text, pos, line.sent_ns)) return line;
  line.kind = line_kind::message;
  return line;
}

}  // namespace

chat_line classify_line(std::string_view text, std::string_view prefix) {
  chat_line line;
  if (text.starts_with(prefix)) {
    std::size_t pos = prefix.size();
    std::uint32_t client = 0;
    if (parse_number(text, pos, client) && pos < text.size()) {
      if (text.substr(pos).starts_with(": ")) return parse_message(text, pos + 2, client);
      if (text[pos] == ' ') {
        line.client = client;
        if (text.ends_with(" connected to chat")) line.kind = line_kind::join;
        if (text.substr(pos) == " left the chat") line.kind = line_kind::leave;
        return line;
      }
    }
  }
  if (text.starts_with("Hi ") && text.ends_with("! You have successfully connected to the chat"))
    line.kind = line_kind::greeting;
  return line;
}

std::size_t write_message_prefix(char* out, std::uint32_t seq, std::int64_t sent_ns) {
  char* p = std::to_chars(out, out + 10, seq).ptr;
  *p++ = ' ';
  p = std::to_chars(p, p + 19, sent_ns).ptr;
  *p++ = ' ';
  return static_cast<std::size_t>(p - out);
}

}  // namespace parley::bench
