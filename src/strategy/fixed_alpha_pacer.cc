#include "strategy/fixed_alpha_pacer.h"

#include <cmath>

namespace cf {

void FixedAlphaPacer::Start(const PacingGoal& goal, int /*steps*/) {
  if (configured_ > 0) {
    alpha_ = configured_;
    return;
  }
  const double k = goal.MaxCostPerValue();
  alpha_ = std::isfinite(k) ? k : 1.0;
}

}  // namespace cf
