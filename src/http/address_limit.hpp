#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace parley::http {

// Open WebSocket connections per client address, across every event loop
// (limits.connections_per_ip). Taken once per upgrade and given back when the connection ends, so
// a mutex is cheap here; nothing on the message path touches it.
class address_limit {
 public:
  explicit address_limit(unsigned per_address = 0);  // 0: no limit

  // A slot for one more connection from `address`, held until the returned token is destroyed
  // (a null token when there is no limit); nothing when `address` holds every slot already.
  [[nodiscard]] std::optional<std::shared_ptr<void>> acquire(const std::string& address);
  [[nodiscard]] unsigned per_address() const { return per_address_; }
  // Connections counted for `address` now.
  [[nodiscard]] unsigned open(const std::string& address) const;

 private:
  struct counts {
    mutable std::mutex mutex;
    std::unordered_map<std::string, unsigned> open;  // addresses with at least one connection
  };

  unsigned per_address_;
  std::shared_ptr<counts> counts_;  // tokens keep it alive, whatever outlives what
};

}  // namespace parley::http
