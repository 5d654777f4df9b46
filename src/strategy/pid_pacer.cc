#include "strategy/pid_pacer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cf {

void PidPacer::Start(const PacingGoal& goal, int steps) {
  goal_ = goal;
  steps_ = std::max(steps, 1);
  const double k = goal.MaxCostPerValue();
  pace_alpha_ = options_.initial_alpha > 0 ? options_.initial_alpha : (std::isfinite(k) ? k : 1.0);
  cpa_alpha_ = std::isfinite(k) ? std::max(k, pace_alpha_) : 0;
  integral_ = last_error_ = 0;
  auctions_seen_ = 0;
}

double PidPacer::Alpha() const {
  return cpa_alpha_ > 0 ? std::min(pace_alpha_, cpa_alpha_) : pace_alpha_;
}

void PidPacer::Update(const PacingObservation& obs) {
  auctions_seen_ += obs.auctions;
  // Planned share of the budget spent by now: by traffic when a forecast is given, else by time.
  double share = static_cast<double>(obs.step + 1) / steps_;
  if (obs.auctions_left >= 0 && auctions_seen_ + obs.auctions_left > 0) {
    share = auctions_seen_ / (auctions_seen_ + obs.auctions_left);
  }
  const double planned = goal_.budget * share;
  const double error = planned > 0 ? (planned - obs.spent) / planned : 0;
  integral_ = std::clamp(integral_ + error, -5.0, 5.0);
  const double u =
      options_.kp * error + options_.ki * integral_ + options_.kd * (error - last_error_);
  last_error_ = error;
  pace_alpha_ = std::clamp(pace_alpha_ * std::exp(std::clamp(u, -1.0, 1.0)), options_.min_alpha,
                           options_.max_alpha);
  const double k = goal_.MaxCostPerValue();
  if (std::isfinite(k) && obs.value > 0) {
    const double cpv = obs.spent / obs.value;
    const double e = (k - cpv) / k;  // > 0: room under the limit
    cpa_alpha_ = std::clamp(cpa_alpha_ * std::exp(std::clamp(options_.k_cpa * e, -1.0, 0.5)),
                            options_.min_alpha, options_.max_alpha);
    // Never let the cap run far above the pacing multiplier (it would stop acting).
    cpa_alpha_ = std::min(cpa_alpha_, 2 * std::max(pace_alpha_, k));
  }
}

}  // namespace cf
