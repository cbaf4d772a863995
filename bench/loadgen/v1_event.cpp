#include "v1_event.hpp"

#include <charconv>
#include <cstring>

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

// The position just after `key` (searched from `from`), or npos. A key cannot occur inside a
// JSON string: its quotes would be escaped there.
std::size_t after(std::string_view text, std::string_view key, std::size_t from = 0) {
  const auto at = text.find(key, from);
  return at == std::string_view::npos ? at : at + key.size();
}

// One of our clients' names, prefix + digits, as a JSON string value starting at `pos`
// (just after its opening quote).
bool parse_client(std::string_view text, std::size_t pos, std::string_view prefix,
                  std::uint32_t& client) {
  if (pos == std::string_view::npos || text.substr(pos, prefix.size()) != prefix) return false;
  pos += prefix.size();
  return parse_number(text, pos, client) && pos < text.size() && text[pos] == '"';
}

// The position after `literal` when it is at `pos`, else npos.
std::size_t expect(std::string_view text, std::size_t pos, std::string_view literal) {
  return pos != std::string_view::npos && text.substr(pos, literal.size()) == literal
             ? pos + literal.size()
             : std::string_view::npos;
}

// After an event's id the server writes `,"ts":"<24 characters>","room":"<room>"`: the position
// after that, found without searching (npos when the layout differs). The load generator reads
// millions of events a second; this is its hot path.
std::size_t skip_ts_and_room(std::string_view text, std::size_t pos) {
  constexpr std::size_t k_ts_size = 24;  // 2026-12-02T18:27:07.311Z
  pos = expect(text, pos, R"(,"ts":")");
  if (pos == std::string_view::npos) return pos;
  pos = expect(text, pos + k_ts_size, R"(","room":")");
  if (pos == std::string_view::npos) return pos;
  const auto quote = text.find('"', pos);  // our room names need no escaping
  return quote == std::string_view::npos ? quote : quote + 1;
}

// A stored event: {"type":"<kind>","id":N,"ts":T,"room":R,"<who>":"uK",...}, read at the
// expected places first, searched for otherwise.
chat_line stored_event(std::string_view text, std::size_t pos, line_kind kind, std::string_view who,
                       std::string_view prefix) {
  chat_line line;
  if (!parse_number(text, pos, line.id)) return line;
  std::size_t name = expect(text, skip_ts_and_room(text, pos), who);
  if (name == std::string_view::npos) name = after(text, who, pos);
  if (!parse_client(text, name, prefix, line.client)) return line;
  if (kind != line_kind::message) {
    line.kind = kind;
    return line;
  }
  // "text":"{seq} {sent_ns} xxx...", right after the name's closing quote
  const std::size_t name_end = text.find('"', name);
  pos = expect(text, name_end + 1, R"(,"text":")");
  if (pos == std::string_view::npos) pos = after(text, R"(,"text":")");
  if (pos == std::string_view::npos || !parse_number(text, pos, line.seq) || pos >= text.size() ||
      text[pos] != ' ')
    return line;
  ++pos;
  if (parse_number(text, pos, line.sent_ns)) line.kind = kind;
  return line;
}

// {"type":"joined","room":R,"users":[...],"last_id":N,"events":[{...},{"type":"gap",...}]}
chat_line joined_event(std::string_view text) {
  chat_line line;
  std::size_t pos = after(text, R"(,"last_id":)");
  if (pos == std::string_view::npos || !parse_number(text, pos, line.id)) return line;
  pos = after(text, R"(,"events":[)", pos);
  if (pos == std::string_view::npos) return line;
  constexpr std::string_view object = R"({"type":")";
  for (pos = after(text, object, pos); pos != std::string_view::npos;
       pos = after(text, object, pos)) {
    if (text.substr(pos, 4) == "gap\"")
      ++line.replay_gaps;
    else
      ++line.replayed;
  }
  line.kind = line_kind::greeting;
  return line;
}

}  // namespace

chat_line classify_v1_event(std::string_view text, std::string_view prefix) {
  constexpr std::string_view message = R"({"type":"message","id":)";
  constexpr std::string_view join = R"({"type":"join","id":)";
  constexpr std::string_view leave = R"({"type":"leave","id":)";
  if (text.starts_with(message))
    return stored_event(text, message.size(), line_kind::message, R"(,"from":")", prefix);
  if (text.starts_with(join))
    return stored_event(text, join.size(), line_kind::join, R"(,"user":")", prefix);
  if (text.starts_with(leave))
    return stored_event(text, leave.size(), line_kind::leave, R"(,"user":")", prefix);
  if (text.starts_with(R"({"type":"joined",)")) return joined_event(text);
  if (text.starts_with(R"({"type":"hello",)")) return {.kind = line_kind::hello};
  return {};
}

std::size_t write_v1_send_head(char* out, std::string_view room) {
  constexpr std::string_view a = R"({"type":"send","room":")";
  constexpr std::string_view b = R"(","text":")";
  char* p = out;
  std::memcpy(p, a.data(), a.size());
  p += a.size();
  std::memcpy(p, room.data(), room.size());
  p += room.size();
  std::memcpy(p, b.data(), b.size());
  p += b.size();
  return static_cast<std::size_t>(p - out);
}

}  // namespace parley::bench
