#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace parley::config {

// What a key holds, whichever source it came from.
enum class value_type : std::uint8_t {
  boolean,
  integer,  // whole number within the key's range
  ratio,    // number from 0 to 1
  text,
};

using value = std::variant<bool, std::int64_t, double, std::string>;

// The value as a TOML file writes it: 9090, true, 1.0, "0.0.0.0" (escaped, so always one line).
std::string to_toml(const value& v);

}  // namespace parley::config
