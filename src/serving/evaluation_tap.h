// Interface for evaluation outside the engine: called once per auction with every scored
// candidate and the winners, so an evaluator that knows the world's truth (the simulation driver)
// can record expected clicks, purchases and value for every eligible ad and the price it would
// have paid, for hindsight optima. The engine never reads anything back from it.
#pragma once

#include <span>

#include "common/opportunity.h"
#include "serving/auction.h"

namespace cf {

class EvaluationTap {
 public:
  virtual ~EvaluationTap() = default;
  // `creatives[i]` is the creative candidate i would have shown.
  virtual void OnAuction(const Opportunity& opp, std::span<const ScoredAd> candidates,
                         std::span<const CreativeId> creatives,
                         std::span<const AuctionWinner> winners, double reserve_cpm) = 0;
};

}  // namespace cf
