#include "cluster/event_codec.hpp"

#include <nlohmann/json.hpp>

namespace parley::cluster {
namespace {

constexpr const char* k_kinds[] = {"message", "join", "leave"};

}  // namespace

std::string encode_event_tail(const chat::cluster_event& e) {
  nlohmann::json j = {{"ts", e.event.ts_ms},
                      {"kind", k_kinds[static_cast<int>(e.event.kind)]},
                      {"user", e.event.user},
                      {"node", e.node},
                      {"member", e.member}};
  if (e.event.age) j["age"] = *e.event.age;
  if (!e.event.text.empty()) j["text"] = e.event.text;
  if (!e.event.client_id.empty()) j["client_id"] = e.event.client_id;
  std::string text = j.dump();
  return text.substr(1);  // the script writes the brace, then the id
}

std::string encode_typing(const std::string& user, const std::string& node, std::uint64_t member) {
  return nlohmann::json{{"typing", true}, {"user", user}, {"node", node}, {"member", member}}
      .dump();
}

std::optional<chat::cluster_event> decode_event(std::string_view json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    chat::cluster_event e;
    if (j.value("typing", false)) {
      e.typing = true;
      e.event.user = j.at("user").get<std::string>();
      e.node = j.at("node").get<std::string>();
      e.member = j.at("member").get<std::uint64_t>();
      return e;
    }
    e.event.id = j.at("id").get<std::uint64_t>();
    e.event.ts_ms = j.at("ts").get<std::int64_t>();
    const auto kind = j.at("kind").get<std::string>();
    if (kind == "join") {
      e.event.kind = store::event_kind::join;
    } else if (kind == "leave") {
      e.event.kind = store::event_kind::leave;
    } else {
      e.event.kind = store::event_kind::message;
    }
    e.event.user = j.at("user").get<std::string>();
    if (j.contains("age")) e.event.age = j["age"].get<unsigned>();
    e.event.text = j.value("text", std::string{});
    e.event.client_id = j.value("client_id", std::string{});
    e.node = j.value("node", std::string{});
    e.member = j.value("member", std::uint64_t{0});
    if (const auto users = j.find("users"); users != j.end() && users->is_array()) {
      e.users = users->get<std::vector<std::string>>();
    }
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace parley::cluster
