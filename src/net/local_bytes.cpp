#include "net/local_bytes.hpp"

namespace parley::net {

namespace {
// Free blocks kept for reuse; beyond this (after a burst) they go back to the heap. More frames
// than a busy turn has in flight (a fan-out of 4 senders with 32 each: 128), and few: each kept
// block may pin a page in the middle of a burst's freed memory, which malloc_trim cannot return
// (4,096 pinned up to 16 MiB per loop after a flood of pongs).
constexpr std::size_t k_max_free_blocks = 256;
}  // namespace

local_bytes_pool::~local_bytes_pool() {
  last_shared_.reset();
  for (auto* block : free_) delete block;
}

local_ref local_bytes_pool::share(const shared_bytes& bytes) {
  if (!last_shared_ || last_shared_.block_->bytes != bytes) {
    local_bytes* block = take();
    block->bytes = bytes;
    last_shared_ = local_ref(block, this);
  }
  return {last_shared_.block_, this};
}

local_ref local_bytes_pool::own(shared_bytes bytes) {
  local_bytes* block = take();
  block->bytes = std::move(bytes);
  return {block, this};
}

local_bytes* local_bytes_pool::take() {
  if (free_.empty()) return new local_bytes;
  local_bytes* block = free_.back();
  free_.pop_back();
  return block;
}

void local_bytes_pool::recycle(local_bytes* block) {
  block->bytes.reset();
  if (free_.size() < k_max_free_blocks) {
    free_.push_back(block);
  } else {
    delete block;
  }
}

}  // namespace parley::net
