// Parses arbitrary text as one parley.v1 request, then answers it as the server would (an error
// event, or the fields a command carries), checking what the parser promises.
#include <cstdlib>
#include <string>
#include <variant>

#include "chat/v1/commands.hpp"
#include "chat/v1/events.hpp"

namespace {

void check(bool promise) {
  if (!promise) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace parley::chat::v1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_command(text);
  if (const auto* problem = std::get_if<command_error>(&parsed)) {
    check(!problem->reason.empty());
    check(problem->client_id.size() <= k_max_client_id);
    check(problem->code < error_code::count);
    const auto frame =
        error_frame(problem->code, problem->reason, problem->room, problem->client_id);
    check(frame != nullptr && !frame->empty());
    return 0;
  }
  const auto& request = std::get<command>(parsed);
  check(request.limit >= 1 && request.limit <= k_max_history_limit);
  check(request.client_id.size() <= k_max_client_id);
  if (request.type == command_type::send) {
    const parley::store::event said{.id = 1,
                                    .ts_ms = 0,
                                    .kind = parley::store::event_kind::message,
                                    .user = "fuzz",
                                    .text = request.text,
                                    .client_id = request.client_id};
    check(!event_json(request.room, said).empty());
  }
  return 0;
}
