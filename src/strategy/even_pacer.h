// Standard ("even") delivery: each plan with a daily budget takes part in a share of auctions so
// that its spend follows the day's traffic curve instead of running out in the morning. The
// traffic curve is learned from the opportunities the platform itself saw on previous days
// (uniform on the first day). Not thread-safe; Update runs between minutes.
#pragma once

#include <array>
#include <vector>

#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"

namespace cf {

class EvenPacer {
 public:
  // Counts one opportunity seen at minute m (learns the traffic curve).
  void CountOpportunity(SimMinute m) { ++today_[SimTime{m}.hour_of_day()]; }
  void StartDay();
  // Share of a day's traffic expected before minute-of-day `minute`.
  double TrafficElapsed(uint32_t minute_of_day) const;
  // Re-computes a plan's participation rate from its spend so far today.
  void Update(PlanId plan, SimMinute now, Money spent_today, Money daily_budget);
  double Rate(PlanId plan) const { return plan < rate_.size() ? rate_[plan] : 1.0; }

 private:
  std::array<double, 24> curve_{};  // learned share per hour (sums to 1 once learned)
  std::array<double, 24> today_{};
  bool learned_ = false;
  std::vector<double> rate_;
};

}  // namespace cf
