#include "chat/room.hpp"

#include <algorithm>

#include "chat/room_detail.hpp"
#include "obs/log.hpp"
#include "obs/metrics/loop_metrics.hpp"

namespace parley::chat {

using room_detail::event_list;
using room_detail::k_no_limit;
using room_detail::log_event;
using room_detail::now_ms;

namespace {

std::vector<room_shard> make_shards(std::size_t loops) {
  std::vector<room_shard> shards;
  shards.reserve(loops);
  for (std::size_t loop = 0; loop < loops; ++loop) shards.emplace_back(loop);
  return shards;
}

}  // namespace

room::room(room_context& context, std::string name, std::size_t home_loop,
           std::shared_ptr<store::room_log> log)
    : context_(context),
      name_(std::move(name)),
      home_loop_(home_loop),
      log_(std::move(log)),
      shards_(make_shards(context.loops.loop_count())),
      members_per_loop_(context.loops.loop_count(), 0),
      cache_(log_ ? log_->first_free_id() : 1),
      next_id_(log_ ? log_->first_free_id() : 1),
      reserved_until_(next_id_),
      warm_(!log_ || next_id_ == 1) {
  last_id_.store(next_id_ - 1, std::memory_order_relaxed);
  if (log_) last_event_ms_.store(log_->last_event_ms(), std::memory_order_relaxed);
  if (context_.cluster != nullptr) {
    reserved_until_ = k_no_limit;  // the cluster gives the ids
    redis_generation_ = context_.cluster->generation();
    context_.cluster->watch(
        name_,
        [this](cluster_event e) {
          context_.loops.post(
              home_loop_, [this, e = std::move(e)]() mutable { on_cluster_event(std::move(e)); });
        },
        [this](std::uint64_t last) {
          context_.loops.post(home_loop_, [this, last] { on_cluster_ready(last); });
        });
  }
}

void room::join(join_ticket ticket) {
  auto shared = std::make_shared<join_ticket>(std::move(ticket));
  context_.loops.post(home_loop_, [this, shared] { begin_join(std::move(*shared)); });
}

void room::leave(std::uint64_t member, std::size_t loop, std::shared_ptr<departure> departure) {
  shards_[loop].remove(member);
  context_.loops.post(home_loop_, [this, member, departure = std::move(departure)] {
    // A join not yet sequenced is called off now, in the order the member asked, not when the
    // leave's turn comes: a join the member asks for after this leave must not be taken for it.
    joining_.erase(member);
    run_or_queue([this, member, departure] { finish_leave(member, departure); });
  });
}

void room::publish(message_ticket ticket) {
  auto shared = std::make_shared<message_ticket>(std::move(ticket));
  context_.loops.post(
      home_loop_, [this, shared] { run_or_queue([this, shared] { finish_publish(*shared); }); });
}

void room::typing(std::uint64_t member, std::string user) {
  if (context_.cluster != nullptr) {
    // Through Redis, so that every node's members see it (this node's once it comes back).
    return context_.cluster->typing(name_, user, member);
  }
  context_.loops.post(home_loop_, [this, member, user = std::move(user)] {
    broadcast({.legacy = nullptr, .v1 = v1::typing_frame(name_, user)}, {}, member);
  });
}

void room::history(std::uint64_t member, std::size_t loop, std::optional<std::uint64_t> before,
                   unsigned limit) {
  context_.loops.post(home_loop_, [this, member, loop, before, limit] {
    collect(0, before.value_or(k_no_limit), limit, [this, member, loop](collection result) {
      ws::shared_frame answer;
      if (result.ok) {
        const event_list list(name_, result.events, 0, 0);
        answer = v1::history_frame(name_, list.objects());
      } else {
        answer = v1::error_frame(v1::error_code::history_unavailable,
                                 "History could not be read; try again later.", name_, {});
      }
      context_.loops.post(
          loop, [this, member, loop, answer] { shards_[loop].deliver_to(member, answer); });
    });
  });
}

void room::begin_join(join_ticket ticket) {
  if (context_.cluster != nullptr) return begin_cluster_join(std::move(ticket));
  if (ticket.number == 0) {  // not a join collecting again
    ticket.number = ++joins_begun_;
    joining_[ticket.member] = ticket.number;
  }
  auto shared = std::make_shared<join_ticket>(std::move(ticket));
  if (shared->speaks == protocol::legacy) {
    run_or_queue([this, shared] { finish_join(*shared, {}); });
    return;
  }
  if (shared->since && *shared->since > last_id()) {
    // A position this room never reached (the memory engine restarted): start afresh.
    shared->since.reset();
    shared->reset = true;
  }
  const std::uint64_t after = shared->since.value_or(0);
  const std::size_t limit = shared->since ? context_.history.max_replay : context_.history.on_join;
  collect(after, k_no_limit, limit, [this, shared](collection result) {
    run_or_queue([this, shared, result = std::move(result)]() mutable {
      finish_join(*shared, std::move(result));
    });
  });
}

void room::finish_join(join_ticket& ticket, collection replay) {
  const auto pending = joining_.find(ticket.member);
  if (pending == joining_.end() || pending->second != ticket.number) {
    return;  // it left before its join was sequenced
  }
  const bool v1_member = ticket.speaks == protocol::v1;
  if (v1_member && cache_.floor() > replay.memory_from) {
    // Memory let go of events the replay counted on finding there: collect again.
    begin_join(std::move(ticket));
    return;
  }
  joining_.erase(pending);
  const std::uint64_t after = ticket.since.value_or(0);
  if (v1_member) {
    // Events sequenced after the replay was collected (it may have waited for ids).
    const std::uint64_t newest = replay.events.empty() ? after : replay.events.back().id;
    for (auto& e : from_memory(newest, k_no_limit, k_no_limit)) {
      replay.events.push_back(std::move(e));
    }
    const std::size_t limit = ticket.since ? context_.history.max_replay : context_.history.on_join;
    if (replay.events.size() > limit) {
      replay.events.erase(replay.events.begin(),
                          replay.events.end() - static_cast<std::ptrdiff_t>(limit));
    }
  }

  store::event joined{.kind = store::event_kind::join, .user = ticket.user, .age = ticket.age};
  const auto frames = record(std::move(joined));
  const std::uint64_t join_id = last_id();
  present_.push_back({ticket.member, ticket.loop, ticket.speaks, ticket.user});
  ++members_per_loop_[ticket.loop];
  if (!v1_member) ++legacy_members_;
  presence_changed();
  broadcast(frames);  // not to the newcomer: it is not active yet

  ws::shared_frame welcome;
  std::size_t gaps = 0;
  if (v1_member) {
    // A replay after `since` accounts for every id up to the newcomer's own join; a plain join's
    // recent history only for the ids between its events.
    const std::uint64_t expected =
        ticket.since ? after + 1 : (replay.events.empty() ? 0 : replay.events.front().id);
    replay.events.push_back({join_id, frames.v1});
    const event_list list(name_, replay.events, expected, 0);
    gaps = list.gaps();
    std::vector<std::string> users;
    users.reserve(present_.size());
    for (const auto& user : present_) users.push_back(user.name);
    welcome = v1::joined_frame(name_, users, join_id, list.objects(), ticket.reset);
    auto& metrics = obs::metrics::for_loop(home_loop_);
    if (ticket.since) metrics.count_replay(replay.events.size() - 1);
    metrics.gaps.add(gaps);
  }
  if (ticket.span.recording()) {
    ticket.span.set_attribute("chat.room", name_);
    ticket.span.set_attribute("chat.join.id", join_id);
    ticket.span.set_attribute("chat.replay.events",
                              replay.events.empty() ? 0 : replay.events.size() - 1);
    ticket.span.set_attribute("chat.replay.gaps", gaps);
    ticket.span.end();
  }
  context_.loops.post(ticket.loop,
                      [this, loop = ticket.loop, member = ticket.member, entry = ticket.entry,
                       welcome] { shards_[loop].activate(member, entry, *this, welcome); });
}

void room::finish_leave(std::uint64_t member, const std::shared_ptr<departure>& departure) {
  const auto found = std::find_if(present_.begin(), present_.end(),
                                  [member](const present_user& p) { return p.member == member; });
  if (found == present_.end()) {  // left before its join was sequenced: nobody saw it come
    // Cluster mode: its join is on its way back; a leave follows it then.
    if (cluster_joins_.erase(member) != 0) abandoned_.insert(member);
    if (departure) departure->room_left();
    return;
  }
  const present_user leaving = std::move(*found);
  *found = std::move(present_.back());
  present_.pop_back();
  --members_per_loop_[leaving.loop];
  if (leaving.speaks == protocol::legacy) --legacy_members_;
  presence_changed();
  if (departure) departure->room_left();  // free before anyone can see the leave
  if (context_.cluster != nullptr) {
    return cluster_leave(member, leaving.name);
  }
  broadcast(record({.kind = store::event_kind::leave, .user = leaving.name}));
}

void room::finish_publish(message_ticket& ticket) {
  if (!ticket.client_id.empty()) {
    const auto key = history_cache::client_key(ticket.user, ticket.client_id);
    if (const auto* original = cache_.find_client(key)) {
      // A retry of a message already sent: the sender gets it again, the room does not.
      context_.loops.post(
          ticket.loop, [this, loop = ticket.loop, member = ticket.member, frame = original->frame] {
            shards_[loop].deliver_to(member, frame);
          });
      if (ticket.span.recording()) {
        ticket.span.set_attribute("chat.duplicate", true);
        ticket.span.end();
      }
      return;
    }
  }
  if (context_.cluster != nullptr) {
    // The sender is told when Redis cannot take it, so it may send again (a legacy one, which
    // has no error event, by a close 1013): no message is lost unsaid.
    auto failed = [this, member = ticket.member, loop = ticket.loop, client_id = ticket.client_id] {
      auto error = v1::error_frame(v1::error_code::unavailable,
                                   "The chat cannot reach its Redis; not sent, try again.", name_,
                                   client_id);
      context_.loops.post(
          loop, [this, loop, member, error] { shards_[loop].message_failed(member, error); });
    };
    return cluster_publish({.kind = store::event_kind::message,
                            .user = std::move(ticket.user),
                            .text = std::move(ticket.text),
                            .client_id = std::move(ticket.client_id)},
                           ticket.member, std::move(failed), std::move(ticket.span));
  }
  const std::size_t text_size = ticket.text.size();
  const auto frames = record({.kind = store::event_kind::message,
                              .user = std::move(ticket.user),
                              .text = std::move(ticket.text),
                              .client_id = std::move(ticket.client_id)});
  const std::size_t recipients = broadcast(frames, ticket.received_at);
  if (ticket.span.recording()) {
    ticket.span.set_attribute("chat.room", name_);
    ticket.span.set_attribute("chat.id", last_id());
    ticket.span.set_attribute("messaging.message.body.size", text_size);
    ticket.span.set_attribute("chat.bytes", frames.v1->size());
    if (frames.legacy) ticket.span.set_attribute("chat.bytes.legacy", frames.legacy->size());
    ticket.span.set_attribute("chat.fanout", recipients);
    ticket.span.end();
  }
}

void room::collect(std::uint64_t after, std::uint64_t before, std::size_t limit,
                   collected_fn done) {
  const std::int64_t now = now_ms();
  cache_.evict(memory_capacity(), now - context_.history.max_age.count(),
               log_ ? log_->settled_id() : k_no_limit);
  // Events beyond history.max_events may linger in the store until its next trim: never hand
  // them out.
  after = std::max(after, retained_floor() - 1);
  const std::uint64_t floor = cache_.floor();
  auto& metrics = obs::metrics::for_loop(home_loop_);
  const bool memory_suffices = !log_ || after + 1 >= floor || before <= after + 1 ||
                               cache_.count(std::max(after, floor - 1), before) >= limit;
  if (memory_suffices) {
    metrics.history_reads_memory.add();
    done({true, from_memory(after, before, limit), floor});
    return;
  }
  metrics.history_reads_store.add();
  const std::uint64_t upper = std::min(before, floor);
  log_->read(after, upper, limit,
             [this, after, before, limit, upper, done](bool ok, std::vector<store::event> events) {
               context_.loops.post(home_loop_, [this, after, before, limit, upper, done, ok,
                                                events = std::move(events)]() mutable {
                 from_store(after, before, limit, upper, ok, std::move(events), done);
               });
             });
}

void room::from_store(std::uint64_t after, std::uint64_t before, std::size_t limit,
                      std::uint64_t upper, bool ok, std::vector<store::event> events,
                      const collected_fn& done) {
  // The read stopped at memory's floor for memory to give the rest, but memory has let go of
  // some of it meanwhile: read again. (A read that stopped at `before` needs nothing of memory.)
  if (upper < before && cache_.floor() > upper) {
    collect(after, before, limit, done);
    return;
  }
  std::vector<history_cache::entry> read;
  read.reserve(events.size());
  for (const auto& e : events) read.push_back(cache_entry(e));
  if (ok && upper == cache_.floor() && cache_.size() + read.size() <= memory_capacity()) {
    // What was read lies right below memory: keep it there (a room's first join after a restart
    // warms its memory, and its client_ids count for retries again).
    const std::uint64_t new_floor =
        read.size() < limit || read.empty() ? after + 1 : read.front().id;
    cache_.prepend(std::move(read), new_floor);
    done({true, from_memory(after, before, limit), cache_.floor()});
    return;
  }
  std::vector<replayed> out;
  out.reserve(read.size());
  for (auto& e : read) out.push_back({e.id, std::move(e.frame)});
  for (auto& e : from_memory(upper - 1, before, k_no_limit)) out.push_back(std::move(e));
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  done({ok, std::move(out), cache_.floor()});
}

std::vector<room::replayed> room::from_memory(std::uint64_t after, std::uint64_t before,
                                              std::size_t limit) const {
  std::vector<replayed> out;
  for (const auto* e : cache_.range(after, before, limit)) out.push_back({e->id, e->frame});
  return out;
}

history_cache::entry room::cache_entry(const store::event& e) const {
  return {e.id, e.ts_ms, v1::event_frame(name_, e),
          e.client_id.empty() ? std::string{} : history_cache::client_key(e.user, e.client_id)};
}

std::size_t room::memory_capacity() const {
  return log_ ? std::min(context_.history.memory_events, context_.history.max_events)
              : context_.history.max_events;
}

std::uint64_t room::retained_floor() const {
  const std::uint64_t max_events = context_.history.max_events;
  return next_id_ > max_events ? next_id_ - max_events : 1;
}

void room::run_or_queue(std::function<void()> work) {
  if (waiting_.empty() && can_record()) {
    work();
  } else {
    waiting_.push_back(std::move(work));
  }
  warm_up();
  reserve_ids();
}

void room::run_queued() {
  while (!waiting_.empty() && can_record()) {
    auto work = std::move(waiting_.front());
    waiting_.pop_front();
    work();
  }
  reserve_ids();
}

bool room::can_record() const {
  if (context_.cluster != nullptr) return cluster_ready_ && !welcome_pending_;
  return !log_ || (warm_ && next_id_ < reserved_until_);
}

void room::warm_up() {
  if (warm_ || warming_) return;
  warming_ = true;
  const std::uint64_t floor = cache_.floor();
  const std::size_t requested = memory_capacity();
  log_->read(retained_floor() - 1, floor, requested,
             [this, floor, requested](bool ok, std::vector<store::event> events) {
               context_.loops.post(
                   home_loop_, [this, floor, requested, ok, events = std::move(events)]() mutable {
                     finish_warm_up(floor, requested, ok, std::move(events));
                   });
             });
}

void room::finish_warm_up(std::uint64_t floor, std::size_t requested, bool ok,
                          std::vector<store::event> events) {
  warm_ = true;
  warming_ = false;
  if (ok) {
    // Everything retained was read when fewer than asked for came back.
    bool complete = events.size() < requested;
    // A join's replay may have brought some of them into memory meanwhile.
    std::erase_if(events, [this](const store::event& e) { return e.id >= cache_.floor(); });
    const std::size_t room_left =
        memory_capacity() > cache_.size() ? memory_capacity() - cache_.size() : 0;
    if (events.size() > room_left) {
      events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(room_left));
      complete = false;
    }
    std::vector<history_cache::entry> read;
    read.reserve(events.size());
    for (const auto& e : events) read.push_back(cache_entry(e));
    const std::uint64_t new_floor = complete ? std::min(floor, retained_floor())
                                             : (read.empty() ? cache_.floor() : read.front().id);
    cache_.prepend(std::move(read), new_floor);
  }
  run_queued();
}

