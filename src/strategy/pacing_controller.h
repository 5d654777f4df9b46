// Interface: a pacing controller sets the bid multiplier alpha (bid = alpha x value) of one
// campaign, step by step, so that spend meets the budget and the realised cost per unit of value
// meets an optional CPA / ROI constraint. Controllers are generic: the replay benchmark, the
// AuctionNet-like benchmark and (later) the marketplace loop feed them the same observations.
//
// Usage (one episode / flight):
//   PacingGoal goal{.budget = 3000, .constraint = PacingConstraint::kMaxCpa, .target = 100};
//   controller.Prime(history_samples, history_auctions);   // optional: previous episodes' auctions
//   controller.Start(goal, /*steps=*/48);
//   for each step t:  bid every auction with controller.Alpha() * value, collect AuctionSamples;
//                     controller.Update({.step = t, .steps_left = 47 - t, .spent = .., .value = ..,
//                                        .auctions = n, .samples = samples_of_step_t});
// Units: money and value in the caller's units (doubles); the caller enforces the hard budget
// (never bid more than what is left). Not thread-safe; one controller per campaign.
#pragma once

#include <span>
#include <string_view>

namespace cf {

enum class PacingConstraint {
  kBudgetOnly,  // maximise value subject to spend <= budget
  kMaxCpa,      // ... and spend <= target x value   (value = conversions, target = CPA)
  kMinRoi,      // ... and value >= target x spend   (value = GMV, target = ROI)
};

struct PacingGoal {
  double budget = 0;
  PacingConstraint constraint = PacingConstraint::kBudgetOnly;
  double target = 0;              // CPA or ROI; ignored for kBudgetOnly
  double expected_auctions = -1;  // forecast of the episode's auctions (< 0: unknown)
  // Largest spend/value ratio the constraint allows (+inf without one).
  double MaxCostPerValue() const;
};

// One auction (or one slot tier of a multi-slot auction) as the bidder saw it afterwards.
// The bid was alpha x bid_value; a bid >= price would have won it. price < 0 means "unknown"
// (a lost auction whose clearing price was not reported): a censored observation.
// value/cost: what winning it gives/costs (for a lost auction: the engine's estimate of value and
// the platform-reported price); in a multi-slot auction one opportunity is split into incremental
// tiers (win slot 3, then upgrade to slot 2, ...), each one sample.
struct AuctionSample {
  double bid_value = 0;
  double price = 0;
  double value = 0;
  double cost = 0;
  bool won = false;
};

// What happened in the control step that just ended, and where the campaign stands.
struct PacingObservation {
  int step = 0;               // index of the step that just ended (0-based)
  int steps_left = 0;         // steps still to come after it
  double spent = 0;           // total spend so far in the episode
  double value = 0;           // total value so far
  double auctions = 0;        // auctions (opportunities) seen in this step
  double auctions_left = -1;  // forecast of auctions still to come; < 0: the controller forecasts
  std::span<const AuctionSample> samples;  // the step's auctions (may be a subsample)
};

class PacingController {
 public:
  virtual ~PacingController() = default;
  virtual std::string_view name() const = 0;
  // Historical auctions (e.g. a training log, yesterday's traffic): `auctions` opportunities
  // produced these samples. Kept across episodes. Default: ignored.
  virtual void Prime(std::span<const AuctionSample> history, double auctions) {
    (void)history;
    (void)auctions;
  }
  // A new episode with `steps` control steps.
  virtual void Start(const PacingGoal& goal, int steps) = 0;
  virtual double Alpha() const = 0;
  virtual void Update(const PacingObservation& obs) = 0;
};

}  // namespace cf
