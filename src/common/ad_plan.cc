#include "common/ad_plan.h"

#include <fmt/format.h>

namespace cf {

std::string_view BidTypeName(BidType t) {
  switch (t) {
    case BidType::kCpc:
      return "cpc";
    case BidType::kCpm:
      return "cpm";
    case BidType::kTargetRoi:
      return "target_roi";
    case BidType::kAuto:
      return "auto";
  }
  return "?";
}

std::string_view PlanStatusName(PlanStatus s) {
  switch (s) {
    case PlanStatus::kActive:
      return "active";
    case PlanStatus::kPaused:
      return "paused";
    case PlanStatus::kBudgetExhausted:
      return "budget_exhausted";
    case PlanStatus::kEnded:
      return "ended";
  }
  return "?";
}

std::string ValidatePlan(const AdPlan& plan, size_t num_products) {
  if (plan.products.empty())
    return fmt::format("plan '{}' has no products; add at least one", plan.name);
  for (ProductId p : plan.products) {
    if (p >= num_products) {
      return fmt::format("plan '{}' names product {} which is not in the catalogue ({} products)",
                         plan.name, p, num_products);
    }
  }
  if (plan.total_budget.micros() <= 0) {
    return fmt::format("plan '{}' has a total budget of {}; it must be positive", plan.name,
                       plan.total_budget.ToString());
  }
  if (plan.daily_budget.micros() < 0) {
    return fmt::format("plan '{}' has a negative daily budget", plan.name);
  }
  if (plan.bid_type == BidType::kTargetRoi) {
    if (!(plan.target_roi > 0)) {
      return fmt::format("plan '{}' bids for a target ROI but its target is {}; set it above 0",
                         plan.name, plan.target_roi);
    }
  } else if (plan.bid_type == BidType::kAuto) {
    const AutoBid& a = plan.autobid;
    if (!(a.alpha >= 0)) {
      return fmt::format("plan '{}' has an autobid multiplier of {}; it must be >= 0", plan.name,
                         a.alpha);
    }
    const size_t cells = plan.products.size() * kNumChannels * kAudienceSegments;
    if (!a.multipliers.empty() && a.multipliers.size() != cells) {
      return fmt::format(
          "plan '{}' has {} cell multipliers; expected {} (products x channels x "
          "segments) or none",
          plan.name, a.multipliers.size(), cells);
    }
    for (float m : a.multipliers) {
      if (!(m >= 0)) return fmt::format("plan '{}' has a negative cell multiplier", plan.name);
    }
  } else if (plan.bid.micros() <= 0) {
    return fmt::format("plan '{}' has a {} bid of {}; it must be positive", plan.name,
                       BidTypeName(plan.bid_type), plan.bid.ToString());
  }
  if (plan.channels.bits == 0) return fmt::format("plan '{}' targets no channel", plan.name);
  if (plan.end_day != 0 && plan.end_day <= plan.start_day) {
    return fmt::format("plan '{}' ends (day {}) before it starts (day {})", plan.name, plan.end_day,
                       plan.start_day);
  }
  return {};
}

}  // namespace cf
