#include "strategy/corrected_mpc_pacer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace cf {

MpcCorrection MpcCorrection::Learned() {
  // `chengfang bench bidding learn --worlds 8 --iterations 12` (training worlds: seeds 1000-1007;
  // docs/bidding.md): the cross-entropy method's best weights, bound 0.5.
  MpcCorrection c;
  c.theta = {0.10224209329250947, -0.05631694421022799,  -0.1407490320135428,
             0.14172934370687537, 0.0030496835627394723, 0.09739267572149049};
  c.bound = 0.5;
  return c;
}

std::string MpcCorrection::ToString() const {
  return fmt::format("[{:.4f}]", fmt::join(theta, ", "));
}

std::array<double, kMpcCorrectionFeatures> MpcCorrectionFeatures(const PacingGoal& goal, int steps,
                                                                 int steps_left, double spent,
                                                                 double value,
                                                                 double value_calibration) {
  const double left = std::clamp(static_cast<double>(steps_left) / std::max(steps, 1), 0.0, 1.0);
  const double pace =
      goal.budget > 0 ? std::clamp(spent / goal.budget - (1.0 - left), -1.0, 1.0) : 0.0;
  double slack = 0;
  const double k = goal.MaxCostPerValue();
  if (std::isfinite(k) && spent > 0 && value > 0) {
    slack = std::clamp(std::log(k * value / spent), -1.0, 1.0);
  }
  const double cal =
      value_calibration > 0 ? std::clamp(std::log(value_calibration), -1.0, 1.0) : 0.0;
  return {1.0, left, left * left, pace, slack, cal};
}

void CorrectedMpcPacer::Start(const PacingGoal& goal, int steps) {
  goal_ = goal;
  steps_ = std::max(steps, 1);
  mpc_.Start(goal, steps);
  Apply(steps_, 0, 0);
}

void CorrectedMpcPacer::Update(const PacingObservation& obs) {
  mpc_.Update(obs);
  Apply(obs.steps_left, obs.spent, obs.value);
}

void CorrectedMpcPacer::Apply(int steps_left, double spent, double value) {
  const auto f =
      MpcCorrectionFeatures(goal_, steps_, steps_left, spent, value, mpc_.value_calibration());
  double z = 0;
  for (int i = 0; i < kMpcCorrectionFeatures; ++i) z += correction_.theta[i] * f[i];
  z = std::clamp(z, -correction_.bound, correction_.bound);
  // Never bid above the MPC while the realised cost per value is over the limit.
  if (f[4] < 0) z = std::min(z, 0.0);
  factor_ = std::exp(z);
  alpha_ = mpc_.Alpha() * factor_;
}

}  // namespace cf
