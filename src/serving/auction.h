// Generalised second-price (GSP) auction on eCPM with a reserve price.
// Promises: winners are the top `slots` ads by eCPM that clear the reserve; ties are broken by the
// lower index in the input (deterministic); each winner pays the smallest amount that keeps its
// rank: the next ad's eCPM (or the reserve, whichever is higher), converted to its billing unit
// (per click: divided by its pCTR; per mille: as is) and never more than its own bid.
// Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "common/money.h"
#include "common/opportunity.h"

namespace cf {

struct AuctionWinner {
  size_t index = 0;  // into the input
  Money price;       // per click or per mille, as the winner's billing unit
  double next_ecpm = 0;
};

// `reserve_cpm` is in currency units per 1,000 impressions.
std::vector<AuctionWinner> RunGsp(std::span<const ScoredAd> ads, size_t slots, double reserve_cpm);

}  // namespace cf
