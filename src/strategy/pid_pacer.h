// Baseline: PID pacing. The error is the relative gap between planned and actual cumulative spend
// (plan: budget spread evenly over the steps, or over the given traffic forecast); alpha is
// multiplied by exp(kp e + ki sum e + kd de). With a CPA/ROI constraint a second PID on the
// realised cost per value caps alpha (the smaller of the two multipliers wins), as in the
// AuctionNet PID baseline. Not thread-safe.
#pragma once

#include "strategy/pacing_controller.h"

namespace cf {

struct PidPacerOptions {
  double initial_alpha = 0;  // <= 0: the constraint's cost per value (or 1)
  double kp = 0.6, ki = 0.05, kd = 0.1;
  double k_cpa = 0.8;  // gain of the CPA correction
  double min_alpha = 1e-6, max_alpha = 1e9;
};

class PidPacer : public PacingController {
 public:
  explicit PidPacer(PidPacerOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "pid"; }
  void Start(const PacingGoal& goal, int steps) override;
  double Alpha() const override;
  void Update(const PacingObservation& obs) override;

 private:
  PidPacerOptions options_;
  PacingGoal goal_;
  int steps_ = 1;
  double pace_alpha_ = 1.0, cpa_alpha_ = 0;
  double integral_ = 0, last_error_ = 0;
  double auctions_seen_ = 0;
};

}  // namespace cf
