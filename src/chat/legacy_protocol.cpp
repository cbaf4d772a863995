#include "chat/legacy_protocol.hpp"

#include <fmt/format.h>

namespace parley::chat::legacy {

std::string greeting(std::string_view name) {
  return fmt::format("Hi {}! You have successfully connected to the chat", name);
}

std::string join_notice(std::string_view name, std::optional<unsigned> age) {
  if (age) return fmt::format("{} with age {} connected to chat", name, *age);
  return fmt::format("{} connected to chat", name);
}

std::string leave_notice(std::string_view name) {
  return fmt::format("{} left the chat", name);
}

ws::shared_frame message_frame(std::string_view name, std::string_view text) {
  return ws::make_shared_frame(ws::opcode::text, {name, ": ", text});
}

ws::shared_frame text_frame(std::string_view text) {
  return ws::make_shared_frame(ws::opcode::text, {text});
}

std::string event_text(const store::event& event) {
  switch (event.kind) {
    case store::event_kind::join:
      return join_notice(event.user, event.age);
    case store::event_kind::leave:
      return leave_notice(event.user);
    case store::event_kind::message:
      break;
  }
  return fmt::format("{}: {}", event.user, event.text);
}

ws::shared_frame event_frame(const store::event& event) {
  if (event.kind == store::event_kind::message) return message_frame(event.user, event.text);
  return text_frame(event_text(event));
}

}  // namespace parley::chat::legacy
