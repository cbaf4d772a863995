// The legacy join target "/chat/{username}?age=N&room=R&since=ID" from arbitrary bytes: either a
// refusal with a reason, or a request whose every field passes its own check.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "chat/join_request.hpp"
#include "chat/room_name.hpp"
#include "ws/utf8.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const auto parsed = parley::chat::parse_join_target(target);
  if (const auto* refusal = std::get_if<parley::chat::join_refusal>(&parsed)) {
    check(!refusal->reason.empty() && refusal->reason.size() <= 123);  // fits a close frame
    return 0;
  }
  const auto& request = std::get<parley::chat::join_request>(parsed);
  check(parley::chat::username_problem(request.username).empty());
  check(parley::ws::is_valid_utf8(request.username));
  check(!request.age || *request.age <= parley::chat::k_max_age);
  check(parley::chat::room_name_problem(request.room).empty());

  // Decoding never grows the text, and text without '%' decodes to itself.
  if (const auto decoded = parley::chat::percent_decode(target)) {
    check(decoded->size() <= target.size());
    if (target.find('%') == std::string_view::npos) check(*decoded == target);
  }
  return 0;
}
