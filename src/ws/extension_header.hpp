#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::ws {

// One parameter of an extension offer: `name` or `name=value` (a quoted value is unquoted).
struct extension_param {
  std::string name;
  std::optional<std::string> value;
};

// One offer in Sec-WebSocket-Extensions: "permessage-deflate; client_max_window_bits".
struct extension_offer {
  std::string name;
  std::vector<extension_param> params;
};

// Parses a Sec-WebSocket-Extensions value (several header lines joined with ", ") by the grammar
// of RFC 6455 §9.1: 1#( token *( ";" token [ "=" ( token / quoted-string ) ] ) ). Nothing when
// the value breaks the grammar anywhere: a malformed header is not half-understood.
std::optional<std::vector<extension_offer>> parse_extension_offers(std::string_view header);

}  // namespace parley::ws
