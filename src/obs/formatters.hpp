#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace parley::obs {

// "2026-01-02 15:04:05,123 INFO  [parley.chat] - alice: hi": the tutorial's line, which its
// Logstash grok pattern parses.
std::unique_ptr<spdlog::formatter> make_text_formatter();

// {"date":"2026-01-02 15:04:05,123","level":"INFO","package":"parley.chat","message":"alice: hi"}
// one object per line, always valid JSON (invalid UTF-8 becomes U+FFFD).
std::unique_ptr<spdlog::formatter> make_json_formatter();

}  // namespace parley::obs
