#pragma once

#include <spdlog/common.h>

#include <array>
#include <string_view>

namespace parley::obs {

// A level as Ballerina prints it and the tutorial's Logstash pattern reads it: upper case,
// "critical" as FATAL.
inline std::string_view level_name(spdlog::level::level_enum level) {
  static constexpr std::array<std::string_view, 7> names = {"TRACE", "DEBUG", "INFO", "WARN",
                                                            "ERROR", "FATAL", "OFF"};
  return names[static_cast<std::size_t>(level)];
}

}  // namespace parley::obs
