#include "strategy/dual_bid.h"

#include <limits>

namespace cf {

double AlphaFromDuals(const PacingGoal& goal, double mu, double lambda) {
  double num = 1.0, den = mu;
  switch (goal.constraint) {
    case PacingConstraint::kMaxCpa:
      num = 1.0 + lambda * goal.target;
      den = mu + lambda;
      break;
    case PacingConstraint::kMinRoi:
      num = 1.0 + lambda;
      den = mu + lambda * goal.target;
      break;
    case PacingConstraint::kBudgetOnly:
      break;
  }
  if (den <= 0) return std::numeric_limits<double>::infinity();
  return num / den;
}

}  // namespace cf
