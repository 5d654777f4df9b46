// MPC pacer: model-predictive control of the bid multiplier alpha (bid = alpha x value).
// Every control step it (1) updates an exponentially weighted bid landscape from the step's
// auctions (prior: the primed history) and fits monotone spend(alpha)/value(alpha) curves by
// isotonic regression (strategy/bid_landscape.h); (2) forecasts the auctions left in the episode
// (strategy/traffic_forecast.h, or the caller's forecast); (3) solves the finite-horizon problem
// "max value over the remaining steps s.t. remaining spend <= budget left and total spend <=
// k x total value" for the alpha trajectory: with per-step curves of the same shape (scaled by
// traffic), the dual argument of strategy/dual_bid.h makes the optimal trajectory constant, so the
// problem reduces to the largest feasible alpha; (4) applies it for the next step only and
// re-plans after it. The realised value is calibrated against the engine's estimates (a ratio
// learned from won auctions), and the constraint keeps a safety margin that shrinks as the
// episode's remaining uncertainty does. Not thread-safe.
#pragma once

#include "strategy/bid_landscape.h"
#include "strategy/pacing_controller.h"
#include "strategy/traffic_forecast.h"

namespace cf {

struct MpcPacerOptions {
  double decay = 0.8;              // per-step weight kept by older observations
  double prior_auctions = 2000;    // weight of the primed history, in auctions
  double cpa_margin = 0.05;        // aim at (1 - margin) x the CPA/ROI limit early in the episode
  double final_cpa_margin = 0.02;  // ... shrinking to this margin at the end of the episode
  double budget_margin = 0.0;      // aim at (1 - margin) x the budget left
  double smoothing = 0.0;          // alpha_new = s x alpha_old + (1 - s) x solution (geometric)
  double max_step_change = 4.0;    // alpha changes at most by this factor per step
  int grid_points = 256;
};

class MpcPacer : public PacingController {
 public:
  explicit MpcPacer(MpcPacerOptions options = {}) : options_(options) {}
  std::string_view name() const override { return "mpc"; }
  void Prime(std::span<const AuctionSample> history, double auctions) override;
  void Start(const PacingGoal& goal, int steps) override;
  double Alpha() const override { return alpha_; }
  void Update(const PacingObservation& obs) override;
  // Keeps alpha within [alpha / factor, alpha x factor] of a known-good value (e.g. the previous
  // episode's, so that a new episode does not open at a prior-only plan far from it).
  void Anchor(double alpha, double factor);
  // Replaces the episode's budget (same units as the observations' spend) from the next plan on.
  void set_budget(double budget) { goal_.budget = budget; }

  // The most recent plan (for reports): forecast auctions left and the planned spend.
  double planned_spend() const { return planned_spend_; }
  double value_calibration() const { return calibration_; }

 private:
  double Plan(int step, int steps_left, double spent, double value, double auctions_left);

  MpcPacerOptions options_;
  BidLandscape prior_, landscape_;
  TrafficForecast forecast_;
  PacingGoal goal_;
  int steps_ = 0;
  double alpha_ = 0;
  double planned_spend_ = 0;
  double calibration_ = 1.0;
  double cal_pred_ = 0, cal_real_ = 0;  // estimated vs realised value of won auctions
  double last_value_ = 0;
  bool started_ = false;
};

}  // namespace cf
