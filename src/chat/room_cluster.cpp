#include <algorithm>

#include "chat/room.hpp"
#include "chat/room_detail.hpp"
#include "obs/log.hpp"
#include "obs/metrics/cluster_metrics.hpp"
#include "obs/metrics/loop_metrics.hpp"
#include "obs/tracing/traceparent.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::chat {

using room_detail::event_list;
using room_detail::k_no_limit;
using room_detail::log_event;
using room_detail::now_ms;

// Cluster mode (room_context::cluster set): see room.hpp.

void room::begin_cluster_join(join_ticket ticket) {
  auto shared = std::make_shared<join_ticket>(std::move(ticket));
  if (context_.cluster->lost()) {
    // Not held until Redis is back (which may be long): the member is told now.
    cluster_joins_[shared->member] = shared;
    return cluster_join_failed(shared);
  }
  run_or_queue([this, shared] {
    cluster_joins_[shared->member] = shared;
    cluster_publish({.kind = store::event_kind::join, .user = shared->user, .age = shared->age},
                    shared->member, [this, shared] { cluster_join_failed(shared); });
  });
}

void room::cluster_publish(store::event e, std::uint64_t member, std::function<void()> failed,
                           obs::tracing::span trace) {
  e.ts_ms = now_ms();
  cluster_event published{
      .event = std::move(e), .node = context_.cluster->node_id(), .member = member};
  obs::tracing::span publishing;
  if (trace.recording()) trace.set_attribute("chat.room", name_);
  if (trace.recording() && context_.tracer != nullptr) {
    // Sender node -> Redis -> every node: each node's delivery span is this one's child.
    publishing = context_.tracer->start_span("cluster publish", obs::tracing::span_kind::producer,
                                             trace.context());
    publishing.set_attribute("chat.room", name_);
    published.traceparent = obs::tracing::format_traceparent(publishing.context());
  }
  trace.end();
  // A failure is logged by the bus. The event may still have reached Redis (the connection broke
  // before the answer): then it arrives like any other, and apply() makes up for a join.
  context_.cluster->publish(
      name_, published, next_id_ - 1,
      [this, failed = std::move(failed), publishing](bool ok) mutable {
        if (publishing.recording()) {
          if (!ok) publishing.set_error("the cluster's Redis did not take the event");
          publishing.end();
        }
        if (!ok && failed) context_.loops.post(home_loop_, failed);
      });
}

void room::cluster_join_failed(const std::shared_ptr<join_ticket>& ticket) {
  const auto found = cluster_joins_.find(ticket->member);
  if (found == cluster_joins_.end() || found->second != ticket) {
    abandoned_.erase(ticket->member);  // it left meanwhile: nobody saw it come, nor will
    return;
  }
  cluster_joins_.erase(found);
  ticket->span.end();
  context_.loops.post(ticket->loop,
                      [this, loop = ticket->loop, member = ticket->member, entry = ticket->entry] {
                        shards_[loop].fail(member, entry, *this);
                      });
}

void room::cluster_leave(std::uint64_t member, std::string user) {
  const std::string again = user;
  cluster_publish({.kind = store::event_kind::leave, .user = std::move(user)}, member,
                  [this, member, again] { unpublished_leaves_.emplace_back(member, again); });
}

void room::on_cluster_ready(std::uint64_t last) {
  if (!cluster_ready_) {
    cluster_ready_ = true;
    next_id_ = last + 1;
    cache_ = history_cache(next_id_);  // complete from here: everything later arrives
    last_id_.store(last, std::memory_order_relaxed);
    apply_received();
    run_queued();
    return;
  }
  // Reconnected after a lost connection.
  if (const auto generation = context_.cluster->generation();
      generation != redis_generation_ || last + 1 < next_id_) {
    redis_generation_ = generation;
    // Redis lost its data: this node's members are present there again (and those whose
    // leave it could not publish, so that the leave follows), and ids continue.
    std::vector<std::pair<std::string, std::size_t>> members;
    const auto count = [&members](const std::string& user) {
      const auto same = std::find_if(members.begin(), members.end(),
                                     [&](const auto& m) { return m.first == user; });
      if (same == members.end()) {
        members.emplace_back(user, 1);
      } else {
        ++same->second;
      }
    };
    for (const auto& p : present_) count(p.name);
    for (const auto& leaving : unpublished_leaves_) count(leaving.second);
    context_.cluster->reassert(name_, next_id_ - 1, std::move(members));
  }
  for (auto& [member, user] : std::exchange(unpublished_leaves_, {})) {
    cluster_leave(member, std::move(user));
  }
  // Read what was published meanwhile.
  if (last >= next_id_) fill_gap(last + 1);
}

void room::on_cluster_event(cluster_event e) {
  if (e.typing) {
    const bool mine = e.node == context_.cluster->node_id();
    broadcast({.legacy = nullptr, .v1 = v1::typing_frame(name_, e.event.user)}, {},
              mine ? e.member : 0);
    return;
  }
  if (cluster_ready_ && e.event.id < next_id_) return;  // applied already (a gap fill's)
  received_.try_emplace(e.event.id, std::move(e));
  apply_received();
}

