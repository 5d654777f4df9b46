#include "strategy/pacing_controller.h"

#include <limits>

namespace cf {

double PacingGoal::MaxCostPerValue() const {
  switch (constraint) {
    case PacingConstraint::kMaxCpa:
      return target;
    case PacingConstraint::kMinRoi:
      return target > 0 ? 1.0 / target : std::numeric_limits<double>::infinity();
    case PacingConstraint::kBudgetOnly:
      break;
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace cf
