#include "chat/room.hpp"

#include <algorithm>

#include "chat/legacy_protocol.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

void room_shard::add(std::uint64_t id, recipient& member) {
  entries_.push_back({id, &member, false});
}

void room_shard::activate(std::uint64_t id) {
  for (auto& entry : entries_) {
    if (entry.id == id) entry.active = true;
  }
}

void room_shard::remove(std::uint64_t id) {
  std::erase_if(entries_, [id](const entry& e) { return e.id == id; });
}

std::size_t room_shard::deliver(const ws::shared_frame& frame) {
  std::size_t delivered = 0;
  for (const auto& entry : entries_) {
    if (!entry.active) continue;
    entry.member->deliver(frame);
    ++delivered;
  }
  return delivered;
}

room::room(executor& loops, name_registry& names, std::size_t home_loop)
    : loops_(loops),
      names_(names),
      home_loop_(home_loop),
      members_per_loop_(loops.loop_count(), 0),
      shards_(loops.loop_count()) {}

void room::join(std::uint64_t id, std::size_t loop, std::string name, std::optional<unsigned> age) {
  loops_.post(home_loop_, [this, id, loop, name = std::move(name), age] {
    ++members_per_loop_[loop];
    const std::string notice = legacy::join_notice(name, age);
    obs::chat_log().info("{}", notice);
    broadcast(legacy::text_frame(notice));
    // Posted after the notice, so the newcomer's shard skips its own join notice and receives
    // everything after it.
    loops_.post(loop, [this, id, loop] { shards_[loop].activate(id); });
  });
}

void room::publish(ws::shared_frame frame, obs::tracing::span span,
                   std::chrono::steady_clock::time_point received_at) {
  loops_.post(home_loop_,
              [this, frame = std::move(frame), span = std::move(span), received_at]() mutable {
                const std::size_t recipients = broadcast(frame, received_at);
                if (span.recording()) {
                  span.set_attribute("chat.fanout", recipients);
                  span.end();
                }
              });
}

void room::leave(std::uint64_t id, std::size_t loop, std::string name) {
  shards_[loop].remove(id);
  loops_.post(home_loop_, [this, loop, name = std::move(name)] {
    --members_per_loop_[loop];
    names_.release(name);  // free before anyone can see the leave notice
    const std::string notice = legacy::leave_notice(name);
    obs::chat_log().info("{}", notice);
    broadcast(legacy::text_frame(notice));
  });
}

std::size_t room::broadcast(const ws::shared_frame& frame,
                            std::chrono::steady_clock::time_point received_at) {
  std::size_t recipients = 0;
  for (std::size_t loop = 0; loop < members_per_loop_.size(); ++loop) {
    if (members_per_loop_[loop] == 0) continue;
    recipients += members_per_loop_[loop];
    loops_.post(loop, [this, loop, frame, received_at] {
      auto& metrics = obs::metrics::for_loop(loop);
      metrics.messages_delivered.add(shards_[loop].deliver(frame));
      if (received_at != std::chrono::steady_clock::time_point{}) {
        metrics.fanout_latency.observe(std::chrono::steady_clock::now() - received_at);
      }
    });
  }
  return recipients;
}

}  // namespace parley::chat
