#include "strategy/mpc_pacer.h"

#include <algorithm>
#include <cmath>

namespace cf {

void MpcPacer::Prime(std::span<const AuctionSample> history, double auctions) {
  if (!prior_.has_grid()) prior_.SetGridFrom(history, options_.grid_points);
  prior_.Add(history, auctions);
}

void MpcPacer::Start(const PacingGoal& goal, int steps) {
  if (started_) forecast_.Finish();
  started_ = true;
  goal_ = goal;
  steps_ = std::max(steps, 1);
  forecast_.Start(steps_);
  landscape_ = prior_;
  if (landscape_.auctions() > 0) {
    landscape_.Decay(options_.prior_auctions / landscape_.auctions());
  }
  cal_pred_ = cal_real_ = 0;
  calibration_ = 1.0;
  last_value_ = 0;
  alpha_ = 0;
  if (landscape_.has_grid() && landscape_.auctions() > 0) {
    landscape_.Fit();
    // Initial plan: the whole episode ahead (the goal's forecast, else the learned traffic profile,
    // else the history as one episode).
    double expected = goal.expected_auctions;
    if (expected < 0) expected = forecast_.Remaining(-1);
    if (!(expected > 0)) expected = prior_.auctions();
    alpha_ = Plan(-1, steps_, 0, 0, expected);
  }
  if (!(alpha_ > 0)) {
    alpha_ = goal.constraint == PacingConstraint::kBudgetOnly ? 1.0 : goal.MaxCostPerValue();
  }
}

void MpcPacer::Anchor(double alpha, double factor) {
  if (!(alpha > 0) || !(factor >= 1)) return;
  alpha_ = alpha_ > 0 ? std::clamp(alpha_, alpha / factor, alpha * factor) : alpha;
}

double MpcPacer::Plan(int step, int steps_left, double spent, double value, double auctions_left) {
  const double k_limit = goal_.MaxCostPerValue();
  // Margin shrinks with the share of the episode left (less uncertainty late).
  const double left_share = static_cast<double>(steps_left) / steps_;
  const double margin = options_.final_cpa_margin +
                        (options_.cpa_margin - options_.final_cpa_margin) * std::sqrt(left_share);
  const double k = k_limit * (1.0 - margin);
  const double budget_left =
      std::max(0.0, (goal_.budget - spent) * (1.0 - options_.budget_margin * left_share));
  (void)step;
  const double a = landscape_.SolveAlpha(auctions_left, budget_left, spent, value, k, calibration_);
  planned_spend_ = auctions_left * landscape_.SpendPerAuction(a);
  return a;
}

void MpcPacer::Update(const PacingObservation& obs) {
  forecast_.Observe(obs.step, obs.auctions);
  landscape_.Decay(options_.decay);
  landscape_.Add(obs.samples, obs.auctions);
  // Value calibration: realised value of the step against the estimate for the auctions won.
  double pred = 0;
  for (const AuctionSample& s : obs.samples) {
    if (s.won) pred += s.value;
  }
  const double real = obs.value - last_value_;
  last_value_ = obs.value;
  if (pred > 0) {
    cal_pred_ = cal_pred_ * options_.decay + pred;
    cal_real_ = cal_real_ * options_.decay + real;
    // Shrink towards 1 while evidence is thin.
    const double prior_weight = 0.1 * cal_pred_ + 1e-12;
    calibration_ = (cal_real_ + prior_weight) / (cal_pred_ + prior_weight);
  }
  if (obs.steps_left <= 0) return;
  landscape_.Fit();
  const double left = obs.auctions_left >= 0 ? obs.auctions_left : forecast_.Remaining(obs.step);
  double a = Plan(obs.step, obs.steps_left, obs.spent, obs.value, left);
  if (!(a > 0)) a = alpha_ / options_.max_step_change;
  if (alpha_ > 0) {
    a = std::clamp(a, alpha_ / options_.max_step_change, alpha_ * options_.max_step_change);
    a = std::exp(options_.smoothing * std::log(alpha_) + (1 - options_.smoothing) * std::log(a));
  }
  alpha_ = a;
}

}  // namespace cf
