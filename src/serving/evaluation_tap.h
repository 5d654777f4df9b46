// Interface for evaluation outside the engine: called once per auction with every scored
// candidate and the winners, so an evaluator that knows the world's truth (the simulation driver)
// can record expected clicks, purchases and value for every eligible ad and the price it would
// have paid, for hindsight optima. The engine never reads anything back from it.
// The candidates that entered the auction come first (winner indices point into them); after them
// come the ads that sat the auction out with an eCPM of 0 (a super plan whose alpha is 0 still
// had the opportunity, which a hindsight optimum must count).
#pragma once

#include <span>

#include "common/opportunity.h"
#include "serving/auction.h"

namespace cf {

class EvaluationTap {
 public:
  virtual ~EvaluationTap() = default;
  // Whether OnAuction needs the creative candidate `ad` would have shown (asking the selector
  // for every candidate of every auction is costly); kNoId is passed for the others.
  virtual bool WantsCreative(const ScoredAd& /*ad*/) const { return true; }
  // `creatives[i]` is the creative candidate i would have shown (kNoId where not wanted).
  virtual void OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                         std::span<const CreativeId> creatives,
                         std::span<const AuctionWinner> winners, double reserve_cpm) = 0;
};

}  // namespace cf
