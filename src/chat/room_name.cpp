#include "chat/room_name.hpp"

#include <algorithm>

namespace parley::chat {

std::string_view room_name_problem(std::string_view name) {
  if (name.empty() || name.size() > k_max_room_name) {
    return "Invalid room: must be 1 to 64 characters.";
  }
  const bool allowed = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
  if (!allowed) return "Invalid room: only letters, digits, '-', '_' and '.' are allowed.";
  return {};
}

}  // namespace parley::chat
