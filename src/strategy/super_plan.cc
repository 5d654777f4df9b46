#include "strategy/super_plan.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <unordered_set>

namespace cf {

std::string_view ObjectiveName(Objective o) {
  switch (o) {
    case Objective::kMaxGmvRoi:
      return "gmv_roi";
    case Objective::kMaxConversionsCpa:
      return "conversions_cpa";
    case Objective::kMaxProfit:
      return "profit";
    case Objective::kBusinessEfficiency:
      return "business_efficiency";
  }
  return "?";
}

std::optional<Objective> ParseObjective(std::string_view name) {
  for (Objective o : {Objective::kMaxGmvRoi, Objective::kMaxConversionsCpa, Objective::kMaxProfit,
                      Objective::kBusinessEfficiency}) {
    if (ObjectiveName(o) == name) return o;
  }
  return std::nullopt;
}

int AudienceSegment(double category_share) {
  if (category_share >= 0.15) return 0;
  if (category_share > 0) return 1;
  return 2;
}

ValueWeights WeightsFor(const SuperPlanRequest& r) {
  switch (r.objective) {
    case Objective::kMaxGmvRoi:
      return ValueWeights{};
    case Objective::kMaxConversionsCpa:
      return ValueWeights{.gmv = 0, .conversion = 1};
    case Objective::kMaxProfit:
      return ValueWeights{.gmv = 0, .profit = 1};
    case Objective::kBusinessEfficiency:
      return r.weights;
  }
  return ValueWeights{};
}

std::string ValidateSuperPlan(const SuperPlanRequest& r, const Catalogue& catalogue) {
  if (!(r.total_budget > 0) || !std::isfinite(r.total_budget)) {
    return fmt::format("the total budget must be a positive amount (got {})", r.total_budget);
  }
  if (!(r.flight_days >= 1) || !std::isfinite(r.flight_days)) {
    return fmt::format("the flight must last at least one day (got {} days)", r.flight_days);
  }
  if (r.products.empty()) return "the plan needs at least one product";
  std::unordered_set<ProductId> seen;
  for (ProductId p : r.products) {
    if (p >= catalogue.products.size()) {
      return fmt::format("product {} is not in the catalogue ({} products)", p,
                         catalogue.products.size());
    }
    if (r.merchant != kNoId && catalogue.products[p].merchant != r.merchant) {
      return fmt::format("product {} is sold by merchant {}, not by this merchant ({})", p,
                         catalogue.products[p].merchant, r.merchant);
    }
    if (!seen.insert(p).second) return fmt::format("product {} is listed twice", p);
  }
  if (r.objective != Objective::kMaxProfit && (!(r.target > 0) || !std::isfinite(r.target))) {
    return fmt::format("the {} target must be positive (got {})",
                       r.objective == Objective::kMaxConversionsCpa ? "CPA" : "ROI", r.target);
  }
  if (r.objective == Objective::kBusinessEfficiency) {
    const ValueWeights& w = r.weights;
    for (double x : {w.gmv, w.profit, w.long_tail, w.ltv, w.conversion}) {
      if (!(x >= 0) || !std::isfinite(x)) return "business-efficiency weights must be >= 0";
    }
    if (w.gmv + w.profit + w.long_tail + w.ltv + w.conversion <= 0) {
      return "business-efficiency weights are all zero; give at least one a positive weight";
    }
  }
  if (r.channels.bits == 0) return "the plan targets no channel";
  return {};
}

SuperPlan CompileSuperPlan(const SuperPlanRequest& r, const Catalogue& catalogue,
                           const std::vector<ProductOutlook>& outlook) {
  if (std::string err = ValidateSuperPlan(r, catalogue); !err.empty()) {
    throw std::invalid_argument("super plan refused: " + err);
  }
  if (!outlook.empty() && outlook.size() != r.products.size()) {
    throw std::invalid_argument("super plan: the outlook must have one entry per product");
  }
  SuperPlan sp;
  sp.request = r;
  AdPlan& plan = sp.plan;
  plan.name = r.name.empty() ? "super plan" : r.name;
  plan.merchant = r.merchant != kNoId ? r.merchant : catalogue.products[r.products[0]].merchant;
  plan.products = r.products;
  plan.total_budget = Money::FromUnits(r.total_budget);
  plan.daily_budget = Money::Zero();  // the pilot paces the flight; the ledger caps the total
  plan.bid_type = BidType::kAuto;
  plan.channels = r.channels;
  plan.start_day = r.start_day;
  plan.end_day = r.start_day + static_cast<uint32_t>(std::ceil(r.flight_days));
  plan.autobid.weights = WeightsFor(r);

  // The pacer's goal, in the objective's value units.
  switch (r.objective) {
    case Objective::kMaxGmvRoi:
    case Objective::kBusinessEfficiency:
      sp.goal = {r.total_budget, PacingConstraint::kMinRoi, r.target};
      break;
    case Objective::kMaxConversionsCpa:
      sp.goal = {r.total_budget, PacingConstraint::kMaxCpa, r.target};
      break;
    case Objective::kMaxProfit:
      // Profit - spend is maximised by bidding the profit itself: value >= spend at the margin.
      sp.goal = {r.total_budget, PacingConstraint::kMinRoi, 1.0};
      break;
  }
  plan.autobid.alpha = sp.goal.MaxCostPerValue();
  if (!std::isfinite(plan.autobid.alpha)) plan.autobid.alpha = 1.0;

  // Initial split: each product by its expected value per day (uniform without an outlook), each
  // product's share over channels by its traffic there, segments by a fixed prior
  // (in-market 50%, aware 35%, prospect 15%). Multipliers start at 1: with bid = alpha x value the
  // dual solution already equalises marginal efficiency; the pilot corrects them from delivery.
  const size_t n = r.products.size();
  std::vector<double> weight(n, 1.0);
  if (!outlook.empty()) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) {
      const Product& p = catalogue.products[r.products[i]];
      weight[i] = outlook[i].impressions_per_day * outlook[i].ctr * outlook[i].cvr *
                  std::max(0.01, p.shelf_price.units());
      total += weight[i];
    }
    if (!(total > 0)) std::fill(weight.begin(), weight.end(), 1.0);
  }
  double wsum = 0;
  for (double w : weight) wsum += w;
  constexpr double kSegmentPrior[kAudienceSegments] = {0.5, 0.35, 0.15};
  int channels_on = 0;
  for (Channel c : kAllChannels) channels_on += r.channels.Has(c);
  sp.cells.resize(n * kNumChannels * kAudienceSegments);
  plan.autobid.multipliers.assign(sp.cells.size(), 1.0f);
  for (size_t i = 0; i < n; ++i) {
    double chan_total = 0;
    for (Channel c : kAllChannels) {
      if (r.channels.Has(c))
        chan_total += outlook.empty() ? 1.0 : outlook[i].channel_share[static_cast<int>(c)];
    }
    for (Channel c : kAllChannels) {
      double cshare = 0;
      if (r.channels.Has(c)) {
        cshare = outlook.empty() || chan_total <= 0
                     ? 1.0 / channels_on
                     : outlook[i].channel_share[static_cast<int>(c)] / chan_total;
      }
      for (int s = 0; s < kAudienceSegments; ++s) {
        const size_t k = CellIndex(i, c, s);
        Cell& cell = sp.cells[k];
        cell.product_index = i;
        cell.channel = c;
        cell.segment = s;
        cell.budget_share = weight[i] / wsum * cshare * kSegmentPrior[s];
        cell.multiplier = r.channels.Has(c) ? 1.0f : 0.0f;
        plan.autobid.multipliers[k] = cell.multiplier;
      }
    }
  }
  if (std::string err = ValidatePlan(plan, catalogue.products.size()); !err.empty()) {
    throw std::invalid_argument("super plan: " + err);
  }
  return sp;
}

}  // namespace cf
