#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

namespace parley::bench {

// A client's opening handshake: the request to send and the Sec-WebSocket-Accept to expect.
struct handshake {
  std::string request;
  std::string expected_accept;
};

// Builds the upgrade request for ws://host:port/chat/{name}?age=1{query} with a random 16-byte
// key; `query` is empty or more parameters ("&room=r3&since=41"). `subprotocol`, when not empty,
// is offered in Sec-WebSocket-Protocol, `extensions` (when not empty) in Sec-WebSocket-Extensions.
handshake make_handshake(std::string_view host, unsigned port, std::string_view name,
                         std::string_view query, std::string_view subprotocol,
                         std::mt19937_64& random, std::string_view extensions = {});

enum class response_status {
  need_more,  // no blank line yet
  upgraded,   // 101 with the right Sec-WebSocket-Accept (and subprotocol, when one was asked)
  refused,    // anything else
};

struct response_check {
  response_status status = response_status::need_more;
  std::size_t head_size = 0;  // bytes up to and including the blank line
};

// Checks the server's response head at the start of `input`. `subprotocol`: the one the server
// must confirm, or empty when none was offered (then it must confirm none).
response_check check_response(std::string_view input, std::string_view expected_accept,
                              std::string_view subprotocol = {});

}  // namespace parley::bench
