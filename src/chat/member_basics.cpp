#include "chat/member_basics.hpp"

#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

void refused_join::on_open(ws::session& session) {
  refuse_join(session, refusal_.reason);
}

void refuse_join(ws::session& session, std::string_view reason) {
  obs::chat_log().info("refused join: {}", reason);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_invalid_join);
  session.close({ws::close_code::policy_violation, std::string(reason)});
}

bool claim_username(member_context& context, ws::session& session, const std::string& name) {
  const auto result = context.names.try_claim(name);
  if (result == claim_result::claimed) return true;
  if (result == claim_result::unreachable) {
    // Not "already exists": that would be false. The client may come back.
    obs::chat_log().info("refused '{}': the cluster cannot reach its Redis", name);
    obs::metrics::for_loop(session.loop_index())
        .count_rejection(obs::metrics::rejection::chat_unavailable);
    session.close({ws::close_code::try_again_later, "The chat is unavailable; try again later."});
    return false;
  }
  obs::chat_log().info("refused duplicate username '{}'", name);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_duplicate_username);
  session.close({ws::close_code::unsupported_data, "Username already exists."});
  return false;
}

void refuse_binary(ws::session& session, const std::string& name) {
  obs::chat_log().info("{} sent a binary message; closing with 1003", name);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_binary_message);
  session.close({ws::close_code::unsupported_data, "Binary messages are not supported."});
}

}  // namespace parley::chat
