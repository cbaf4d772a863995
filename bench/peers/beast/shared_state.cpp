#include "shared_state.hpp"

#include "websocket_session.hpp"

namespace parley::beast_peer {

bool shared_state::join(const std::string& name, websocket_session& session, std::string notice) {
  auto message = std::make_shared<const std::string>(std::move(notice));
  recipients sent_to;  // declared before the lock: released after it (see broadcast_locked)
  std::lock_guard lock(mutex_);
  if (sessions_.contains(name)) return false;
  broadcast_locked(message, sent_to);
  sessions_.emplace(name, &session);
  return true;
}

void shared_state::leave(const std::string& name, const websocket_session& session) {
  auto message = std::make_shared<const std::string>(name + " left the chat");
  recipients sent_to;
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(name);
  if (it == sessions_.end() || it->second != &session) return;
  sessions_.erase(it);
  broadcast_locked(message, sent_to);
}

void shared_state::send(std::string message) {
  auto shared = std::make_shared<const std::string>(std::move(message));
  recipients sent_to;
  std::lock_guard lock(mutex_);
  broadcast_locked(shared, sent_to);
}

// Posting under the lock (the chat-multi example posts after releasing it) is what keeps one
// order: two broadcasts cannot interleave their posts to a session's strand.
// With several threads a session may finish on another thread meanwhile, leaving the reference
// taken here as its last one; `sent_to` keeps it until the caller has released the lock, since
// the session's destructor takes the lock to leave.
void shared_state::broadcast_locked(const std::shared_ptr<const std::string>& message,
                                    recipients& sent_to) {
  sent_to.reserve(sessions_.size());
  for (const auto& [name, session] : sessions_) {
    // A session whose destructor waits for this lock (to leave) is skipped, not revived.
    if (auto alive = session->weak_from_this().lock()) {
      alive->send(message);
      sent_to.push_back(std::move(alive));
    }
  }
}

}  // namespace parley::beast_peer
