// Isotonic (monotone non-decreasing) least-squares regression by pool-adjacent-violators (PAVA).
// Input points must already be ordered by their x; the result has one fitted value per point.
// O(n); pure function.
#pragma once

#include <span>
#include <vector>

namespace cf {

// Minimises sum w_i (f_i - y_i)^2 subject to f_0 <= f_1 <= ... ; weights > 0 (empty = all 1).
std::vector<double> IsotonicFit(std::span<const double> y, std::span<const double> w = {});

}  // namespace cf
