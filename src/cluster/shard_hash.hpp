#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace parley::cluster {

// Which of `shards` Redis shards holds `key` (a room name, or a username): FNV-1a (64 bits) of
// the key's bytes, modulo the number of shards. Fixed here, not std::hash, so that every node,
// whatever its build, sends a room to the same shard (as long as all have the same
// cluster.redis list in the same order).
constexpr std::uint64_t fnv1a_64(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // the offset basis
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // the FNV prime
  }
  return hash;
}

constexpr std::size_t shard_of(std::string_view key, std::size_t shards) {
  return shards <= 1 ? 0 : static_cast<std::size_t>(fnv1a_64(key) % shards);
}

}  // namespace parley::cluster
