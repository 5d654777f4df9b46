// Super plan compiler (the seed's "Qiance"): the merchant gives a total budget, a flight, one
// objective and the products; the compiler validates them and produces a plan over cells
// (product x channel x audience segment) with an initial budget split and bid multipliers, as a
// kAuto AdPlan that the platform executes and the pilot (strategy/super_plan_pilot.h) steers.
// Bad input is refused whole with a message saying what to change; nothing partial is returned.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ad_plan.h"
#include "common/catalogue.h"
#include "strategy/pacing_controller.h"

namespace cf {

enum class Objective {
  kMaxGmvRoi,           // max GMV subject to ROI (GMV / spend) >= target (the default)
  kMaxConversionsCpa,   // max conversions subject to CPA (spend / conversions) <= target
  kMaxProfit,           // max gross profit minus spend (no target)
  kBusinessEfficiency,  // max weighted value (GMV, profit, long tail, LTV) s.t. value / spend >=
                        // target
};
std::string_view ObjectiveName(Objective o);
// "gmv_roi", "conversions_cpa", "profit", "business_efficiency"; nullopt if unknown.
std::optional<Objective> ParseObjective(std::string_view name);

struct SuperPlanRequest {
  std::string name;
  MerchantId merchant = kNoId;
  std::vector<ProductId> products;
  double total_budget = 0;  // currency units, over the flight
  double flight_days = 0;   // at least 1
  uint32_t start_day = 0;
  Objective objective = Objective::kMaxGmvRoi;
  double target = 2.0;   // ROI for kMaxGmvRoi / kBusinessEfficiency, CPA for kMaxConversionsCpa
  ValueWeights weights;  // kBusinessEfficiency only (others use their own)
  ChannelSet channels = ChannelSet::All();
};

// What the engine expects of a product before the flight (from observed history); optional.
struct ProductOutlook {
  double impressions_per_day = 0;                    // ad opportunities it is eligible for
  double ctr = 0, cvr = 0;                           // observed rates
  std::array<double, kNumChannels> channel_share{};  // of its opportunities
};

struct Cell {
  size_t product_index = 0;  // into the plan's products
  Channel channel = Channel::kFeed;
  int segment = 0;  // 0 in-market, 1 aware, 2 prospect (AudienceSegment)
  double budget_share = 0;
  float multiplier = 1;
};

struct SuperPlan {
  SuperPlanRequest request;
  AdPlan plan;              // kAuto, alpha at its initial value, multipliers per cell
  std::vector<Cell> cells;  // in AdPlan cell order
  PacingGoal goal;          // flight-level goal for the pacer (value in the objective's units)
};

// The cell index used by AutoBid::multipliers.
inline size_t CellIndex(size_t product_index, Channel c, int segment) {
  return (product_index * kNumChannels + static_cast<size_t>(c)) * kAudienceSegments +
         static_cast<size_t>(segment);
}

// Observed segment of a user for a product category: in-market (a large share of the user's
// observed engagement is in the category), aware (some), prospect (none).
int AudienceSegment(double category_share);

// The value weights an objective bids on (kBusinessEfficiency: the request's weights).
ValueWeights WeightsFor(const SuperPlanRequest& r);

// Returns an error message, empty if the request is valid.
std::string ValidateSuperPlan(const SuperPlanRequest& r, const Catalogue& catalogue);

// Compiles a valid request (throws std::invalid_argument with ValidateSuperPlan's message
// otherwise). `outlook`, if not empty, has one entry per requested product.
SuperPlan CompileSuperPlan(const SuperPlanRequest& r, const Catalogue& catalogue,
                           const std::vector<ProductOutlook>& outlook = {});

}  // namespace cf
