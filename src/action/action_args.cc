#include "action/action_args.h"

#include <fmt/format.h>

#include <cmath>

#include "action/action_error.h"

namespace cf::action {

double Round2(double x) { return std::round(x * 100.0) / 100.0; }
double Units(Money m) { return Round2(m.units()); }

nlohmann::json SimTimeJson(SimMinute now, SimMinute start) {
  const SimMinute since = now >= start ? now - start : 0;
  return {{"minute", now},
          {"day", since / kMinutesPerDay},
          {"clock", fmt::format("{:02d}:{:02d}", (now % kMinutesPerDay) / 60, now % 60)}};
}

std::optional<double> OptNumber(const nlohmann::json& a, const char* key, bool positive) {
  if (!a.contains(key) || a[key].is_null()) return std::nullopt;
  if (!a[key].is_number()) {
    throw ActionError::Invalid(fmt::format("'{}' must be a number, got {}", key, a[key].dump()));
  }
  const double v = a[key].get<double>();
  if (!std::isfinite(v) || v < 0 || (positive && v == 0)) {
    throw ActionError::Invalid(
        fmt::format("'{}' must be {} 0, got {}", key, positive ? "above" : "at least", v));
  }
  return v;
}

std::optional<int64_t> OptInt(const nlohmann::json& a, const char* key, int64_t lo, int64_t hi) {
  if (!a.contains(key) || a[key].is_null()) return std::nullopt;
  if (!a[key].is_number_integer() && !a[key].is_number_unsigned()) {
    throw ActionError::Invalid(fmt::format("'{}' must be an integer, got {}", key, a[key].dump()));
  }
  const int64_t v = a[key].get<int64_t>();
  if (v < lo || v > hi) {
    throw ActionError::Invalid(
        fmt::format("'{}' must be between {} and {}, got {}", key, lo, hi, v));
  }
  return v;
}

std::optional<std::string> OptString(const nlohmann::json& a, const char* key) {
  if (!a.contains(key) || a[key].is_null()) return std::nullopt;
  if (!a[key].is_string()) {
    throw ActionError::Invalid(fmt::format("'{}' must be a string, got {}", key, a[key].dump()));
  }
  return a[key].get<std::string>();
}

bool Confirmed(const nlohmann::json& a) {
  if (!a.contains("confirm")) return false;
  if (!a["confirm"].is_boolean()) {
    throw ActionError::Invalid(
        fmt::format("'confirm' must be true or false, got {}", a["confirm"].dump()));
  }
  return a["confirm"].get<bool>();
}

}  // namespace cf::action
