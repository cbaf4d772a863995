#pragma once

// Helpers for tests that look at recorded spans.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "obs/tracing/span_record.hpp"
#include "obs/tracing/tracer.hpp"

namespace parley::test_support {

// A tracer that records every span and exports nothing (its exporter is never started).
inline obs::tracing::tracer recording_tracer(double ratio = 1.0) {
  obs::tracing::tracer_settings settings;
  settings.enabled = true;
  settings.sample_ratio = ratio;
  return obs::tracing::tracer(settings);
}

inline const obs::tracing::attribute_value* find_attribute(const obs::tracing::span_record& span,
                                                           std::string_view key) {
  const auto it = std::find_if(span.attributes.begin(), span.attributes.end(),
                               [key](const auto& attribute) { return attribute.key == key; });
  return it == span.attributes.end() ? nullptr : &it->value;
}

template <class T>
std::optional<T> attribute_of(const obs::tracing::span_record& span, std::string_view key) {
  const auto* value = find_attribute(span, key);
  if (value == nullptr || !std::holds_alternative<T>(*value)) return std::nullopt;
  return std::get<T>(*value);
}

// The one span named `name` among `spans` (a test failure when there is not exactly one).
inline const obs::tracing::span_record* only_span(
    const std::vector<obs::tracing::span_record>& spans, std::string_view name) {
  const auto count = std::count_if(spans.begin(), spans.end(),
                                   [name](const auto& span) { return span.name == name; });
  EXPECT_EQ(count, 1) << "spans named " << name;
  const auto it = std::find_if(spans.begin(), spans.end(),
                               [name](const auto& span) { return span.name == name; });
  return it == spans.end() ? nullptr : &*it;
}

}  // namespace parley::test_support
