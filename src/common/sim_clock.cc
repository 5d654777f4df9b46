#include "common/sim_clock.h"

#include <fmt/format.h>

namespace cf {

std::string SimTime::ToString() const {
  return fmt::format("day {} {:02d}:{:02d}", day(), hour_of_day(), minute_of_day() % 60);
}

}  // namespace cf
