#include "chat/service.hpp"

#include "chat/join_request.hpp"
#include "chat/member.hpp"

namespace parley::chat {

service::service(executor& loops) : lobby_(loops, names_, 0) {}

std::unique_ptr<ws::message_handler> service::make_member(std::string_view target, std::size_t) {
  auto parsed = parse_join_target(target);
  if (auto* refusal = std::get_if<join_refusal>(&parsed)) {
    return std::make_unique<refused_join>(std::move(*refusal));
  }
  const std::uint64_t id = next_member_id_.fetch_add(1, std::memory_order_relaxed);
  return std::make_unique<member>(lobby_, names_, std::move(std::get<join_request>(parsed)), id);
}

}  // namespace parley::chat
