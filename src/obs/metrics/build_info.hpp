#pragma once

#include <string_view>

namespace parley::obs::metrics {

// Filled in by CMake (PARLEY_VERSION, PARLEY_BUILD_TYPE).
inline constexpr std::string_view k_version = PARLEY_VERSION;
inline constexpr std::string_view k_build_type = PARLEY_BUILD_TYPE;

}  // namespace parley::obs::metrics
