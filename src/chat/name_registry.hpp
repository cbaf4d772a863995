#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "chat/executor.hpp"

namespace parley::chat {

enum class claim_result : std::uint8_t {
  claimed,
  taken,        // someone holds it
  unreachable,  // cluster mode: the shared store could not be asked
};

// Usernames held in a store the nodes of a cluster share (cluster/redis_bus.hpp).
class shared_names {
 public:
  using claim_fn = std::function<void(claim_result)>;
  virtual ~shared_names() = default;
  // Takes `name` for this node: `done` gets the answer on another thread after a round trip (or
  // at once, on this one, while the store is known to be unreachable). Never blocks.
  virtual void claim(std::string_view name, claim_fn done) = 0;
  // Gives `name` up if this node holds it; returns at once.
  virtual void release(std::string_view name) = 0;
};

// Usernames in use on this server. Claiming is one atomic step (check and insert under one
// lock), so two clients racing for a name cannot both get it. Touched on connect and leave only.
class name_registry {
 public:
  // Takes `name` on this server if it is free; false if someone holds it (one node: the claim).
  bool claim(std::string_view name);
  // Takes `name` here and, in a cluster, in the shared store too. On one node `done` runs at once,
  // inside the call; in a cluster it runs later on loop `loop`, after a round trip that never
  // holds a loop up.
  void claim(std::string_view name, std::size_t loop, shared_names::claim_fn done);
  void release(std::string_view name);
  bool holds(std::string_view name) const;
  // Cluster mode: a name is claimed here and in `shared`; answers come back through `loops`
  // (both must outlive this).
  void share_with(shared_names* shared, executor* loops) {
    shared_ = shared;
    loops_ = loops;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_set<std::string> names_;
  shared_names* shared_ = nullptr;  // none: one node
  executor* loops_ = nullptr;
};

}  // namespace parley::chat
