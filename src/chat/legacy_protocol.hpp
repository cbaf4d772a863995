#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/event.hpp"
#include "ws/frame_encoder.hpp"

namespace parley::chat::legacy {

// The tutorial's exact strings (docs/protocol.md, "Legacy text protocol").
std::string greeting(std::string_view name);
std::string join_notice(std::string_view name, std::optional<unsigned> age);
std::string leave_notice(std::string_view name);

// "alice: T" as one text frame, framed once for every recipient.
ws::shared_frame message_frame(std::string_view name, std::string_view text);
ws::shared_frame text_frame(std::string_view text);

// A stored event as the legacy protocol shows it: "alice: T", the join notice or the leave notice.
ws::shared_frame event_frame(const store::event& event);
// The line the chat log writes for it (the frame's text).
std::string event_text(const store::event& event);

}  // namespace parley::chat::legacy
