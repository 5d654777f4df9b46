// Simulated time at minute resolution. Minute 0 is 00:00 of day 0, a Monday.
// Promises: pure value arithmetic, no wall clock anywhere; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace cf {

using SimMinute = uint32_t;

inline constexpr SimMinute kMinutesPerHour = 60;
inline constexpr SimMinute kMinutesPerDay = 24 * 60;

struct SimTime {
  SimMinute minute = 0;

  constexpr uint32_t day() const { return minute / kMinutesPerDay; }
  constexpr uint32_t minute_of_day() const { return minute % kMinutesPerDay; }
  constexpr uint32_t hour_of_day() const { return minute_of_day() / kMinutesPerHour; }
  // 0 = Monday .. 6 = Sunday.
  constexpr uint32_t weekday() const { return day() % 7; }
  constexpr bool weekend() const { return weekday() >= 5; }
  // "day 3 14:05"
  std::string ToString() const;
};

}  // namespace cf
