#include "strategy/even_pacer.h"

#include <algorithm>

namespace cf {

void EvenPacer::StartDay() {
  double total = 0;
  for (double c : today_) total += c;
  if (total > 0) {
    for (int h = 0; h < 24; ++h) {
      const double share = today_[h] / total;
      curve_[h] = learned_ ? 0.7 * curve_[h] + 0.3 * share : share;
    }
    learned_ = true;
  }
  today_.fill(0);
}

double EvenPacer::TrafficElapsed(uint32_t minute_of_day) const {
  const uint32_t hour = minute_of_day / 60;
  const double within = (minute_of_day % 60) / 60.0;
  if (!learned_) return minute_of_day / static_cast<double>(kMinutesPerDay);
  double done = 0;
  for (uint32_t h = 0; h < hour; ++h) done += curve_[h];
  return std::min(1.0, done + within * curve_[hour]);
}

void EvenPacer::Update(PlanId plan, SimMinute now, Money spent_today, Money daily_budget) {
  if (plan >= rate_.size()) rate_.resize(plan + 1, 1.0);
  double& r = rate_[plan];
  if (daily_budget.micros() <= 0) {
    r = 1.0;
    return;
  }
  const double allowed = std::min(1.0, TrafficElapsed(SimTime{now}.minute_of_day()) + 0.03);
  const double used = static_cast<double>(spent_today.micros()) / daily_budget.micros();
  r = used > allowed ? std::max(0.02, r * 0.8) : std::min(1.0, r / 0.8);
}

}  // namespace cf
