// Reading and writing action arguments: each reader names the field and what it should be when
// the value is wrong (ActionError::Invalid), and returns nothing when the field is absent or null.
// Shared by the action API's files.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/money.h"
#include "common/sim_clock.h"

namespace cf::action {

double Round2(double x);
double Units(Money m);  // currency units, rounded to cents
// {"minute", "day" (since start), "clock" "HH:MM"}.
nlohmann::json SimTimeJson(SimMinute now, SimMinute start);

// A finite number >= 0 (> 0 when `positive`).
std::optional<double> OptNumber(const nlohmann::json& a, const char* key, bool positive);
// An integer in [lo, hi].
std::optional<int64_t> OptInt(const nlohmann::json& a, const char* key, int64_t lo, int64_t hi);
std::optional<std::string> OptString(const nlohmann::json& a, const char* key);
// Whether `confirm` is true (a boolean when present).
bool Confirmed(const nlohmann::json& a);

}  // namespace cf::action
