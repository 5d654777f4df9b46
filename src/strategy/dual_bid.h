// The optimal bid under a budget and one CPA/ROI constraint has the form bid = alpha x value, with
// alpha a function of the two dual multipliers (mu for the budget, lambda for the constraint).
// Derivation (LP relaxation, x_i in [0,1]):
//   max-conversions s.t. cost <= B, cost <= T x conv:  L = sum x_i (v_i - mu c_i - lambda (c_i - T
//   v_i))
//     -> win i iff c_i <= v_i (1 + lambda T) / (mu + lambda)          alpha = (1 + lambda T)/(mu +
//     lambda)
//   max-GMV s.t. cost <= B, GMV >= r cost:             L = sum x_i (v_i - mu c_i + lambda (v_i - r
//   c_i))
//     -> win i iff c_i <= v_i (1 + lambda) / (mu + lambda r)          alpha = (1 + lambda)/(mu +
//     lambda r)
// Pure functions; no state.
#pragma once

#include "strategy/pacing_controller.h"

namespace cf {

// alpha from the duals (mu >= 0, lambda >= 0; both zero means "unconstrained": returns +inf).
double AlphaFromDuals(const PacingGoal& goal, double mu, double lambda);

inline double DualBid(double alpha, double value) { return alpha * value; }

}  // namespace cf
