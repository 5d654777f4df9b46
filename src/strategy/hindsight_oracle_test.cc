#include "strategy/hindsight_oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "common/random.h"

namespace cf {
namespace {

TEST(HindsightOracle, BudgetOnlyTakesEfficientPrefixAndOneFraction) {
  const std::vector<OracleItem> items = {{1, 1}, {3, 1}, {2, 1}, {0, 0}, {-1, 1}};
  const OracleResult r = BudgetOptimum(items, 2.5);
  EXPECT_DOUBLE_EQ(r.value, 3 + 2 + 0.5);
  EXPECT_DOUBLE_EQ(r.cost, 2.5);
  EXPECT_EQ(r.items_taken, 3u);
  EXPECT_DOUBLE_EQ(BudgetOptimum(items, 100).value, 6);
  EXPECT_DOUBLE_EQ(BudgetOptimum(items, 0).value, 0);
}

TEST(HindsightOracle, CpaConstraintStopsThePrefixWhereCpaReachesTheTarget) {
  // CPAs 50, 100, 200; target 100: all of the first two (C 150, V 2), then half of the third:
  // 150 + 200 f <= 100 (2 + f)  =>  f = 0.5.
  const std::vector<OracleItem> items = {{1, 200}, {1, 50}, {1, 100}};
  const OracleResult r = ConstrainedOptimum(items, 1000, 100);
  EXPECT_NEAR(r.value, 2.5, 1e-12);
  EXPECT_NEAR(r.cost, 250, 1e-9);
  // The budget binds first.
  EXPECT_NEAR(ConstrainedOptimum(items, 100, 100).value, 1.5, 1e-12);
}

TEST(HindsightOracle, ConstrainedOptimumBeatsRandomFeasibleSolutions) {
  RandomStream rng(7, "oracle_test");
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<OracleItem> items(12);
    for (auto& it : items) it = {rng.Uniform(0.1, 2), rng.Uniform(10, 300)};
    const double budget = rng.Uniform(100, 1500), k = rng.Uniform(60, 200);
    const OracleResult best = ConstrainedOptimum(items, budget, k);
    EXPECT_LE(best.cost, budget + 1e-9);
    EXPECT_LE(best.cost, k * best.value + 1e-9);
    for (int s = 0; s < 2000; ++s) {
      double v = 0, c = 0;
      for (const auto& it : items) {
        const double x = rng.Uniform() < 0.5 ? 0.0 : rng.Uniform();
        v += x * it.value;
        c += x * it.cost;
      }
      if (c <= budget && c <= k * v) {
        EXPECT_LE(v, best.value + 1e-9);
      }
    }
  }
}

TEST(HindsightOracle, PenalisedScoreIsTheBestPrefix) {
  // Same items: score at the CPA crossing (V 2.5, C 250) = 2.5; all three: 3 x (300/350)^2 = 2.20.
  const std::vector<OracleItem> items = {{1, 200}, {1, 50}, {1, 100}};
  const OracleResult r = PenalisedOptimum(items, 1000, 100);
  EXPECT_NEAR(r.value, 2.5, 1e-9);
  // Against a dense scan of the prefix path.
  RandomStream rng(3, "penalised");
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<OracleItem> its(10);
    for (auto& it : its) it = {rng.Uniform(0.1, 2), rng.Uniform(10, 300)};
    const double budget = rng.Uniform(100, 2000), k = rng.Uniform(50, 150);
    std::sort(its.begin(), its.end(),
              [](auto& a, auto& b) { return a.value / a.cost > b.value / b.cost; });
    double best = 0, v = 0, c = 0;
    for (const auto& it : its) {
      for (int s = 1; s <= 1000; ++s) {
        const double f = s / 1000.0;
        const double vv = v + f * it.value, cc = c + f * it.cost;
        if (cc > budget) break;
        const double ratio = std::min(1.0, k * vv / cc);
        best = std::max(best, vv * ratio * ratio);
      }
      v += it.value;
      c += it.cost;
    }
    const OracleResult o = PenalisedOptimum(its, budget, k);
    EXPECT_GE(o.value, best - 1e-9);
    EXPECT_LE(o.value, best * 1.01 + 1e-9);
    EXPECT_LE(o.cost, budget + 1e-9);
  }
}

TEST(HindsightOracle, MultipleChoiceItemsAreTheIncrementalHull) {
  // Slots: (value, cost) = (0.5, 1), (0.8, 2), (1.0, 4) and a dominated (0.6, 3).
  const std::vector<OracleItem> options = {{1.0, 4}, {0.6, 3}, {0.5, 1}, {0.8, 2}};
  std::vector<OracleItem> out;
  MultipleChoiceItems(options, out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_NEAR(out[0].value, 0.5, 1e-12);
  EXPECT_NEAR(out[0].cost, 1, 1e-12);
  EXPECT_NEAR(out[1].value, 0.3, 1e-12);
  EXPECT_NEAR(out[1].cost, 1, 1e-12);
  EXPECT_NEAR(out[2].value, 0.2, 1e-12);
  EXPECT_NEAR(out[2].cost, 2, 1e-12);
  // A point below the hull is dropped: (0.55, 2) lies under the segment (0.5,1)->(1.0,4)?
  // No: slope 0.05 < 1/6, so (0.55, 2) is dropped and (1.0, 4) kept.
  out.clear();
  const std::vector<OracleItem> o2 = {{0.5, 1}, {0.55, 2}, {1.0, 4}};
  MultipleChoiceItems(o2, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NEAR(out[1].value, 0.5, 1e-12);
  EXPECT_NEAR(out[1].cost, 3, 1e-12);
}

}  // namespace
}  // namespace cf
