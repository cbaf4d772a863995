#include "chat/name_registry.hpp"

namespace parley::chat {

bool name_registry::claim(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    if (!names_.emplace(name).second) return false;
  }
  if (shared_ == nullptr || shared_->claim(name)) return true;
  std::lock_guard lock(mutex_);
  names_.erase(std::string(name));
  return false;
}

void name_registry::release(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    names_.erase(std::string(name));
  }
  if (shared_ != nullptr) shared_->release(name);
}

bool name_registry::holds(std::string_view name) const {
  std::lock_guard lock(mutex_);
  return names_.count(std::string(name)) != 0;
}

}  // namespace parley::chat
