// Interface: turns a scored candidate into a bid for one opportunity under its plan's terms.
#pragma once

#include "common/ad_plan.h"
#include "common/event.h"
#include "common/opportunity.h"

namespace cf {

class Bidder {
 public:
  virtual ~Bidder() = default;
  // Sets ad.bid, ad.per_mille and ad.ecpm from ad.p_ctr/p_cvr/value; ecpm <= 0 means "do not bid".
  virtual void Bid(const Opportunity& opp, const AdPlan& plan, ScoredAd& ad) const = 0;
  virtual void Observe(const Event& e) = 0;
};

}  // namespace cf
