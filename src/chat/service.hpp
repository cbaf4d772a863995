#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chat/executor.hpp"
#include "chat/member_context.hpp"
#include "chat/name_registry.hpp"
#include "chat/room.hpp"
#include "chat/room_directory.hpp"
#include "store/history_store.hpp"
#include "ws/session.hpp"

namespace parley::chat {

// What the chat is told at start-up.
struct chat_settings {
  history_settings history;
  member_limits limits;
  std::size_t max_rooms = 100'000;         // rooms the server holds (limits.max_rooms)
  std::string version;                     // told to parley.v1 clients in hello
  room_compression compression;            // ws.compression: broadcasts get compressed twins
  obs::tracing::tracer* tracer = nullptr;  // cluster mode: spans across nodes (null: none)
  // Checks every upgrade's token (auth.*); null: no authentication, names are first come.
  std::shared_ptr<const auth::jwt_verifier> verifier;
};

// The chat: rooms by name, the registry of usernames, and a member for each WebSocket.
class service {
 public:
  // `store`: where rooms keep their history (nullptr: memory only); it must outlive the service.
  // `cluster`: the cluster this node is part of (nullptr: one node); it must outlive the service,
  // and `names`, when given, shares the usernames with the other nodes.
  service(executor& loops, chat_settings settings, store::history_store* store = nullptr,
          cluster_bus* cluster = nullptr, shared_names* names = nullptr);

  struct application {
    std::unique_ptr<ws::message_handler> handler;
    std::string_view subprotocol;  // to confirm in the 101 response; empty: none
  };
  // The application for an upgrade to "/chat/{username}?age=N&room=R&since=ID" on loop `loop`:
  // a parley.v1 client when `offered_protocols` (Sec-WebSocket-Protocol) lists parley.v1, else a
  // legacy member; or a handler that closes with 1008 when the request is invalid.
  // With authentication on, the upgrade must present a valid token for the username (its
  // `authorization` header, a bearer.<token> subprotocol entry or ?token=), else the handler
  // closes with 1008 (4001 for an expired token).
  application make_member(std::string_view target, std::size_t loop,
                          std::string_view offered_protocols, std::string_view authorization = {});

  // GET /api/rooms: every room with members or history, its members online and last id.
  [[nodiscard]] std::string rooms_json() const;
  // GET /api/rooms/{room}: the room's members online; nothing when there is no such room.
  [[nodiscard]] std::optional<std::string> room_json(std::string_view name) const;

  // After the loops have stopped, before the store closes: where each room's ids continue.
  void release();

 private:
  std::shared_ptr<const auth::jwt_verifier> verifier_;
  name_registry names_;
  room_context room_context_;
  room_directory rooms_;
  member_context member_context_;
  std::atomic<std::uint64_t> next_member_id_{1};
};

// Whether a Sec-WebSocket-Protocol value ("chat, parley.v1") offers `protocol` (exact match).
bool offers_subprotocol(std::string_view offered, std::string_view protocol);

}  // namespace parley::chat
