// The learned part of "RL + MPC" (issue 3, item 4): a small policy that corrects the MPC pacer's
// bid multiplier where its model is systematically wrong (the end of the day, being behind or
// ahead of the budget, room left under the CPA/ROI limit, a drifting value calibration). After
// every MPC step the applied alpha is
//   alpha = alpha_mpc x exp(clamp(theta . features, -bound, +bound)),
// with the features of MpcCorrectionFeatures below; theta = 0 is the MPC alone. theta is learned
// offline by policy search on simulated episodes (bidbench/pacer_policy_search.h); the bound caps
// how far the policy can move the MPC (exp(0.5): a factor of 1.65 either way), and while the
// realised cost per value is over the constraint's limit it may only lower alpha. The MPC keeps its
// own state and re-plans from the realised spend, so a correction is never compounded.
// Not thread-safe; one pacer per campaign.
#pragma once

#include <array>
#include <string>

#include "strategy/mpc_pacer.h"

namespace cf {

inline constexpr int kMpcCorrectionFeatures = 6;

struct MpcCorrection {
  // Weights of: 1, time left (share of steps), time left squared, budget pace (share of budget
  // spent minus share of time gone, clamped to +-1), constraint slack (log of the allowed over the
  // realised cost per value, clamped to +-1; 0 without a constraint or before any value), and the
  // log of the MPC's value calibration (clamped to +-1).
  std::array<double, kMpcCorrectionFeatures> theta{};
  double bound = 0.5;

  // The correction learned for the auction tier (docs/bidding.md, "Learned correction").
  static MpcCorrection Learned();
  // "[w0, w1, ...]" for messages and files.
  std::string ToString() const;
};

// The features the policy sees after a step (or at the start of an episode: step -1).
std::array<double, kMpcCorrectionFeatures> MpcCorrectionFeatures(const PacingGoal& goal, int steps,
                                                                 int steps_left, double spent,
                                                                 double value,
                                                                 double value_calibration);

class CorrectedMpcPacer : public PacingController {
 public:
  CorrectedMpcPacer(MpcPacerOptions mpc, MpcCorrection correction)
      : mpc_(mpc), correction_(correction) {}
  std::string_view name() const override { return "mpc+learned"; }
  void Prime(std::span<const AuctionSample> history, double auctions) override {
    mpc_.Prime(history, auctions);
  }
  void Start(const PacingGoal& goal, int steps) override;
  double Alpha() const override { return alpha_; }
  void Update(const PacingObservation& obs) override;
  // The last factor applied to the MPC's alpha.
  double factor() const { return factor_; }

 private:
  void Apply(int steps_left, double spent, double value);

  MpcPacer mpc_;
  MpcCorrection correction_;
  PacingGoal goal_;
  int steps_ = 1;
  double alpha_ = 0, factor_ = 1;
};

}  // namespace cf