void room::reserve_ids() {
  if (!log_ || reserving_ || reserved_until_ - next_id_ > k_id_block / 2) return;
  reserving_ = true;
  const std::uint64_t until = std::max(reserved_until_, next_id_) + k_id_block;
  log_->reserve(until, [this, until](bool) {
    // Not durable (the disk failed): the store has logged and counted it; the chat goes on.
    context_.loops.post(home_loop_, [this, until] {
      reserved_until_ = until;
      reserving_ = false;
      run_queued();
    });
  });
}

event_frames room::record(store::event e) {
  e.id = next_id_++;
  e.ts_ms = now_ms();
  log_event(name_, e);
  event_frames frames = remember(e);
  const std::int64_t oldest = e.ts_ms - context_.history.max_age.count();
  if (log_) log_->append(std::move(e));
  cache_.evict(memory_capacity(), oldest, log_ ? log_->settled_id() : k_no_limit);
  return frames;
}

event_frames room::remember(const store::event& e) {
  history_cache::entry entry = cache_entry(e);
  event_frames frames;
  frames.v1 = entry.frame;
  if (legacy_members_ > 0) frames.legacy = legacy::event_frame(e);
  cache_.append(std::move(entry));
  last_id_.store(e.id, std::memory_order_relaxed);
  last_event_ms_.store(e.ts_ms, std::memory_order_relaxed);
  obs::metrics::for_loop(home_loop_).events_stored.add();
  return frames;
}

