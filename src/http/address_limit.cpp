#include "http/address_limit.hpp"

namespace parley::http {

address_limit::address_limit(unsigned per_address)
    : per_address_(per_address), counts_(std::make_shared<counts>()) {}

std::optional<std::shared_ptr<void>> address_limit::acquire(const std::string& address) {
  if (per_address_ == 0) return std::shared_ptr<void>{};
  {
    std::lock_guard lock(counts_->mutex);
    auto& open = counts_->open[address];
    if (open >= per_address_) return std::nullopt;
    ++open;
  }
  // The token's deleter gives the slot back (on the connection's loop, whichever it is).
  return std::shared_ptr<void>(nullptr, [counts = counts_, address](void*) {
    std::lock_guard lock(counts->mutex);
    const auto found = counts->open.find(address);
    if (found != counts->open.end() && --found->second == 0) counts->open.erase(found);
  });
}

unsigned address_limit::open(const std::string& address) const {
  std::lock_guard lock(counts_->mutex);
  const auto found = counts_->open.find(address);
  return found == counts_->open.end() ? 0 : found->second;
}

}  // namespace parley::http
