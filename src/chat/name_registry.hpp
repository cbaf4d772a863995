#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace parley::chat {

// Usernames in use on this server. Claiming is one atomic step (check and insert under one
// lock), so two clients racing for a name cannot both get it. Touched on connect and leave only.
class name_registry {
 public:
  // Takes `name` if it is free; false if someone holds it.
  bool claim(std::string_view name);
  void release(std::string_view name);
  bool holds(std::string_view name) const;

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> names_;
};

}  // namespace parley::chat
