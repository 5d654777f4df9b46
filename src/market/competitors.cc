#include "market/competitors.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/random.h"

namespace cf {

std::vector<AdPlan> BuildCompetitorPlans(const WorldSpec& spec, MerchantId exclude,
                                         PlanId first_plan_id) {
  const CompetitorConfig& cc = spec.config().competitors;
  const ResponseConfig& rc = spec.config().response;
  const Catalogue& cat = spec.catalogue();
  RandomStream rng(spec.seed(), "market.competitors");
  std::vector<AdPlan> plans;
  PlanId next = first_plan_id;
  for (const Merchant& m : cat.merchants) {
    if (m.id == exclude || m.products.empty()) continue;
    // Promote the merchant's most popular products.
    std::vector<ProductId> ps = m.products;
    std::sort(ps.begin(), ps.end(), [&](ProductId a, ProductId b) {
      return spec.products()[a].popularity > spec.products()[b].popularity;
    });
    for (int k = 0; k < cc.plans_per_merchant; ++k) {
      AdPlan plan;
      plan.id = next++;
      plan.merchant = m.id;
      plan.name = fmt::format("{} plan {}", m.name, k + 1);
      plan.creative_pool = false;  // the other merchants advertise one plain video per product
      for (int i = 0; i < cc.products_per_plan; ++i) {
        const size_t idx = static_cast<size_t>(k) * cc.products_per_plan + i;
        if (idx < ps.size()) plan.products.push_back(ps[idx]);
      }
      if (plan.products.empty()) break;
      double price = 0;
      for (ProductId p : plan.products) price += cat.product(p).shelf_price.units();
      price /= plan.products.size();
      // A merchant's guess: conversion from the price anchors, times (1 + extra quantity).
      const double cvr_guess =
          std::clamp(BaseConversion(rc, price), 0.005, 0.3) * rng.LogNormal(0, 0.3);
      const double target = rng.Uniform(cc.target_roi_low, cc.target_roi_high);
      plan.bid_type = BidType::kCpc;
      plan.bid = Money::FromUnits(std::max(0.01, cvr_guess * price / target));
      plan.daily_budget = Money::FromUnits(rng.Uniform(cc.daily_budget_low, cc.daily_budget_high));
      plan.total_budget = plan.daily_budget.CheckedMul(spec.days());
      plan.end_day = 0;
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

}  // namespace cf
