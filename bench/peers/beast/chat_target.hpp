#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace parley::beast_peer {

// Who is joining, as read from the upgrade request's target.
struct chat_user {
  std::string name;  // percent-decoded
  std::string age;   // empty when absent or empty
};

// "/chat/J%C3%BCrgen?age=30" -> {"Jürgen", "30"}; nullopt for any other path, an empty name or
// malformed percent-encoding. Like the tutorial, the name and age are not validated further.
std::optional<chat_user> parse_chat_target(std::string_view target);

}  // namespace parley::beast_peer
