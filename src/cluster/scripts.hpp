#pragma once

// The Lua scripts the Redis cluster runs: each is one atomic step on one room's keys (or one
// name's, or the node registry), so Redis Cluster could hold the keys (they share a hash tag).
//
// A room's presence is the hash parley:{room}:members, field "<node>\31<user>" -> how many of
// that node's connections have the user in the room (1, or 2 while a leave and a rejoin cross).
// Keyed by node so that a surviving node can publish the leaves of a dead node's users.

namespace parley::cluster::scripts {

// The users in a members hash, each once (KEYS[3] of the scripts that include it).
#define PARLEY_USERS_OF                                                     \
  "local function users_of(key)\n"                                          \
  "  local seen, list = {}, {}\n"                                           \
  "  for _, f in ipairs(redis.call('HKEYS', key)) do\n"                     \
  "    local u = string.match(f, '^[^\\31]*\\31(.*)$')\n"                   \
  "    if u and not seen[u] then seen[u] = true; list[#list + 1] = u end\n" \
  "  end\n"                                                                 \
  "  return list\n"                                                         \
  "end\n"

// One round trip per event: the next id (never below what this node saw, so ids stay above what
// clients hold after Redis lost its data), presence, the bounded stream, the channel. A leave of
// someone not (or no longer) present publishes nothing and answers 0: a surviving node may have
// published it already for a node it took for dead, or Redis may have lost it.
// KEYS: id, stream, members. ARGV: channel, event tail, max events, seen id, kind, user, node.
inline constexpr const char* k_publish = PARLEY_USERS_OF R"lua(
local field = ARGV[7] .. '\31' .. ARGV[6]
if ARGV[5] == 'leave' then
  local left = redis.call('HINCRBY', KEYS[3], field, -1)
  if left <= 0 then redis.call('HDEL', KEYS[3], field) end
  if left < 0 then return 0 end
end
local id = redis.call('INCR', KEYS[1])
local seen = tonumber(ARGV[4])
if id <= seen then
  id = seen + 1
  redis.call('SET', KEYS[1], id)
end
local head = '{"id":' .. id
if ARGV[5] == 'join' then
  redis.call('HINCRBY', KEYS[3], field, 1)
  head = head .. ',"users":' .. cjson.encode(users_of(KEYS[3]))
end
local event = head .. ',' .. ARGV[2]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], id .. '-1', 'e', event)
redis.call('PUBLISH', ARGV[1], event)
return id
)lua";

// A dead node's users leave the room: each gets one leave event, published by the node that
// found it dead. Run twice (two nodes found it), the second finds nothing left to do.
// KEYS: id, stream, members. ARGV: channel, dead node, this node, time ms, max events.
inline constexpr const char* k_reap = R"lua(
local prefix = ARGV[2] .. '\31'
local gone = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
  if string.sub(f, 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[3], f)
    gone[#gone + 1] = string.sub(f, #prefix + 1)
  end
end
for _, user in ipairs(gone) do
  local id = redis.call('INCR', KEYS[1])
  local event = '{"id":' .. id .. ',"ts":' .. ARGV[4] .. ',"kind":"leave","user":' ..
      cjson.encode(user) .. ',"node":' .. cjson.encode(ARGV[3]) .. ',"member":0}'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], id .. '-1', 'e', event)
  redis.call('PUBLISH', ARGV[1], event)
end
return #gone
)lua";

// After Redis lost its data: this node's members are present again (without events, which
// everyone has seen), and the room's ids continue above what it saw.
// KEYS: id, members. ARGV: node, seen id, then user, count pairs.
inline constexpr const char* k_reassert = R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[2]) then redis.call('SET', KEYS[1], ARGV[2]) end
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[1] .. '\31' .. ARGV[i], ARGV[i + 1])
end
return 1
)lua";

// The node says it is alive until now + lease (Redis's clock, so the nodes' clocks may differ),
// and learns how many nodes are alive and which ones are dead, and whether its own deadline had
// passed (1: it had, so other nodes may have taken it for dead; 2: it was not listed at all,
// either new here or forgotten by a node that reaped it).
// KEYS: the node registry (a sorted set: node -> deadline ms). ARGV: node, lease ms.
// Answers {live count, lapsed (0, 1 or 2), dead node, ...}.
inline constexpr const char* k_heartbeat = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local before = redis.call('ZSCORE', KEYS[1], ARGV[1])
local lapsed = 0
if not before then lapsed = 2 elseif tonumber(before) < now then lapsed = 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local answer = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
table.insert(answer, 1, lapsed)
table.insert(answer, 1, redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf'))
return answer
)lua";

// KEYS: the name. ARGV: this claim's token, lease ms.
inline constexpr const char* k_claim =
    "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0";
// Compare-and-delete: only the claim that set it lets it go.
inline constexpr const char* k_release =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0";
inline constexpr const char* k_refresh =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], "
    "ARGV[2]) end return 0";

// What the HTTP API lists of a room this node has not opened: its last id, then its users.
// KEYS: id, (unused), members.
inline constexpr const char* k_room_summary = PARLEY_USERS_OF R"lua(
local answer = users_of(KEYS[3])
table.insert(answer, 1, redis.call('GET', KEYS[1]) or '0')
return answer
)lua";

#undef PARLEY_USERS_OF

}  // namespace parley::cluster::scripts
