// Baseline: a constant bid multiplier. With a CPA/ROI constraint and no alpha given it bids the
// constraint itself (bid = target CPA x pConv, or value / target ROI), the textbook "bid your
// target" rule; otherwise the alpha given. Ignores feedback. Not thread-safe.
#pragma once

#include "strategy/pacing_controller.h"

namespace cf {

class FixedAlphaPacer : public PacingController {
 public:
  // alpha <= 0: use the goal's max cost per value (1 without a constraint).
  explicit FixedAlphaPacer(double alpha = 0) : configured_(alpha) {}
  std::string_view name() const override { return "fixed_alpha"; }
  void Start(const PacingGoal& goal, int steps) override;
  double Alpha() const override { return alpha_; }
  void Update(const PacingObservation&) override {}

 private:
  double configured_;
  double alpha_ = 1.0;
};

}  // namespace cf
