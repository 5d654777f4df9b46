#include "diagnosis/roi_decomposition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/random.h"

namespace cf::diagnosis {
namespace {

KpiCounts Counts(double impressions, double ctr, double cvr, double aov, double cpm) {
  KpiCounts c;
  c.impressions = impressions;
  c.clicks = impressions * ctr;
  c.purchases = c.clicks * cvr;
  c.gmv = c.purchases * aov;
  c.spend = impressions * cpm / 1000;
  return c;
}

double TrueRoi(const std::vector<RoiSegment>& segs, bool after) {
  double gmv = 0, spend = 0;
  for (const auto& s : segs) {
    gmv += after ? s.after.gmv : s.before.gmv;
    spend += after ? s.after.spend : s.before.spend;
  }
  return gmv / spend;
}

double Sum(const RoiDecomposition& d) {
  double sum = 0;
  for (const auto& e : d.effects) sum += e.effect;
  return sum;
}

TEST(RoiDecomposition, PartsSumExactlyToTheTotal) {
  RandomStream rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<RoiSegment> segs;
    const int n = 1 + static_cast<int>(rng.Below(4));
    for (int s = 0; s < n; ++s) {
      RoiSegment seg;
      seg.name = "s" + std::to_string(s);
      seg.before = Counts(rng.Uniform(1e3, 1e5), rng.Uniform(0.005, 0.05), rng.Uniform(0.01, 0.1),
                          rng.Uniform(20, 200), rng.Uniform(5, 50));
      seg.after = Counts(rng.Uniform(1e3, 1e5), rng.Uniform(0.005, 0.05), rng.Uniform(0.01, 0.1),
                         rng.Uniform(20, 200), rng.Uniform(5, 50));
      segs.push_back(seg);
    }
    const RoiDecomposition d = DecomposeRoi(segs);
    ASSERT_EQ(d.effects.size(), 5u);
    EXPECT_NEAR(d.roi_before, TrueRoi(segs, false), 1e-9 * d.roi_before);
    EXPECT_NEAR(d.roi_after, TrueRoi(segs, true), 1e-9 * d.roi_after);
    EXPECT_NEAR(Sum(d), d.total_change, 1e-12 * (1 + std::abs(d.roi_before)));
  }
}

TEST(RoiDecomposition, APureCtrDropIsAllCtr) {
  std::vector<RoiSegment> segs = {
      {"feed", Counts(1e5, 0.02, 0.05, 100, 20), Counts(1e5, 0.01, 0.05, 100, 20)},
      {"live", Counts(5e4, 0.03, 0.04, 80, 30), Counts(5e4, 0.015, 0.04, 80, 30)}};
  const RoiDecomposition d = DecomposeRoi(segs);
  EXPECT_LT(d.total_change, 0);
  EXPECT_NEAR(d.effects[0].effect, d.total_change, 1e-12);
  for (int k = 1; k < 5; ++k) EXPECT_NEAR(d.effects[k].effect, 0, 1e-12);
  EXPECT_NEAR(d.effects[0].before, 3500 / 1.5e5, 1e-12);  // plan-level CTR as evidence
  EXPECT_NEAR(d.effects[0].after, 1750 / 1.5e5, 1e-12);
  EXPECT_EQ(d.Ranked()[0].factor, RoiFactor::kCtr);
}

TEST(RoiDecomposition, AMixShiftIsAllMix) {
  // Two channels with fixed, different ROI; spend moves to the worse one.
  std::vector<RoiSegment> segs = {
      {"feed", Counts(1e5, 0.02, 0.05, 100, 20), Counts(2e4, 0.02, 0.05, 100, 20)},
      {"live", Counts(1e4, 0.01, 0.02, 50, 40), Counts(9e4, 0.01, 0.02, 50, 40)}};
  const RoiDecomposition d = DecomposeRoi(segs);
  EXPECT_LT(d.total_change, 0);
  EXPECT_NEAR(d.effects[4].effect, d.total_change, 1e-12);
  EXPECT_EQ(d.Ranked()[0].factor, RoiFactor::kMix);
  EXPECT_EQ(d.effects[4].top_segment, "feed");
}

TEST(RoiDecomposition, ConversionsVanishing) {
  // Tracking outage: clicks normal, purchases gone. All of the drop is CVR, and order value
  // (undefined after) does not get any blame.
  KpiCounts after = Counts(1e5, 0.02, 0.05, 100, 20);
  after.purchases = 0;
  after.gmv = 0;
  std::vector<RoiSegment> segs = {{"feed", Counts(1e5, 0.02, 0.05, 100, 20), after}};
  const RoiDecomposition d = DecomposeRoi(segs);
  EXPECT_NEAR(d.roi_after, 0, 1e-12);
  EXPECT_NEAR(d.effects[1].effect, d.total_change, 1e-12);
  EXPECT_NEAR(d.effects[2].effect, 0, 1e-12);
  EXPECT_NEAR(Sum(d), d.total_change, 1e-12);
}

TEST(RoiDecomposition, ANewChannel) {
  std::vector<RoiSegment> segs = {
      {"feed", Counts(1e5, 0.02, 0.05, 100, 20), Counts(1e5, 0.02, 0.05, 100, 20)},
      {"live", KpiCounts{}, Counts(1e5, 0.01, 0.05, 100, 20)}};
  const RoiDecomposition d = DecomposeRoi(segs);
  EXPECT_NEAR(d.roi_after, TrueRoi(segs, true), 1e-12);
  EXPECT_NEAR(Sum(d), d.total_change, 1e-12);
  EXPECT_NEAR(d.effects[4].effect, d.total_change, 1e-12);  // only the mix changed
}

}  // namespace
}  // namespace cf::diagnosis
