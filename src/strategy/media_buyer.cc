#include "strategy/media_buyer.h"

#include <fmt/format.h>

#include <algorithm>

namespace cf {

MediaBuyer::Window MediaBuyer::Recent(size_t skip, size_t min_hours, size_t max_hours) const {
  Window w;
  const size_t n = hours_.size();
  for (size_t i = skip; i < n && w.hours < max_hours; ++i) {
    if (w.hours >= min_hours && w.purchases >= options_.min_purchases_to_judge) break;
    const Hour& h = hours_[n - 1 - i];
    w.spend += h.spend, w.gmv += h.gmv, w.purchases += h.purchases, ++w.hours;
  }
  return w;
}

std::vector<std::string> MediaBuyer::OnHour(const PlanHourReport& r, AdPlan& plan) {
  std::vector<std::string> actions;
  hours_.push_back({r.spend.units(), r.gmv.units(), r.purchases});
  if (hours_.size() > 72) hours_.pop_front();
  if (changed_once_ && r.flight_hour < last_change_hour_ + 1) return actions;  // at most hourly
  const double goal = options_.goal_roi;
  const uint64_t enough = options_.min_purchases_to_judge;
  const double min_spend = options_.min_hourly_spend_share * r.daily_budget.units();
  const Window recent = Recent(0, 6, 24);  // "the last hours' ROI", widened until it is evidence
  if (recent.purchases < enough) {
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
  } else if (r.spend.units() >= min_spend) {  // this hour delivered: fresh evidence to act on
    const Window last = Recent(0, 2, 6);      // the last two hours, wider if they are thin
    const Window previous_day = Recent(last.hours, 24, 24);
    const double before = plan.target_roi;
    std::string why;
    if (last.purchases >= enough && previous_day.hours == 24 && previous_day.purchases >= enough &&
        last.roi() < 0.7 * previous_day.roi()) {
      plan.target_roi *= 1.10;
      why =
          fmt::format("ROI fell {:.0f}% against the previous day ({:.2f} -> {:.2f})",
                      100 * (1 - last.roi() / previous_day.roi()), previous_day.roi(), last.roi());
    } else if (recent.roi() < goal * 0.95) {
      plan.target_roi *= recent.roi() < goal * 0.8 ? 1.08 : 1.05;
      why = fmt::format("ROI {:.2f} over the last {} hours ({} purchases) is below the goal {:.2f}",
                        recent.roi(), recent.hours, recent.purchases, goal);
    } else if (recent.roi() > goal * 1.1 &&
               r.spent_today.units() < 0.85 * r.day_elapsed * r.daily_budget.units()) {
      plan.target_roi *= 0.95;
      why = fmt::format(
          "ROI {:.2f} over the last {} hours is above the goal {:.2f} and spend "
          "lags the budget",
          recent.roi(), recent.hours, goal);
    } else if (r.flight_hour >= static_cast<uint32_t>(options_.explore_hours) &&
               plan.target_roi < goal * 0.98 && recent.roi() < goal * 1.05 &&
               r.spent_today.units() >= 0.85 * r.day_elapsed * r.daily_budget.units()) {
      // The budget is being spent anyway: trade some volume for efficiency. While spend lags,
      // a target below the goal that delivers the goal's ROI is left alone (second prices make
      // the realised ROI higher than the target).
      plan.target_roi *= 1.05;
      why = "exploration is over and spend is on pace: moving the ROI target towards the goal";
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
