#include "chat/name_registry.hpp"

namespace parley::chat {

bool name_registry::claim(std::string_view name) {
  std::lock_guard lock(mutex_);
  return names_.emplace(name).second;
}

void name_registry::release(std::string_view name) {
  std::lock_guard lock(mutex_);
  names_.erase(std::string(name));
}

bool name_registry::holds(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return names_.count(std::string(name)) != 0;
}

}  // namespace parley::chat
