#include "chat/name_claim.hpp"

#include <algorithm>
#include <utility>

#include "chat/member_basics.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {
namespace {

void refuse(ws::session& session, const std::string& name, claim_result result) {
  if (result == claim_result::unreachable)
    return close_unavailable(session, name, "claim its name");
  obs::chat_log().info("refused duplicate username '{}'", name);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_duplicate_username);
  session.close({ws::close_code::unsupported_data, "Username already exists."});
}

}  // namespace

void name_claim::start(member_context& context, ws::session& session, const std::string& name,
                       std::function<void()> claimed) {
  context_ = &context;
  session_ = &session;
  auto pending = std::make_shared<ticket>();
  ticket_ = pending;
  // The answer comes on the session's loop, where the member lives: the ticket says whether it
  // still does (a member that went while it waited has given up its ticket).
  context.names.claim(name, session.loop_index(),
                      [this, pending, &names = context.names, name,
                       claimed = std::move(claimed)](claim_result result) {
                        if (!pending->alive) {
                          if (result == claim_result::claimed) names.release(name);
                          return;
                        }
                        ticket_.reset();
                        if (result == claim_result::claimed) return claimed();
                        refuse(*session_, name, result);  // its on_close drops what was held
                      });
}

bool name_claim::hold(std::string_view text) {
  const auto& limits = context_->limits;
  const std::size_t most = std::max(limits.messages_burst, 1U);
  if (held_.size() < most && held_bytes_ + text.size() <= limits.max_message_size) {
    held_.emplace_back(text);
    held_bytes_ += text.size();
    return true;
  }
  obs::chat_log().info("a client sent more than {} messages before its name was claimed", most);
  obs::metrics::for_loop(session_->loop_index())
      .count_rejection(obs::metrics::rejection::chat_rate_limited);
  session_->close({ws::close_code::policy_violation, "Too many messages."});
  return false;
}

std::vector<std::string> name_claim::take_held() {
  held_bytes_ = 0;
  return std::exchange(held_, {});
}

void name_claim::abandon() {
  if (ticket_) ticket_->alive = false;
  ticket_.reset();
  held_.clear();
  held_bytes_ = 0;
}

}  // namespace parley::chat
