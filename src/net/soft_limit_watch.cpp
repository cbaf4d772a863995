#include "net/soft_limit_watch.hpp"

#include "net/connection.hpp"

namespace parley::net {

void soft_limit_watch::watch(std::shared_ptr<connection> conn, clock::time_point when) {
  due_.push({when, std::move(conn)});
  arm();
}

void soft_limit_watch::arm() {
  if (due_.empty()) return;
  const auto first = due_.top().when;
  if (armed_for_ && *armed_for_ <= first) return;  // already wakes in time
  armed_for_ = first;
  timer_.expires_at(first);  // cancels the later wait, if any
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // replaced by an earlier one (that wait is pending), or the loop is going
    armed_for_.reset();
    expire();
  });
}

void soft_limit_watch::expire() {
  const auto now = clock::now();
  std::vector<std::shared_ptr<connection>> due;
  while (!due_.empty() && due_.top().when <= now) {
    due.push_back(due_.top().conn);
    due_.pop();
  }
  for (auto& conn : due) conn->on_grace_over();  // may watch it again
  arm();
}

}  // namespace parley::net
