#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

enum class connection_state : std::uint8_t {
  not_started,
  connecting,   // non-blocking connect() in progress
  handshaking,  // upgrade request sent, waiting for the 101
  open,         // WebSocket frames both ways
  closed,
};

// One simulated chat client. What it is, not what it does (that is the worker's).
struct client_connection {
  int fd = -1;
  connection_state state = connection_state::not_started;
  bool queued_for_flush = false;  // in the worker's flush list this turn
  bool in_fragmented = false;     // a text or binary frame without FIN came, `fragments` fills
  std::uint32_t client = 0;       // global index: the name is prefix + client
  std::int32_t sender_slot = -1;  // index into the worker's senders, or -1
  bool resume = false;            // storm: reconnect with since= (next handshake)
  std::uint64_t since = 0;        // storm: the since= of its reconnect
  std::uint64_t last_id = 0;      // v1: the highest event id it has seen
  std::vector<char> leftover;     // an incomplete frame (or response head) between reads
  std::vector<char> out;          // bytes not yet written
  std::size_t out_written = 0;    // of `out`
  std::string fragments;          // a fragmented text message being reassembled (rare)
  std::string expected_accept;    // during the handshake only
};

// A client that sends messages in fanout mode.
struct sender_state {
  std::uint32_t connection = 0;   // local index of its client_connection
  std::uint64_t recipients = 0;   // members of its room, itself included: deliveries per message
  std::string v1_head;            // v1: the send request's JSON up to the text
  std::uint32_t next_seq = 1;     // sequence numbers start at 1
  std::uint32_t outstanding = 0;  // sent and not yet received back by the sender itself
  std::uint32_t pending = 0;      // to be written at the next flush
};

}  // namespace parley::bench
