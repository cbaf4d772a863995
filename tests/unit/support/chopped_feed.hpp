#pragma once

// Feeds a connection handler the client's bytes as the network may deliver them: whole, or in
// pieces of a few bytes, keeping what on_data leaves unconsumed and offering it again with more
// (as net::handler_feed does).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "net/transport.hpp"

namespace parley::test_support {

// `piece`: bytes per delivery, 0 for all at once. `unconsumed` carries what the handler left over
// from one call to the next.
inline void feed_in_pieces(net::connection_handler& handler, std::string& unconsumed,
                           std::string_view bytes, std::size_t piece) {
  const std::size_t chop = piece == 0 ? std::max<std::size_t>(bytes.size(), 1) : piece;
  for (std::size_t at = 0; at < bytes.size(); at += chop) {
    unconsumed.append(bytes.substr(at, chop));
    const std::size_t used = handler.on_data(std::span<char>(unconsumed.data(), unconsumed.size()));
    ASSERT_LE(used, unconsumed.size());
    unconsumed.erase(0, used);
  }
}

}  // namespace parley::test_support
