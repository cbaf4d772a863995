#include "chat/v1/events.hpp"

#include <fmt/format.h>

#include <ctime>
#include <limits>

#include "obs/json_string.hpp"

namespace parley::chat::v1 {
namespace {

constexpr std::string_view k_kind_names[] = {"message", "join", "leave"};

void append_uint(std::string& out, std::uint64_t value) {
  fmt::format_to(std::back_inserter(out), "{}", value);
}

// `"key":` then the string, escaped.
void append_string_field(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":";
  obs::append_json_string(out, value);
}

void append_array(std::string& out, std::span<const std::string_view> objects) {
  out += '[';
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += ',';
    out += objects[i];
  }
  out += ']';
}

ws::shared_frame text_frame(const std::string& json) {
  return ws::make_shared_frame(ws::opcode::text, {json});
}

}  // namespace

std::string iso_timestamp(std::int64_t ms) {
  // Events of one second share its formatted prefix: formatting a date is the slow part.
  // No second is cached yet: a value no time rounds to (-1 is 1969-12-31T23:59:59).
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::string cached_prefix;  // "2026-01-02T15:04:05"
  const std::int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  if (second != cached_second) {
    const auto time = static_cast<std::time_t>(second);
    std::tm parts{};
    gmtime_r(&time, &parts);
    cached_prefix =
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", parts.tm_year + 1900, parts.tm_mon + 1,
                    parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
    cached_second = second;
  }
  return fmt::format("{}.{:03}Z", cached_prefix, ms - second * 1000);
}

std::string event_json(std::string_view room, const store::event& event) {
  std::string out;
  out.reserve(96 + room.size() + event.user.size() + event.text.size() + event.client_id.size());
  out += R"({"type":")";
  out += k_kind_names[static_cast<std::size_t>(event.kind)];
  out += R"(","id":)";
  append_uint(out, event.id);
  out += R"(,"ts":")";
  out += iso_timestamp(event.ts_ms);
  out += "\",";
  append_string_field(out, "room", room);
  out += ',';
  if (event.kind == store::event_kind::message) {
    append_string_field(out, "from", event.user);
    out += ',';
    append_string_field(out, "text", event.text);
    if (!event.client_id.empty()) {
      out += ',';
      append_string_field(out, "client_id", event.client_id);
    }
  } else {
    append_string_field(out, "user", event.user);
    if (event.kind == store::event_kind::join && event.age) {
      out += R"(,"age":)";
      append_uint(out, *event.age);
    }
  }
  out += '}';
  return out;
}

ws::shared_frame event_frame(std::string_view room, const store::event& event) {
  return text_frame(event_json(room, event));
}

std::string gap_json(std::string_view room, std::uint64_t from, std::uint64_t to) {
  std::string out = R"({"type":"gap",)";
  append_string_field(out, "room", room);
  fmt::format_to(std::back_inserter(out), R"(,"from":{},"to":{}}})", from, to);
  return out;
}

ws::shared_frame hello_frame(std::string_view user, std::string_view version,
                             const limits_info& limits) {
  std::string out = R"({"type":"hello",)";
  append_string_field(out, "user", user);
  out += ',';
  append_string_field(out, "version", version);
  out += ',';
  append_string_field(out, "protocol", k_subprotocol);
  fmt::format_to(std::back_inserter(out),
                 R"(,"limits":{{"max_message_size":{},"max_text_bytes":{},"max_rooms":{},)"
                 R"("history_limit":{},"typing_interval_ms":{}}}}})",
                 limits.max_message_size, limits.max_text_bytes, limits.max_rooms,
                 limits.history_limit, limits.typing_interval_ms);
  return text_frame(out);
}

ws::shared_frame refreshed_frame(std::optional<std::int64_t> expires) {
  if (!expires) return text_frame(R"({"type":"refreshed"})");
  return text_frame(fmt::format(R"({{"type":"refreshed","exp":{}}})", *expires));
}

ws::shared_frame joined_frame(std::string_view room, std::span<const std::string> users,
                              std::uint64_t last_id, std::span<const std::string_view> events,
                              bool reset) {
  std::size_t size = 64 + room.size();
  for (const auto& user : users) size += user.size() + 3;
  for (const auto& event : events) size += event.size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"type":"joined",)";
  append_string_field(out, "room", room);
  out += R"(,"users":[)";
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i > 0) out += ',';
    obs::append_json_string(out, users[i]);
  }
  out += R"(],"last_id":)";
  append_uint(out, last_id);
  if (reset) out += R"(,"reset":true)";
  out += R"(,"events":)";
  append_array(out, events);
  out += '}';
  return text_frame(out);
}

ws::shared_frame history_frame(std::string_view room, std::span<const std::string_view> events) {
  std::size_t size = 48 + room.size();
  for (const auto& event : events) size += event.size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"type":"history",)";
  append_string_field(out, "room", room);
  out += R"(,"events":)";
  append_array(out, events);
  out += '}';
  return text_frame(out);
}

ws::shared_frame typing_frame(std::string_view room, std::string_view user) {
  std::string out = R"({"type":"typing",)";
  append_string_field(out, "room", room);
  out += ',';
  append_string_field(out, "user", user);
  out += '}';
  return text_frame(out);
}

ws::shared_frame error_frame(error_code code, std::string_view reason, std::string_view room,
                             std::string_view client_id) {
  std::string out = R"({"type":"error",)";
  append_string_field(out, "code", name(code));
  out += ',';
  append_string_field(out, "reason", reason);
  if (!room.empty()) {
    out += ',';
    append_string_field(out, "room", room);
  }
  if (!client_id.empty()) {
    out += ',';
    append_string_field(out, "client_id", client_id);
  }
  out += '}';
  return text_frame(out);
}

}  // namespace parley::chat::v1
