#include "chat/v1/commands.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>

namespace parley::chat::v1 {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// One per thread: the parser keeps its buffers between messages.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

constexpr std::array<std::pair<std::string_view, command_type>, 6> k_types = {{
    {"send", command_type::send},
    {"join", command_type::join},
    {"leave", command_type::leave},
    {"history", command_type::history},
    {"typing", command_type::typing},
    {"refresh", command_type::refresh},
}};

// Reads the fields of one request object, remembering the first problem.
class field_reader {
 public:
  explicit field_reader(object request) : request_(request) {}

  // The string field `key`; nothing when absent or of another type (then a problem is noted).
  std::optional<std::string_view> text(std::string_view key, bool required) {
    element value;
    if (request_[key].get(value) != simdjson::SUCCESS) {
      if (required) note(fmt::format("'{}' is missing.", key));
      return std::nullopt;
    }
    std::string_view result;
    if (value.get(result) != simdjson::SUCCESS) {
      note(fmt::format("'{}' must be a string.", key));
      return std::nullopt;
    }
    return result;
  }

  // The whole-number field `key` (0 or more); nothing when absent or of another type.
  std::optional<std::uint64_t> count(std::string_view key) {
    element value;
    if (request_[key].get(value) != simdjson::SUCCESS) return std::nullopt;
    std::uint64_t result = 0;
    if (value.get(result) != simdjson::SUCCESS) {
      note(fmt::format("'{}' must be a whole number from 0.", key));
      return std::nullopt;
    }
    return result;
  }

  void note(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
  }
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  object request_;
  std::string problem_;
};

void read_fields(field_reader& fields, command& out) {
  switch (out.type) {
    case command_type::send: {
      if (auto text = fields.text("text", true)) out.text = *text;
      if (auto id = fields.text("client_id", false)) {
        if (id->empty() || id->size() > k_max_client_id) {
          // Not kept: an error event echoes only a client_id the protocol allows.
          fields.note("'client_id' must be 1 to 64 bytes.");
        } else {
          out.client_id = *id;
        }
      }
      break;
    }
    case command_type::join:
      out.since = fields.count("since");
      break;
    case command_type::history: {
      out.before = fields.count("before");
      if (auto limit = fields.count("limit")) {
        if (*limit == 0 || *limit > k_max_history_limit) {
          fields.note(fmt::format("'limit' must be from 1 to {}.", k_max_history_limit));
        }
        out.limit = static_cast<unsigned>(std::min<std::uint64_t>(*limit, k_max_history_limit));
      }
      break;
    }
    case command_type::refresh:
      if (auto token = fields.text("token", true)) out.token = *token;
      break;
    case command_type::leave:
    case command_type::typing:
      break;
  }
}

}  // namespace

std::variant<command, command_error> parse_command(std::string_view text) {
  element document;
  if (thread_parser().parse(text.data(), text.size()).get(document) != simdjson::SUCCESS) {
    return command_error{error_code::bad_json, "Not valid JSON.", {}, {}};
  }
  object request;
  if (document.get(request) != simdjson::SUCCESS) {
    return command_error{error_code::bad_json, "Not a JSON object.", {}, {}};
  }
  field_reader fields(request);
  command out;
  // Read first, so an error can name the room and client_id of the request it answers.
  if (auto room = fields.text("room", false)) out.room = *room;
  if (element id; request["client_id"].get(id) == simdjson::SUCCESS) {
    if (std::string_view value;
        id.get(value) == simdjson::SUCCESS && value.size() <= k_max_client_id) {
      out.client_id = value;
    }
  }
  const auto fail = [&](error_code code, std::string reason) {
    return command_error{code, std::move(reason), out.room, out.client_id};
  };

  const auto type = fields.text("type", true);
  if (!type) return fail(error_code::bad_request, fields.problem());
  const auto* known = std::find_if(k_types.begin(), k_types.end(),
                                   [&](const auto& entry) { return entry.first == *type; });
  if (known == k_types.end()) {
    return fail(error_code::unknown_type, "Unknown request type.");
  }
  out.type = known->second;
  if (out.type != command_type::refresh && !fields.text("room", true)) {
    return fail(error_code::bad_request, fields.problem());
  }
  read_fields(fields, out);
  if (!fields.problem().empty()) return fail(error_code::bad_request, fields.problem());
  return out;
}

}  // namespace parley::chat::v1
