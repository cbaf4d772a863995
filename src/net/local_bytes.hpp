#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "net/transport.hpp"

namespace parley::net {

class local_bytes_pool;

// One event loop's handle on shared bytes. A broadcast frame is shared by every recipient on
// every loop; counting those references in the frame's own (atomic) count would make all loops
// contend for one cache line per delivery. Instead each loop takes one reference to the frame
// and counts its recipients here, without atomics: one loop's thread only.
struct local_bytes {
  shared_bytes bytes;
  std::uint32_t refs = 0;
};

// A counted reference to local_bytes (move-only), as a connection's output queue holds it.
class local_ref {
 public:
  local_ref() = default;
  local_ref(local_bytes* block, local_bytes_pool* pool) : block_(block), pool_(pool) {
    ++block_->refs;
  }
  local_ref(local_ref&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)), pool_(other.pool_) {}
  local_ref& operator=(local_ref&& other) noexcept {
    if (this != &other) {
      reset();
      block_ = std::exchange(other.block_, nullptr);
      pool_ = other.pool_;
    }
    return *this;
  }
  local_ref(const local_ref&) = delete;
  local_ref& operator=(const local_ref&) = delete;
  ~local_ref() { reset(); }

  void reset();
  explicit operator bool() const { return block_ != nullptr; }
  const std::string& operator*() const { return *block_->bytes; }
  const std::string* operator->() const { return block_->bytes.get(); }

 private:
  friend class local_bytes_pool;

  local_bytes* block_ = nullptr;
  local_bytes_pool* pool_ = nullptr;
};

// Hands out local_refs on one loop, reusing blocks. Must outlive every local_ref it made.
class local_bytes_pool {
 public:
  local_bytes_pool() = default;
  local_bytes_pool(const local_bytes_pool&) = delete;
  local_bytes_pool& operator=(const local_bytes_pool&) = delete;
  ~local_bytes_pool();

  // Consecutive calls with the same bytes (a broadcast going to each member in turn) share one
  // block: one atomic increment per loop per frame, not per recipient.
  local_ref share(const shared_bytes& bytes);
  // Bytes for one connection only (a pong, an HTTP response): a block of their own.
  local_ref own(shared_bytes bytes);

 private:
  friend class local_ref;
  local_bytes* take();
  void recycle(local_bytes* block);

  std::vector<local_bytes*> free_;
  local_ref last_shared_;  // the block share() hands out while it is given the same bytes
};

inline void local_ref::reset() {
  if (block_ != nullptr && --block_->refs == 0) pool_->recycle(block_);
  block_ = nullptr;
}

}  // namespace parley::net