std::size_t room::broadcast(const event_frames& frames,
                            std::chrono::steady_clock::time_point received_at,
                            std::uint64_t except) {
  if (context_.compression.enabled && !frames.deflated) {
    // One set of twins for every loop, so each frame is compressed once for the whole room.
    event_frames compressible = frames;
    compressible.deflated = std::make_shared<deflated_frames>();
    compressible.deflated->min_size = context_.compression.min_size;
    return broadcast(compressible, received_at, except);
  }
  std::size_t recipients = 0;
  for (std::size_t loop = 0; loop < members_per_loop_.size(); ++loop) {
    if (members_per_loop_[loop] == 0) continue;
    recipients += members_per_loop_[loop];
    context_.loops.post(loop, [this, loop, frames, received_at, except] {
      auto& metrics = obs::metrics::for_loop(loop);
      metrics.messages_delivered.add(shards_[loop].deliver(frames, except));
      if (received_at != std::chrono::steady_clock::time_point{}) {
        metrics.fanout_latency.observe(std::chrono::steady_clock::now() - received_at);
      }
    });
  }
  return recipients;
}

void room::presence_changed() {
  // Cluster mode: who is in the room on every node, as of the last join or leave applied.
  online_.store(context_.cluster != nullptr ? cluster_users_.size() : present_.size(),
                std::memory_order_relaxed);
  if (presence_publish_posted_) return;
  presence_publish_posted_ = true;
  // Once per batch of joins and leaves, not with each: a crowd joining costs no quadratic copying.
  context_.loops.post(home_loop_, [this] {
    presence_publish_posted_ = false;
    std::vector<std::string> users;
    if (context_.cluster != nullptr) {
      users = cluster_users_;
    } else {
      users.reserve(present_.size());
      for (const auto& user : present_) users.push_back(user.name);
    }
    std::lock_guard lock(users_mutex_);
    users_ = std::move(users);
  });
}

std::vector<std::string> room::users() const {
  std::lock_guard lock(users_mutex_);
  return users_;
}

bool room::exists(std::int64_t now) const {
  return online() > 0 || (last_id() > 0 && now - last_event_ms_.load(std::memory_order_relaxed) <
                                               context_.history.max_age.count());
}

void room::release() {
  if (log_) log_->release(next_id_);
}

}  // namespace parley::chat
