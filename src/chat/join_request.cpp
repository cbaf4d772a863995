#include "chat/join_request.hpp"

#include <charconv>

#include "ws/utf8.hpp"

namespace parley::chat {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of query parameter `key` ("age" in "age=30&room=x"), not yet decoded.
std::optional<std::string_view> query_parameter(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool is_control_code_point(std::string_view name, std::size_t at) {
  const auto byte = static_cast<unsigned char>(name[at]);
  if (byte < 0x20 || byte == 0x7F) return true;
  // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
  return byte == 0xC2 && at + 1 < name.size() && static_cast<unsigned char>(name[at + 1]) <= 0x9F;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

std::string_view username_problem(std::string_view name) {
  if (!ws::is_valid_utf8(name)) return "Invalid username: not valid UTF-8.";
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if ((byte & 0xC0) != 0x80) ++chars;
    if (is_control_code_point(name, i))
      return "Invalid username: control characters are not allowed.";
  }
  if (chars == 0 || chars > k_max_username_chars)
    return "Invalid username: must be 1 to 32 characters.";
  return {};
}

std::variant<join_request, join_refusal> parse_join_target(std::string_view target,
                                                           std::string_view prefix) {
  if (target.starts_with(prefix)) target.remove_prefix(prefix.size());
  const auto question = target.find('?');
  const std::string_view raw_name = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? "" : target.substr(question + 1);

  join_request request;
  auto name = percent_decode(raw_name);
  if (!name) return join_refusal{"Invalid username: bad percent-encoding."};
  if (auto problem = username_problem(*name); !problem.empty())
    return join_refusal{std::string(problem)};
  request.username = std::move(*name);

  if (auto age = query_parameter(query, "age"); age && !age->empty()) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(age->data(), age->data() + age->size(), value);
    if (error != std::errc{} || end != age->data() + age->size() || value > k_max_age) {
      return join_refusal{"Invalid age: must be a whole number from 0 to 150."};
    }
    request.age = value;
  }

  if (auto room = query_parameter(query, "room"); room && !room->empty()) {
    auto decoded = percent_decode(*room);
    if (!decoded) return join_refusal{"Invalid room: bad percent-encoding."};
    if (auto problem = room_name_problem(*decoded); !problem.empty())
      return join_refusal{std::string(problem)};
    request.room = std::move(*decoded);
  }

  if (auto since = query_parameter(query, "since"); since && !since->empty()) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(since->data(), since->data() + since->size(), value);
    if (error != std::errc{} || end != since->data() + since->size()) {
      return join_refusal{"Invalid since: must be a whole number from 0."};
    }
    request.since = value;
  }

  if (auto token = query_parameter(query, "token"); token && !token->empty()) {
    auto decoded = percent_decode(*token);
    if (!decoded) return join_refusal{"Invalid token: bad percent-encoding.", true};
    request.token = std::move(*decoded);
  }
  return request;
}

}  // namespace parley::chat
