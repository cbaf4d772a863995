#include "net/deadline_queue.hpp"

#include <memory>

#include "net/connection.hpp"

namespace parley::net {

void deadline_queue::schedule(connection& conn, clock::time_point when) {
  if (conn.deadline_slot_ == k_none) {
    heap_.push_back({when, &conn});
    conn.deadline_slot_ = static_cast<std::uint32_t>(heap_.size() - 1);
    sift_up(heap_.size() - 1);
  } else {
    const std::size_t slot = conn.deadline_slot_;
    const bool earlier = when < heap_[slot].when;
    heap_[slot].when = when;
    earlier ? sift_up(slot) : sift_down(slot);
  }
  arm();
}

void deadline_queue::cancel(connection& conn) {
  if (conn.deadline_slot_ == k_none) return;
  remove(conn.deadline_slot_);
  // The timer may now wake early for nothing; it then re-arms for the new first deadline.
}

void deadline_queue::place(std::size_t slot, entry item) {
  heap_[slot] = item;
  item.conn->deadline_slot_ = static_cast<std::uint32_t>(slot);
}

void deadline_queue::sift_up(std::size_t slot) {
  const entry item = heap_[slot];
  while (slot > 0) {
    const std::size_t parent = (slot - 1) / 2;
    if (!(item.when < heap_[parent].when)) break;
    place(slot, heap_[parent]);
    slot = parent;
  }
  place(slot, item);
}

void deadline_queue::sift_down(std::size_t slot) {
  const entry item = heap_[slot];
  const std::size_t size = heap_.size();
  for (;;) {
    std::size_t child = 2 * slot + 1;
    if (child >= size) break;
    if (child + 1 < size && heap_[child + 1].when < heap_[child].when) ++child;
    if (!(heap_[child].when < item.when)) break;
    place(slot, heap_[child]);
    slot = child;
  }
  place(slot, item);
}

void deadline_queue::remove(std::size_t slot) {
  heap_[slot].conn->deadline_slot_ = k_none;
  const entry last = heap_.back();
  heap_.pop_back();
  if (slot == heap_.size()) return;
  place(slot, last);
  sift_up(slot);
  sift_down(heap_[slot].conn->deadline_slot_);
}

void deadline_queue::arm() {
  if (heap_.empty() || !timer_) return;
  const auto first = heap_.front().when;
  if (armed_for_ && *armed_for_ <= first) return;  // already wakes in time
  armed_for_ = first;
  timer_->expires_at(first);  // cancels the earlier wait, if any
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // replaced by an earlier deadline (that wait is pending) or shut down
    armed_for_.reset();
    expire();
  });
}

void deadline_queue::expire() {
  const auto now = clock::now();
  std::vector<std::shared_ptr<connection>> due;
  while (!heap_.empty() && heap_.front().when <= now) {
    connection* conn = heap_.front().conn;
    remove(0);
    due.push_back(conn->shared_from_this());
  }
  for (auto& conn : due) conn->on_deadline();  // may schedule again
  arm();
}

}  // namespace parley::net
