#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace parley::chat {

enum class claim_result : std::uint8_t {
  claimed,
  taken,        // someone holds it
  unreachable,  // cluster mode: the shared store could not be asked
};

// Usernames held in a store the nodes of a cluster share (cluster/redis_bus.hpp).
class shared_names {
 public:
  virtual ~shared_names() = default;
  // Takes `name` for this node: one round trip, on the caller's thread.
  virtual claim_result claim(std::string_view name) = 0;
  // Gives `name` up if this node holds it; returns at once.
  virtual void release(std::string_view name) = 0;
};

// Usernames in use on this server. Claiming is one atomic step (check and insert under one
// lock), so two clients racing for a name cannot both get it. Touched on connect and leave only.
class name_registry {
 public:
  // Takes `name` if it is free; false if someone holds it.
  bool claim(std::string_view name) { return try_claim(name) == claim_result::claimed; }
  claim_result try_claim(std::string_view name);
  void release(std::string_view name);
  bool holds(std::string_view name) const;
  // Cluster mode: a name is claimed here and in `shared` (which must outlive this).
  void share_with(shared_names* shared) { shared_ = shared; }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> names_;
  shared_names* shared_ = nullptr;  // none: one node
};

}  // namespace parley::chat
