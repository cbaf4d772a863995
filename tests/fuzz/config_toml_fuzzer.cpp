// A configuration file from arbitrary bytes: TOML syntax, unknown keys and tables, wrong types,
// values out of range. Every refusal must be a config::error of one line.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/error.hpp"
#include "config/options.hpp"
#include "config/sources.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view document(reinterpret_cast<const char*>(data), size);
  parley::config::options opts;
  try {
    parley::config::apply_toml(document, "fuzz.toml", opts);
  } catch (const parley::config::error& error) {
    if (std::string_view(error.what()).find('\n') != std::string_view::npos) std::abort();
  }
  return 0;
}
