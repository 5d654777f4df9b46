#include "strategy/super_plan_pilot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace cf {

SuperPlanPilot::SuperPlanPilot(const SuperPlan& plan, PilotOptions options)
    : sp_(plan), options_(options), pacer_(options.mpc), rng_(options.explore_seed, "pilot") {
  alpha_ = plan.plan.autobid.alpha;
}

double SuperPlanPilot::CostRatio(double spent_total) const {
  // A prior of a tenth of the day's budget keeps single clicks (charged at once, while the
  // expected cost accrues per impression) from swinging the ratio early in the flight.
  const double prior = 0.1 * today_budget_ + 1e-9;
  return (flight_est_cost_ + prior) / (spent_total + prior);
}

std::string SuperPlanPilot::StartDay(uint32_t day, uint32_t days_left, double spent_total) {
  // Yesterday's auctions become the prior of today's landscape and traffic forecast.
  if (started_ && !day_samples_.empty()) pacer_.Prime(day_samples_, day_auctions_);
  day_samples_.clear();
  day_auctions_ = 0;
  started_ = true;
  const double left = std::max(0.0, sp_.goal.budget - spent_total);
  today_budget_ = left / std::max<uint32_t>(1, days_left);
  day_goal_ = sp_.goal;
  // The landscape prices impressions at their expected cost; clicks are charged for real. Convert
  // the day's budget with the flight's observed ratio (shrunk towards 1 early on).
  day_goal_.budget = today_budget_ * CostRatio(spent_total);
  est_spent_today_ = est_value_today_ = 0;
  const double m = options_.constraint_margin;
  if (day_goal_.constraint == PacingConstraint::kMinRoi) day_goal_.target *= 1 + m;
  if (day_goal_.constraint == PacingConstraint::kMaxCpa) day_goal_.target /= 1 + m;
  pacer_.Start(day_goal_, options_.steps_per_day);
  // Yesterday's bidding level is better evidence than a plan from the landscape alone: the new
  // day opens within a factor of yesterday's average alpha while it was bidding.
  if (day_alpha_steps_ > 0) {
    pacer_.Anchor(day_alpha_sum_ / day_alpha_steps_, options_.day_start_anchor);
  }
  day_alpha_sum_ = 0;
  day_alpha_steps_ = 0;
  alpha_ = pacer_.Alpha();
  const char* unit = day_goal_.constraint == PacingConstraint::kMaxCpa ? "CPA" : "ROI";
  return fmt::format("day {}: budget {:.2f} of {:.2f} left over {} days; aiming at {} {:.2f}", day,
                     today_budget_, left, days_left, unit, day_goal_.target);
}

void SuperPlanPilot::Retarget(double total_budget, double target) {
  sp_.goal.budget = total_budget;
  sp_.request.total_budget = total_budget;
  if (target <= 0) return;  // objectives without a target (profit) keep theirs
  if (sp_.goal.constraint != PacingConstraint::kBudgetOnly) sp_.goal.target = target;
  sp_.request.target = target;
}

