#pragma once

#include <fmt/format.h>

#include <string_view>

namespace parley::obs {

// Text from a client, for a log line: control characters are written as \n, \r, \t or \xNN, so
// a message cannot forge extra log lines (which the Logstash pattern would take as real).
struct escaped {
  std::string_view text;
};

}  // namespace parley::obs

template <>
struct fmt::formatter<parley::obs::escaped> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const parley::obs::escaped& value, FormatContext& context) const {
    auto out = context.out();
    for (const char c : value.text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte >= 0x20 && byte != 0x7F) {
        *out++ = c;
      } else if (c == '\n') {
        out = fmt::format_to(out, "\\n");
      } else if (c == '\r') {
        out = fmt::format_to(out, "\\r");
      } else if (c == '\t') {
        out = fmt::format_to(out, "\\t");
      } else {
        out = fmt::format_to(out, "\\x{:02X}", byte);
      }
    }
    return out;
  }
};
