// Interface: the engine's estimate of how a user will respond to an ad (pCTR, pCVR, order value).
// Implementations learn only from observed events. Not thread-safe unless stated.
#pragma once

#include "common/event.h"
#include "common/opportunity.h"

namespace cf {

class ResponsePredictor {
 public:
  virtual ~ResponsePredictor() = default;
  // Fills p_ctr, p_cvr and value (expected GMV per impression) of `ad`.
  virtual void Predict(const Opportunity& opp, ScoredAd& ad) const = 0;
  virtual void Observe(const Event& e) = 0;
};

}  // namespace cf
