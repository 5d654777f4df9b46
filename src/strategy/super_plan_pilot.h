// The super plan's pilot: steers a kAuto plan through its flight. Each simulated day is one
// pacing episode of the MPC pacer (strategy/mpc_pacer.h) with the day's share of the remaining
// budget (unspent money rolls over) and the objective's constraint tightened by a safety margin,
// so that the constraint holds day by day and not only over the flight. Every control step
// (default 5 simulated minutes) it feeds the pacer the step's auctions (the plan's bid landscape
// as the platform reports it) and sets alpha; every hour it re-splits the budget across cells
// (product x channel x audience segment) by correcting each cell's multiplier with the ratio of
// its realised to its predicted value (shrunk towards the plan-wide ratio, itself shrunk towards 1
// while evidence is thin): with
// bid = alpha x multiplier x value the money flows where the marginal value per cost is highest.
// The pacer plans against the real money left today (converted to the landscape's units), and a
// day opens within a factor of yesterday's average alpha. Observes only what the platform
// reports. Not thread-safe.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/ad_plan.h"
#include "common/random.h"
#include "strategy/mpc_pacer.h"
#include "strategy/super_plan.h"

namespace cf {

// Delivery of one cell as the platform observed it (cumulative over the flight).
struct CellDelivery {
  double spend = 0;
  double predicted_value = 0;  // the engine's value estimate of its clicks (pCVR x value, summed)
  double realised_value = 0;   // value of the conversions that followed (objective's units)
  uint64_t impressions = 0, conversions = 0;
};

struct PilotStep {
  uint32_t day = 0;        // day of the flight, 0-based
  uint32_t days_left = 0;  // including this day
  int step = 0;            // index in the day of the step that just ended
  int steps_per_day = 288;
  double spent_total = 0, spent_today = 0;
  double value_today = 0;  // realised value (objective's units) today
  double auctions = 0;     // auctions the plan took part in during the step
  std::span<const AuctionSample> samples;
};

struct PilotOptions {
  double calibration_gain = 0.08;      // log change of the value calibration per step per log error
  int steps_per_day = 288;             // 5-minute control steps
  double constraint_margin = 0.1;      // aim at target x (1 + margin) for ROI (CPA / (1 + margin))
  double cell_prior_conversions = 30;  // shrinkage of cell corrections, in average conversions
  double global_prior_conversions = 20;  // shrinkage of the plan-wide correction
  double min_multiplier = 0.2, max_multiplier = 3.0;
  double day_start_anchor = 1.5;  // a day opens within this factor of yesterday's average alpha
  // Exploration (issue 3, item 4): each hourly re-split draws every cell's multiplier from the
  // posterior of its realised / predicted value ratio (Thompson sampling: log-normal around the
  // shrunk estimate, spread 1 / sqrt(conversions behind it + the prior's)) instead of using its
  // mean, so cells with little evidence keep being tried. Off by default: measured not to pay
  // for its exploration cost (docs/bidding.md).
  bool thompson_cells = false;
  uint64_t explore_seed = 1;
  MpcPacerOptions mpc = DefaultMpc();
  static MpcPacerOptions DefaultMpc() {
    MpcPacerOptions m;
    m.smoothing = 0.5;        // per-step alpha moves are geometric averages with the last one
    m.max_step_change = 1.5;  // and at most x1.5 per 5 minutes
    return m;
  }
};

class SuperPlanPilot {
 public:
  SuperPlanPilot(const SuperPlan& plan, PilotOptions options = {});

  // Starts day `day` (0-based) with `days_left` days including it; returns a note for the log.
  std::string StartDay(uint32_t day, uint32_t days_left, double spent_total);
  // After a control step: updates the pacer and returns the new alpha (also written to plan).
  double Step(const PilotStep& s, AdPlan& plan);
  // Hourly: re-splits the budget across cells; writes plan.autobid.multipliers. Returns a
  // description of the largest moves (empty if nothing changed).
  std::vector<std::string> Reallocate(const std::vector<CellDelivery>& cells, AdPlan& plan);

  // The merchant changed the flight budget or the target: takes effect when the next day starts
  // (the platform's budget caps apply at once). A target <= 0 leaves the target as it is.
  void Retarget(double total_budget, double target);

  double alpha() const { return alpha_; }
  double today_budget() const { return today_budget_; }
  const PacingGoal& day_goal() const { return day_goal_; }

 private:
  // The flight's expected cost of what was won per unit of real spend (landscape units per
  // currency unit), shrunk towards 1 while little was spent.
  double CostRatio(double spent_total) const;

  SuperPlan sp_;
  PilotOptions options_;
  MpcPacer pacer_;
  PacingGoal day_goal_;
  double today_budget_ = 0;
  double alpha_ = 0;
  std::vector<AuctionSample> day_samples_;
  double day_auctions_ = 0;
  bool started_ = false;
  double log_calibration_ = 0;         // learned value calibration: real spend vs realised value
  std::vector<AuctionSample> scaled_;  // scratch: the step's samples with calibrated values
  // Today's won auctions in the landscape's own units (expected cost and value), and the flight's
  // expected cost of everything won (against real spend: clicks are charged per click).
  double est_spent_today_ = 0, est_value_today_ = 0;
  double flight_est_cost_ = 0;
  RandomStream rng_;          // Thompson draws (PilotOptions::thompson_cells)
  double day_alpha_sum_ = 0;  // today's alpha over the steps it was bidding
  int day_alpha_steps_ = 0;
};

}  // namespace cf
