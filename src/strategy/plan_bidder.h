// Baseline bidder: bids each plan's own terms. CPC: the plan's max CPC; CPM: its CPM price;
// target ROI: the value of a click by the engine's estimate divided by the target, so that the
// expected GMV / spend meets the target; auto (super plan): alpha x the objective's value per
// impression (ScoredAd::bid_value, set by the platform), per click, capped at the plan's max CPC.
// Thread-compatible (const Bid).
#pragma once

#include "strategy/bidder.h"

namespace cf {

class PlanBidder : public Bidder {
 public:
  void Bid(const Opportunity& opp, const AdPlan& plan, ScoredAd& ad) const override;
  void Observe(const Event&) override {}
};

}  // namespace cf
