#include "strategy/plan_bidder.h"

#include <algorithm>

namespace cf {

void PlanBidder::Bid(const Opportunity&, const AdPlan& plan, ScoredAd& ad) const {
  switch (plan.bid_type) {
    case BidType::kCpc:
      ad.bid = plan.bid;
      ad.per_mille = false;
      ad.ecpm = ad.bid.units() * ad.p_ctr * 1000.0;
      break;
    case BidType::kCpm:
      ad.bid = plan.bid;
      ad.per_mille = true;
      ad.ecpm = ad.bid.units();
      break;
    case BidType::kTargetRoi: {
      const double value_per_click = ad.p_ctr > 0 ? ad.value / ad.p_ctr : 0.0;
      ad.bid = Money::FromUnits(plan.target_roi > 0 ? value_per_click / plan.target_roi : 0.0);
      ad.per_mille = false;
      ad.ecpm = ad.bid.units() * ad.p_ctr * 1000.0;
      break;
    }
    case BidType::kAuto: {
      // bid = alpha x value per impression, charged per click: CPC = alpha x value / pCTR.
      double cpc = ad.p_ctr > 0 ? plan.autobid.alpha * ad.bid_value / ad.p_ctr : 0.0;
      if (plan.autobid.max_cpc > 0) cpc = std::min(cpc, plan.autobid.max_cpc);
      ad.bid = Money::FromUnits(cpc);
      ad.per_mille = false;
      ad.ecpm = ad.bid.units() * ad.p_ctr * 1000.0;
      break;
    }
  }
}

}  // namespace cf
