#include "strategy/media_buyer.h"

#include <fmt/format.h>

#include <algorithm>

namespace cf {

double MediaBuyer::Roi(const std::deque<Hour>& h, size_t from, size_t to) {
  double s = 0, g = 0;
  for (size_t i = from; i < to && i < h.size(); ++i) s += h[i].spend, g += h[i].gmv;
  return s > 0 ? g / s : -1.0;
}

std::vector<std::string> MediaBuyer::OnHour(const PlanHourReport& r, AdPlan& plan) {
  std::vector<std::string> actions;
  hours_.push_back({r.spend.units(), r.gmv.units()});
  if (hours_.size() > 48) hours_.pop_front();
  const size_t n = hours_.size();
  if (changed_once_ && r.flight_hour < last_change_hour_ + 1) return actions;  // at most hourly
  const double goal = options_.goal_roi;
  const double min_spend = options_.min_hourly_spend_share * r.daily_budget.units();
  double window_spend = 0;
  for (size_t i = n >= 6 ? n - 6 : 0; i < n; ++i) window_spend += hours_[i].spend;
  if (window_spend < 3 * min_spend) {
    // Too little delivery to judge ROI: make sure the plan keeps learning.
    if (r.day_elapsed > 0.25 &&
        r.spent_today.units() < 0.5 * r.day_elapsed * r.daily_budget.units() &&
        plan.target_roi > 0.6 * goal) {
      const double before = plan.target_roi;
      plan.target_roi *= 0.92;
      actions.push_back(fmt::format(
          "Spend is behind the daily budget ({} of {}); lowered the ROI "
          "target {:.2f} -> {:.2f} to keep the plan learning",
          r.spent_today.ToString(), r.daily_budget.ToString(), before, plan.target_roi));
    }
  } else {
    const double roi6 = Roi(hours_, n >= 6 ? n - 6 : 0, n);
    const double roi2 = Roi(hours_, n >= 2 ? n - 2 : 0, n);
    const double roi_prev = n >= 26 ? Roi(hours_, n - 26, n - 2) : -1.0;
    const double before = plan.target_roi;
    std::string why;
    if (roi_prev > 0 && roi2 >= 0 && roi2 < 0.7 * roi_prev && window_spend > 6 * min_spend) {
      plan.target_roi *= 1.10;
      why = fmt::format("ROI fell {:.0f}% against the previous day ({:.2f} -> {:.2f})",
                        100 * (1 - roi2 / roi_prev), roi_prev, roi2);
    } else if (roi6 < goal * 0.95) {
      plan.target_roi *= roi6 < goal * 0.8 ? 1.08 : 1.05;
      why = fmt::format("ROI {:.2f} over the last 6 hours is below the goal {:.2f}", roi6, goal);
    } else if (roi6 > goal * 1.1 &&
               r.spent_today.units() < 0.85 * r.day_elapsed * r.daily_budget.units()) {
      plan.target_roi *= 0.95;
      why =
          fmt::format("ROI {:.2f} is above the goal {:.2f} and spend lags the budget", roi6, goal);
    } else if (r.flight_hour >= static_cast<uint32_t>(options_.explore_hours) &&
               plan.target_roi < goal * 0.98 && roi6 < goal * 1.05) {
      plan.target_roi *= 1.05;
      why = "exploration is over: moving the ROI target towards the goal";
    }
    plan.target_roi = std::clamp(plan.target_roi, 0.5 * goal, 2.0 * goal);
    if (plan.target_roi != before) {
      actions.push_back(
          fmt::format("{}; ROI target {:.2f} -> {:.2f}", why, before, plan.target_roi));
    }
  }
  if (!actions.empty()) {
    last_change_hour_ = r.flight_hour;
    changed_once_ = true;
  }
  return actions;
}

}  // namespace cf

namespace cf {

std::vector<std::string> MediaBuyer::OnDay(const std::vector<ProductReport>& products,
                                           AdPlan& plan) {
  std::vector<std::string> actions;
  if (initial_products_ == 0) initial_products_ = plan.products.size();
  const size_t keep_at_least = (initial_products_ + 1) / 2;
  // Worst first, so that the floor keeps the better ones.
  std::vector<ProductReport> losers;
  for (const ProductReport& r : products) {
    if (r.clicks < options_.min_clicks_to_judge || r.spend.micros() <= 0) continue;
    if (r.gmv.units() / r.spend.units() < 0.5 * options_.goal_roi) losers.push_back(r);
  }
  std::sort(losers.begin(), losers.end(), [](const ProductReport& a, const ProductReport& b) {
    return a.gmv.units() / a.spend.units() < b.gmv.units() / b.spend.units();
  });
  for (const ProductReport& r : losers) {
    if (plan.products.size() <= keep_at_least) break;
    auto it = std::find(plan.products.begin(), plan.products.end(), r.product);
    if (it == plan.products.end()) continue;
    plan.products.erase(it);
    actions.push_back(
        fmt::format("Paused product {}: ROI {:.2f} after {} clicks (spend {}, GMV {}) "
                    "is below half the goal {:.2f}",
                    r.product, r.gmv.units() / r.spend.units(), r.clicks, r.spend.ToString(),
                    r.gmv.ToString(), options_.goal_roi));
  }
  return actions;
}

}  // namespace cf