void room::apply_received() {
  if (!cluster_ready_) return;
  while (!welcome_pending_ && !received_.empty()) {
    auto first = received_.begin();
    if (first->first < next_id_) {
      received_.erase(first);
      continue;
    }
    if (first->first > next_id_) return fill_gap(first->first);
    cluster_event e = std::move(first->second);
    received_.erase(first);
    apply(e);
  }
}

void room::fill_gap(std::uint64_t before) {
  if (filling_) return;
  filling_ = true;
  obs::metrics::cluster_counters().gap_fills.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t after = next_id_ - 1;
  const std::size_t limit = std::min<std::uint64_t>(before - after, context_.history.max_events);
  context_.cluster->read(
      name_, after, before, limit, [this, before](bool ok, std::vector<cluster_event> events) {
        context_.loops.post(home_loop_, [this, before, ok, events = std::move(events)]() mutable {
          filling_ = false;
          for (auto& e : events) {
            if (e.event.id >= next_id_) received_.try_emplace(e.event.id, std::move(e));
          }
          if (!received_.empty() && received_.begin()->first > next_id_ &&
              received_.begin()->first <= before) {
            // Not in the stream (trimmed, or Redis lost it): those ids stay a gap.
            obs::server_log().warn("room {}: ids {}..{} missing from the cluster's history{}",
                                   name_, next_id_, received_.begin()->first - 1,
                                   ok ? "" : " (it could not be read)");
            next_id_ = received_.begin()->first;
          }
          apply_received();
        });
      });
}

void room::apply(cluster_event& received) {
  store::event& e = received.event;
  next_id_ = e.id + 1;
  const bool mine = received.node == context_.cluster->node_id();
  if (mine) log_event(name_, e);  // each event is logged once in the cluster
  event_frames frames = remember(e);
  cache_.evict(memory_capacity(), e.ts_ms - context_.history.max_age.count(), k_no_limit);

  std::shared_ptr<join_ticket> joined;
  if (e.kind == store::event_kind::join) {
    cluster_users_ = std::move(received.users);
    if (mine) {
      if (const auto found = cluster_joins_.find(received.member); found != cluster_joins_.end()) {
        joined = std::move(found->second);
        cluster_joins_.erase(found);
      } else {
        // Its member left before it came back, or was told it failed: it leaves again.
        abandoned_.erase(received.member);
        cluster_leave(received.member, e.user);
      }
    }
    if (joined) {
      present_.push_back({joined->member, joined->loop, joined->speaks, joined->user});
      ++members_per_loop_[joined->loop];
      if (joined->speaks == protocol::legacy) ++legacy_members_;
    }
    presence_changed();
  } else if (e.kind == store::event_kind::leave) {
    if (const auto found = std::find(cluster_users_.begin(), cluster_users_.end(), e.user);
        found != cluster_users_.end()) {
      cluster_users_.erase(found);
    }
    presence_changed();
  }
  obs::tracing::span delivery;
  if (!received.traceparent.empty() && context_.tracer != nullptr) {
    if (const auto parent = obs::tracing::parse_traceparent(received.traceparent)) {
      delivery = context_.tracer->start_span("cluster deliver", obs::tracing::span_kind::consumer,
                                             *parent);
    }
  }
  const std::size_t recipients = broadcast(frames);  // not to a newcomer: it is not active yet
  if (delivery.recording()) {
    delivery.set_attribute("chat.room", name_);
    delivery.set_attribute("chat.id", e.id);
    delivery.set_attribute("chat.node", context_.cluster->node_id());
    delivery.set_attribute("chat.fanout", recipients);
    delivery.end();
  }
  if (joined) welcome(joined, e.id, frames.v1);
}

void room::welcome(const std::shared_ptr<join_ticket>& ticket, std::uint64_t join_id,
                   const ws::shared_frame& join_frame) {
  if (ticket->speaks == protocol::legacy) {
    ticket->span.end();
    context_.loops.post(
        ticket->loop, [this, loop = ticket->loop, member = ticket->member, entry = ticket->entry] {
          shards_[loop].activate(member, entry, *this, nullptr);
        });
    return;
  }
  welcome_pending_ = true;
  const std::uint64_t after = ticket->since.value_or(0);
  const std::size_t limit = ticket->since ? context_.history.max_replay : context_.history.on_join;
  collect(after, join_id, limit,
          [this, ticket, join_id, join_frame, users = cluster_users_](collection replay) {
            const std::uint64_t after = ticket->since.value_or(0);
            const std::uint64_t expected =
                ticket->since ? after + 1 : (replay.events.empty() ? 0 : replay.events.front().id);
            replay.events.push_back({join_id, join_frame});
            const event_list list(name_, replay.events, expected, 0);
            const auto frame = v1::joined_frame(name_, users, join_id, list.objects(), false);
            auto& metrics = obs::metrics::for_loop(home_loop_);
            if (ticket->since) metrics.count_replay(replay.events.size() - 1);
            metrics.gaps.add(list.gaps());
            if (ticket->span.recording()) {
              ticket->span.set_attribute("chat.room", name_);
              ticket->span.set_attribute("chat.join.id", join_id);
              ticket->span.end();
            }
            context_.loops.post(ticket->loop, [this, loop = ticket->loop, member = ticket->member,
                                               entry = ticket->entry, frame] {
              shards_[loop].activate(member, entry, *this, frame);
            });
            welcome_pending_ = false;
            apply_received();
            run_queued();
          });
}

}  // namespace parley::chat
