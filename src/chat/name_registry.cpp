#include "chat/name_registry.hpp"

namespace parley::chat {

claim_result name_registry::try_claim(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    if (!names_.emplace(name).second) return claim_result::taken;
  }
  if (shared_ == nullptr) return claim_result::claimed;
  const auto result = shared_->claim(name);
  if (result != claim_result::claimed) {
    std::lock_guard lock(mutex_);
    names_.erase(std::string(name));
  }
  return result;
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
