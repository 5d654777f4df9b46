// Ad plans (广告计划): a merchant's unit of delivery. Promises: plain data, validated by
// ValidatePlan; budgets are hard limits in integer money (the serving ledger enforces them).
#pragma once

#include <string>
#include <vector>

#include "common/channel.h"
#include "common/ids.h"
#include "common/money.h"

namespace cf {

enum class BidType : uint8_t {
  kCpc = 0,        // pay per click; `bid` is the max price per click
  kCpm = 1,        // pay per 1,000 impressions; `bid` is the price per mille
  kTargetRoi = 2,  // the platform bids for the plan to reach `target_roi` (GMV / spend)
  kAuto = 3,       // super plan: bid = alpha x cell multiplier x the objective's value (AutoBid)
};
std::string_view BidTypeName(BidType t);

enum class PlanStatus : uint8_t { kActive = 0, kPaused = 1, kBudgetExhausted = 2, kEnded = 3 };
std::string_view PlanStatusName(PlanStatus s);

// What one conversion is worth to the merchant, as a weighted sum (the super plan's objective):
// w_gmv x price + w_profit x (price - unit cost) + w_long_tail x price x [product sells little]
// + w_ltv x expected repurchase value + w_conversion x 1.
struct ValueWeights {
  double gmv = 1, profit = 0, long_tail = 0, ltv = 0, conversion = 0;
};

// Bidding state of a kAuto plan. Cells are (product index in the plan, channel, audience
// segment), flattened as (i * kNumChannels + channel) * kAudienceSegments + segment.
inline constexpr int kAudienceSegments = 3;  // in-market, aware, prospect (observed affinity)
struct AutoBid {
  double alpha = 0;                // bid multiplier set by the pacer
  std::vector<float> multipliers;  // per cell; empty = all 1; 0 = cell off
  ValueWeights weights;
  double max_cpc = 0;  // hard cap per click in currency units; 0 = none
};

struct AdPlan {
  PlanId id = kNoId;
  MerchantId merchant = kNoId;
  std::string name;
  std::vector<ProductId> products;
  Money total_budget;  // over the whole flight
  Money daily_budget;  // per simulated day; zero = no daily cap beyond the total
  BidType bid_type = BidType::kCpc;
  Money bid;                // CPC price or CPM price, depending on bid_type
  double target_roi = 0.0;  // for kTargetRoi
  AutoBid autobid;          // for kAuto
  ChannelSet channels = ChannelSet::All();
  PlanStatus status = PlanStatus::kActive;
  uint32_t start_day = 0;
  uint32_t end_day = 0;  // exclusive; 0 = open-ended
  // true: the platform serves the plan's products from a pool of creative variants (its creative
  // selector: the bandit by default); false: one plain creative per product, as the market's
  // other merchants advertise (they do not use the system; the market is calibrated so).
  bool creative_pool = true;
};

// Returns an empty string when the plan is valid, else what is wrong and how to fix it.
std::string ValidatePlan(const AdPlan& plan, size_t num_products);

}  // namespace cf
