// An ad opportunity as the platform sees it: one ad slot in one user's session. Only observable
// facts: who, where, when, the query text id for search. Plain data.
#pragma once

#include <cstdint>

#include "common/channel.h"
#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"

namespace cf {

struct Opportunity {
  uint64_t key = 0;  // unique per slot within a run (session id * 64 + slot)
  SimMinute minute = 0;
  UserId user = kNoId;
  Channel channel = Channel::kFeed;
  uint8_t position = 0;   // slot index within the session
  QueryId query = kNoId;  // search sessions: the query text id in the event log
};

// An ad that may be shown: a plan promoting one of its products.
struct AdCandidate {
  PlanId plan = kNoId;
  ProductId product = kNoId;
};

// A candidate after scoring and bidding.
struct ScoredAd {
  AdCandidate ad;
  double p_ctr = 0;  // engine's estimate
  double p_cvr = 0;  // engine's estimate (purchase per click)
  double value = 0;  // expected GMV per impression by the engine's estimate, currency units
  Money bid;         // per click (CPC, target-ROI) or per mille (CPM)
  bool per_mille = false;
  double ecpm = 0;  // ranking score: expected price per 1,000 impressions, currency units
  // kAuto plans only: the objective's value per impression by the engine's estimate, the value
  // the bid multiplies (objective value x cell multiplier), and the cell (AutoBid::multipliers).
  double objective_value = 0;
  double bid_value = 0;
  uint32_t cell = 0;
};

}  // namespace cf
