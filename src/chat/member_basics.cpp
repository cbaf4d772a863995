#include "chat/member_basics.hpp"

#include "chat/authentication.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

void refused_join::on_open(ws::session& session) {
  if (refusal_.expired) {  // the code a client also gets when its token expires while connected
    obs::chat_log().info("refused join: {}", refusal_.reason);
    obs::metrics::for_loop(session.loop_index())
        .count_rejection(obs::metrics::rejection::auth_token_expired);
    session.close({ws::close_code::token_expired, refusal_.reason});
    return;
  }
  refuse_join(session, refusal_.reason, refusal_.bad_token);
}

void refuse_join(ws::session& session, std::string_view reason, bool bad_token) {
  obs::chat_log().info("refused join: {}", reason);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(bad_token ? obs::metrics::rejection::auth_invalid_token
                                 : obs::metrics::rejection::chat_invalid_join);
  session.close({ws::close_code::policy_violation, std::string(reason)});
}

void close_when_token_expires(ws::session& session, std::optional<std::int64_t> expires) {
  session.close_at(expires ? steady_time_of(*expires, session.now())
                           : std::chrono::steady_clock::time_point::max(),
                   {ws::close_code::token_expired, "Token expired."});
}

void close_unavailable(ws::session& session, const std::string& name, std::string_view what) {
  // Not a refusal of the client's own doing (never a false "already exists"): it may come back.
  obs::chat_log().info("{} could not {}: the cluster cannot reach its Redis", name, what);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_unavailable);
  session.close({ws::close_code::try_again_later, "The chat is unavailable; try again later."});
}

void refuse_binary(ws::session& session, const std::string& name) {
  obs::chat_log().info("{} sent a binary message; closing with 1003", name);
  obs::metrics::for_loop(session.loop_index())
      .count_rejection(obs::metrics::rejection::chat_binary_message);
  session.close({ws::close_code::unsupported_data, "Binary messages are not supported."});
}

}  // namespace parley::chat
