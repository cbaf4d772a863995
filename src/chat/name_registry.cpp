#include "chat/name_registry.hpp"

#include <utility>

namespace parley::chat {

bool name_registry::claim(std::string_view name) {
  std::lock_guard lock(mutex_);
  return names_.emplace(name).second;
}

void name_registry::claim(std::string_view name, std::size_t loop, shared_names::claim_fn done) {
  if (!claim(name)) return done(claim_result::taken);
  if (shared_ == nullptr) return done(claim_result::claimed);
  shared_->claim(name, [this, name = std::string(name), loop,
                        done = std::move(done)](claim_result result) mutable {
    if (result != claim_result::claimed) {
      std::lock_guard lock(mutex_);
      names_.erase(name);
    }
    loops_->post(loop, [result, done = std::move(done)] { done(result); });
  });
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
