#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::beast_peer {

class websocket_session;

// The one chat room: the sessions that joined, by username. Any thread may call it; every
// broadcast is handed to the sessions under one lock, so all of them see one order.
class shared_state {
 public:
  // Tells everybody already in the room `notice`, then adds `session` under `name`.
  // Returns false (and changes nothing) when the name is taken.
  bool join(const std::string& name, websocket_session& session, std::string notice);

  // Removes `name` (if `session` holds it) and tells the others "{name} left the chat".
  void leave(const std::string& name, const websocket_session& session);

  // Sends `message` to every member.
  void send(std::string message);

 private:
  using recipients = std::vector<std::shared_ptr<websocket_session>>;
  void broadcast_locked(const std::shared_ptr<const std::string>& message, recipients& sent_to);

  std::mutex mutex_;
  std::unordered_map<std::string, websocket_session*> sessions_;  // guarded by mutex_
};

}  // namespace parley::beast_peer