double SuperPlanPilot::Step(const PilotStep& s, AdPlan& plan) {
  // Value calibration: the engine's value estimates can be biased (conversions follow the true
  // CVR, which differs by audience); a factor learned from today's real spend against today's
  // realised value, kept across days, scales the values the pacer sees. A prior of 5% of the
  // day's budget spent exactly on target keeps early noise small.
  if (std::isfinite(day_goal_.MaxCostPerValue()) && today_budget_ > 0) {
    const double k = day_goal_.MaxCostPerValue();
    const double c0 = 0.05 * today_budget_;
    const double err = std::log(k * (s.value_today + c0 / k) / (s.spent_today + c0));
    log_calibration_ += options_.calibration_gain * std::clamp(err, -1.0, 0.5);
    log_calibration_ = std::clamp(log_calibration_, std::log(0.25), std::log(1.25));
  }
  const double g = std::exp(log_calibration_);
  scaled_.assign(s.samples.begin(), s.samples.end());
  for (AuctionSample& a : scaled_) a.value *= g;
  day_samples_.insert(day_samples_.end(), scaled_.begin(), scaled_.end());
  day_auctions_ += s.auctions;
  PacingObservation obs;
  obs.step = s.step;
  obs.steps_left = std::max(0, s.steps_per_day - 1 - s.step);
  for (const AuctionSample& a : scaled_) {
    if (!a.won) continue;
    est_spent_today_ += a.cost;
    est_value_today_ += a.value;
    flight_est_cost_ += a.cost;
  }
  // Spend and value in the landscape's units (expected per impression won; values calibrated per
  // cell by the hourly re-split against realised value), so the ROI constraint compares like with
  // like. The budget is the real money left today, converted to those units with the flight's
  // observed ratio of expected cost to real spend: a day neither ends with money unspent because
  // expected and real cost drifted apart nor runs dry early.
  pacer_.set_budget(est_spent_today_ +
                    std::max(0.0, today_budget_ - s.spent_today) * CostRatio(s.spent_total));
  obs.spent = est_spent_today_;
  obs.value = est_value_today_;
  obs.auctions = s.auctions;
  obs.samples = scaled_;
  pacer_.Update(obs);
  double a = pacer_.Alpha();
  if (sp_.request.objective == Objective::kMaxProfit) a = std::min(a, 1.0);
  if (s.spent_today >= today_budget_) a = 0;  // today's money is spent: wait for tomorrow
  if (!std::isfinite(a) || a < 0) a = 0;
  alpha_ = a;
  plan.autobid.alpha = a;
  if (a > 0) {
    day_alpha_sum_ += a;
    ++day_alpha_steps_;
  }
  return a;
}

std::vector<std::string> SuperPlanPilot::Reallocate(const std::vector<CellDelivery>& cells,
                                                    AdPlan& plan) {
  std::vector<std::string> notes;
  if (cells.size() != plan.autobid.multipliers.size()) return notes;
  double pred = 0, real = 0;
  uint64_t conversions = 0;
  for (const CellDelivery& c : cells) {
    pred += c.predicted_value;
    real += c.realised_value;
    conversions += c.conversions;
  }
  if (pred <= 0 || real <= 0 || conversions == 0) return notes;
  // Value per conversion so far: pseudo-evidence is counted in conversions' worth of value.
  const double per_conversion = real / static_cast<double>(conversions);
  const double k_all = options_.global_prior_conversions * per_conversion;
  const double global = (real + k_all) / (pred + k_all);  // shrunk towards 1
  const double k = options_.cell_prior_conversions * per_conversion;
  double biggest = 0;
  size_t biggest_cell = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (plan.autobid.multipliers[i] == 0.0f) continue;  // a channel the merchant excluded
    const CellDelivery& c = cells[i];
    // The cell's realised / predicted value, shrunk towards the plan-wide ratio.
    double f = (c.realised_value + k * global) / (c.predicted_value + k);
    if (options_.thompson_cells) {
      const double n = static_cast<double>(c.conversions) + options_.cell_prior_conversions;
      f *= std::exp(rng_.Normal() / std::sqrt(n));
    }
    const float m =
        static_cast<float>(std::clamp(f, options_.min_multiplier, options_.max_multiplier));
    const double move = std::abs(std::log(m / plan.autobid.multipliers[i]));
    if (move > biggest) {
      biggest = move;
      biggest_cell = i;
    }
    plan.autobid.multipliers[i] = m;
  }
  if (biggest > 0.1) {
    const size_t prod = biggest_cell / (kNumChannels * kAudienceSegments);
    const auto ch = static_cast<Channel>((biggest_cell / kAudienceSegments) % kNumChannels);
    static constexpr const char* kSeg[] = {"in-market", "aware", "prospect"};
    notes.push_back(fmt::format(
        "re-split budget: product {} on {} ({} users) now bids x{:.2f} (realised value {:.2f} vs "
        "{:.2f} predicted)",
        plan.products[prod], ChannelName(ch), kSeg[biggest_cell % kAudienceSegments],
        plan.autobid.multipliers[biggest_cell], cells[biggest_cell].realised_value,
        cells[biggest_cell].predicted_value));
  }
  return notes;
}

}  // namespace cf
