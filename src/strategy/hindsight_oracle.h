// Hindsight oracle: the LP optimum on expected value with known costs, the "physical limit" every
// bidding benchmark reports against. Generic over a list of (value, cost) items; pure functions.
//
//   BudgetOptimum:       max sum x_i v_i  s.t. sum x_i c_i <= B, x_i in [0,1]. Sort by v/c, take
//                        the prefix, one fractional item (exact LP optimum).
//   ConstrainedOptimum:  ... and sum x_i c_i <= k sum x_i v_i (k = max cost per value: the CPA, or
//                        1/ROI). The longest prefix of the same order that meets both constraints,
//                        last item fractional. Exact: for any feasible x of value V the v/c prefix
//                        of value V costs no more, and prefix cost - k x value is convex in V.
//   PenalisedOptimum:    max over the v/c prefixes (fractional end included) of
//                        V x min(1, (k V / C)^2) s.t. C <= B (the AuctionNet score), exact over
//                        that order.
//   MultipleChoiceItems: multi-slot auctions: each group (an opportunity) offers options (a slot:
//                        value, cost) of which at most one is taken. Returns the incremental items
//                        of each group's upper convex hull; the LP relaxation of the
//                        multiple-choice knapsack is the same greedy over them (incremental
//                        efficiency order).
// Items with cost 0 and value > 0 are taken first; items with value <= 0 are never taken.
#pragma once

#include <span>
#include <vector>

namespace cf {

struct OracleItem {
  double value = 0;
  double cost = 0;
};

struct OracleResult {
  double value = 0;        // objective value (the score for PenalisedOptimum)
  double conversions = 0;  // sum x_i v_i (= value except for PenalisedOptimum)
  double cost = 0;
  size_t items_taken = 0;  // including the fractional one
};

OracleResult BudgetOptimum(std::span<const OracleItem> items, double budget);
OracleResult ConstrainedOptimum(std::span<const OracleItem> items, double budget,
                                double max_cost_per_value);
OracleResult PenalisedOptimum(std::span<const OracleItem> items, double budget,
                              double target_cost_per_value);

// options[g] = the options of group g (any order). Appends the incremental hull items.
void MultipleChoiceItems(std::span<const OracleItem> options, std::vector<OracleItem>& out);

}  // namespace cf
