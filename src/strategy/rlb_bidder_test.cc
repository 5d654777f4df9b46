#include "strategy/rlb_bidder.h"

#include <gtest/gtest.h>

#include <vector>

namespace cf {
namespace {

std::vector<double> Histogram() {
  // Market prices 1..300 with most mass around 40-80.
  std::vector<double> h(301, 0.0);
  for (int d = 1; d <= 300; ++d) h[d] = d < 40 ? d : (d < 80 ? 40 : 40.0 * 80 / d);
  return h;
}

TEST(RlbBidder, ValueFunctionIsMonotoneAndBounded) {
  RlbBidder rlb;
  const double ctr = 0.001;
  rlb.Build(Histogram(), ctr, 200, 5000);
  EXPECT_EQ(rlb.unit(), 2);
  for (int t = 1; t <= 200; t += 13) {
    for (int64_t b = 0; b + 10 <= 5000; b += 97) {
      EXPECT_LE(rlb.Value(t, b), rlb.Value(t, b + 10) + 1e-9);
      EXPECT_LE(rlb.Value(t - 1, b), rlb.Value(t, b) + 1e-9);
      EXPECT_LE(rlb.Value(t, b), t * ctr + 1e-9);
    }
  }
  EXPECT_DOUBLE_EQ(rlb.Value(0, 1000), 0.0);
  // With plenty of budget for the whole horizon every auction is worth winning.
  EXPECT_NEAR(rlb.Value(10, 5000), 10 * ctr, 1e-6);
}

TEST(RlbBidder, BidsGrowWithCtrAndBudgetAndNeverExceedTheBudget) {
  RlbBidder rlb;
  rlb.Build(Histogram(), 0.001, 1000, 20000);
  EXPECT_EQ(rlb.Bid(500, 0, 0.01), 0);
  EXPECT_LE(rlb.Bid(500, 7, 0.5), 7);
  int last = 0;
  for (double ctr : {0.0002, 0.0005, 0.001, 0.002, 0.005}) {
    const int b = rlb.Bid(800, 8000, ctr);
    EXPECT_GE(b, last);
    last = b;
  }
  EXPECT_GT(last, 0);
  EXPECT_GE(rlb.Bid(800, 16000, 0.001), rlb.Bid(800, 4000, 0.001));
  EXPECT_LE(rlb.Bid(1, 20000, 0.9), 300);
}

}  // namespace
}  // namespace cf
