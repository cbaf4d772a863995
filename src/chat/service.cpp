#include "chat/service.hpp"

#include <chrono>

#include "chat/authentication.hpp"
#include "chat/join_request.hpp"
#include "chat/legacy_member.hpp"
#include "chat/member_basics.hpp"
#include "chat/v1/events.hpp"
#include "chat/v1_client.hpp"
#include "obs/json_string.hpp"

namespace parley::chat {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

void append_summary(std::string& out, std::string_view room, std::size_t online,
                    std::uint64_t last_id) {
  out += R"({"room":)";
  obs::append_json_string(out, room);
  out += R"(,"online":)";
  out += std::to_string(online);
  out += R"(,"last_id":)";
  out += std::to_string(last_id);
}

}  // namespace

bool offers_subprotocol(std::string_view offered, std::string_view protocol) {
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    if (trim(offered.substr(0, comma)) == protocol) return true;
    if (comma == std::string_view::npos) break;
    offered.remove_prefix(comma + 1);
  }
  return false;
}

service::service(executor& loops, chat_settings settings, store::history_store* store,
                 cluster_bus* cluster, shared_names* names)
    : verifier_(std::move(settings.verifier)),
      room_context_{loops,          names_, settings.history, store, cluster, settings.compression,
                    settings.tracer},
      rooms_(room_context_, settings.max_rooms),
      member_context_{names_, rooms_, settings.limits, std::move(settings.version),
                      verifier_.get()} {
  names_.share_with(names, &loops);
  rooms_.load_stored_rooms();
}

service::application service::make_member(std::string_view target, std::size_t,
                                          std::string_view offered_protocols,
                                          std::string_view authorization) {
  const bool speaks_v1 = offers_subprotocol(offered_protocols, v1::k_subprotocol);
  const std::string_view subprotocol = speaks_v1 ? v1::k_subprotocol : std::string_view{};
  auto parsed = parse_join_target(target);
  if (auto* refusal = std::get_if<join_refusal>(&parsed)) {
    return {std::make_unique<refused_join>(std::move(*refusal)), subprotocol};
  }
  auto& request = std::get<join_request>(parsed);
  if (verifier_) {
    const auto token = presented_token(authorization, offered_protocols, request.token);
    if (auto refusal = authenticate(*verifier_, token, request)) {
      return {std::make_unique<refused_join>(std::move(*refusal)), subprotocol};
    }
  }
  const std::uint64_t id = next_member_id_.fetch_add(1, std::memory_order_relaxed);
  if (speaks_v1) {
    return {std::make_unique<v1_client>(member_context_, std::move(request), id), subprotocol};
  }
  return {std::make_unique<legacy_member>(member_context_, std::move(request), id), subprotocol};
}

std::string service::rooms_json() const {
  const std::int64_t now = now_ms();
  std::string out = R"({"rooms":[)";
  bool first = true;
  const auto add = [&](std::string_view name, std::size_t online, std::uint64_t last_id) {
    if (!first) out += ',';
    first = false;
    append_summary(out, name, online, last_id);
    out += '}';
  };
  for (const auto* r : rooms_.all()) {
    if (r->exists(now)) add(r->name(), r->online(), r->last_id());
  }
  if (const auto* cluster = room_context_.cluster; cluster != nullptr) {
    // Rooms only other nodes have opened.
    for (const auto& r : cluster->rooms()) {
      if (rooms_.find(r.name) == nullptr) add(r.name, r.users.size(), r.last_id);
    }
  }
  out += "]}";
  return out;
}

std::optional<std::string> service::room_json(std::string_view name) const {
  std::vector<std::string> users;
  std::uint64_t last_id = 0;
  if (const auto* r = rooms_.find(name); r != nullptr && r->exists(now_ms())) {
    users = r->users();
    last_id = r->last_id();
  } else if (const auto* cluster = room_context_.cluster; cluster != nullptr && r == nullptr) {
    auto found = cluster->find_room(name);
    if (!found) return std::nullopt;
    users = std::move(found->users);
    last_id = found->last_id;
  } else {
    return std::nullopt;
  }
  std::string out;
  append_summary(out, name, users.size(), last_id);
  out += R"(,"users":[)";
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i > 0) out += ',';
    obs::append_json_string(out, users[i]);
  }
  out += "]}";
  return out;
}

void service::release() {
  rooms_.release_all();
}

}  // namespace parley::chat
