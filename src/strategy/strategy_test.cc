#include <gtest/gtest.h>

#include <cmath>

#include "strategy/even_pacer.h"
#include "strategy/media_buyer.h"
#include "strategy/plan_bidder.h"

namespace cf {
namespace {

// An hour of the plan's report; purchases default to one per unit of GMV.
PlanHourReport Hour(uint32_t h, double spend, double gmv, double spent_today, double elapsed,
                    int purchases = -1) {
  PlanHourReport r;
  r.purchases = purchases >= 0 ? static_cast<uint64_t>(purchases) : static_cast<uint64_t>(gmv);
  r.flight_hour = h;
  r.now = (h + 1) * 60;
  r.spend = Money::FromUnits(spend);
  r.gmv = Money::FromUnits(gmv);
  r.spent_today = Money::FromUnits(spent_today);
  r.daily_budget = Money::FromUnits(100);
  r.day_elapsed = elapsed;
  return r;
}

AdPlan RoiPlan(double target) {
  AdPlan p;
  p.bid_type = BidType::kTargetRoi;
  p.target_roi = target;
  p.products = {1, 2, 3, 4};
  return p;
}

TEST(MediaBuyer, StartsBelowTheGoalAndRaisesTheTargetWhenRoiIsLow) {
  MediaBuyer b({.goal_roi = 2.0});
  EXPECT_DOUBLE_EQ(b.InitialTarget(), 1.8);
  AdPlan plan = RoiPlan(b.InitialTarget());
  // ROI 1.5 < 0.95 * goal: raise by 5-10%, never more.
  for (uint32_t h = 0; h < 6; ++h) {
    const double before = plan.target_roi;
    const auto acts = b.OnHour(Hour(h, 5, 7.5, 5.0 * (h + 1), (h + 1) / 24.0), plan);
    if (h < 2) {  // 7 purchases an hour: three hours make enough evidence
      EXPECT_TRUE(acts.empty());
      continue;
    }
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_GT(plan.target_roi, before * 1.049);
    EXPECT_LE(plan.target_roi, before * 1.101);
  }
}

TEST(MediaBuyer, ChangesAtMostOncePerHourAndWithinBounds) {
  MediaBuyer b({.goal_roi = 2.0});
  AdPlan plan = RoiPlan(1.8);
  int changes = 0;
  for (uint32_t h = 0; h < 200; ++h) {
    const double before = plan.target_roi;
    b.OnHour(Hour(h, 5, h % 7 < 3 ? 4 : 15, 50, 0.5), plan);
    if (plan.target_roi != before) {
      // A second report within the same hour changes nothing, however bad.
      const double after = plan.target_roi;
      b.OnHour(Hour(h, 50, 1, 50, 0.5), plan);
      EXPECT_EQ(plan.target_roi, after) << "changed twice in hour " << h;
      ++changes;
      const double step = plan.target_roi / before;
      const bool at_bound =
          std::abs(plan.target_roi - 1.0) < 1e-9 || std::abs(plan.target_roi - 4.0) < 1e-9;
      EXPECT_TRUE(at_bound || (step >= 0.90 && step <= 0.951) || (step >= 1.049 && step <= 1.101))
          << "step " << step << " to " << plan.target_roi;
    }
    EXPECT_GE(plan.target_roi, 1.0 - 1e-9);
    EXPECT_LE(plan.target_roi, 4.0 + 1e-9);
  }
  EXPECT_GE(changes, 5);
}

TEST(MediaBuyer, ReactsToASuddenRoiDropWithinTwoHours) {
  MediaBuyer b({.goal_roi = 2.0});
  AdPlan plan = RoiPlan(2.0);
  for (uint32_t h = 0; h < 30; ++h) b.OnHour(Hour(h, 5, 12.5, 60, 0.5), plan);  // ROI 2.5, on pace
  const double before = plan.target_roi;
  std::vector<std::string> acts;
  for (uint32_t h = 30; h < 32 && acts.empty(); ++h) acts = b.OnHour(Hour(h, 5, 5, 60, 0.5), plan);
  ASSERT_FALSE(acts.empty()) << "no reaction to ROI 2.5 -> 1.0 within two hours";
  EXPECT_GT(plan.target_roi, before);
  EXPECT_LE(plan.target_roi, before * 1.1 + 1e-9);
}

TEST(MediaBuyer, QuietNightHoursNeverSwingTheTarget) {
  MediaBuyer b({.goal_roi = 2.0});
  AdPlan plan = RoiPlan(2.0);
  // A good day: ROI 2.5 and on pace.
  for (uint32_t h = 0; h < 30; ++h) b.OnHour(Hour(h, 5, 12.5, 60, 0.5), plan);
  const double before = plan.target_roi;
  // Then night hours: tiny spend (below 1% of the daily budget) and no purchase at all. The
  // "ROI" of these hours is 0, but it is not evidence: nothing changes.
  for (uint32_t h = 30; h < 36; ++h) {
    EXPECT_TRUE(b.OnHour(Hour(h, 0.5, 0, 61, 0.5), plan).empty()) << "hour " << h;
  }
  EXPECT_EQ(plan.target_roi, before);
  // A thin but delivering morning (one purchase an hour at ROI 0.2): two hours of it are far
  // from enough purchases to call a drop; the 6-24 hour window still shows ROI near 2.5.
  for (uint32_t h = 36; h < 38; ++h) {
    const auto acts = b.OnHour(Hour(h, 5, 1, 70, 0.5, 1), plan);
    for (const auto& a : acts) EXPECT_EQ(a.find("fell"), std::string::npos) << a;
  }
}

TEST(MediaBuyer, PausesLosersButKeepsHalfThePlan) {
  MediaBuyer b({.goal_roi = 2.0});
  AdPlan plan = RoiPlan(2.0);
  auto report = [](ProductId p, uint64_t clicks, double spend, double gmv) {
    return ProductReport{p, clicks, 0, Money::FromUnits(spend), Money::FromUnits(gmv)};
  };
  // Products 1-3 lose (ROI 0.5, 0.6, 0.9 < 1.0), 4 wins; 1 has too few clicks to judge.
  auto acts = b.OnDay(
      {report(1, 10, 10, 5), report(2, 100, 10, 6), report(3, 100, 10, 9), report(4, 100, 10, 30)},
      plan);
  EXPECT_EQ(plan.products, (std::vector<ProductId>{1, 4}));
  EXPECT_EQ(acts.size(), 2u);
  // Now at half of the original four: nothing more is paused even if 1 turns out to lose.
  acts = b.OnDay({report(1, 200, 10, 1), report(4, 200, 10, 30)}, plan);
  EXPECT_TRUE(acts.empty());
  EXPECT_EQ(plan.products.size(), 2u);
}

TEST(PlanBidder, BidsEachPlansTerms) {
  PlanBidder bidder;
  Opportunity opp;
  ScoredAd ad;
  ad.p_ctr = 0.02;
  ad.p_cvr = 0.1;
  ad.value = 0.02 * 0.1 * 3.0;  // per impression
  AdPlan cpc;
  cpc.bid_type = BidType::kCpc;
  cpc.bid = Money::FromUnits(0.2);
  bidder.Bid(opp, cpc, ad);
  EXPECT_EQ(ad.bid, Money::FromUnits(0.2));
  EXPECT_FALSE(ad.per_mille);
  EXPECT_NEAR(ad.ecpm, 0.2 * 0.02 * 1000, 1e-9);
  AdPlan roi = RoiPlan(2.0);
  bidder.Bid(opp, roi, ad);
  EXPECT_EQ(ad.bid, Money::FromUnits(0.15));  // value per click 0.3 / ROI 2
  EXPECT_NEAR(ad.ecpm, 0.15 * 0.02 * 1000, 1e-9);
  AdPlan cpm;
  cpm.bid_type = BidType::kCpm;
  cpm.bid = Money::FromUnits(4);
  bidder.Bid(opp, cpm, ad);
  EXPECT_TRUE(ad.per_mille);
  EXPECT_DOUBLE_EQ(ad.ecpm, 4.0);
}

TEST(EvenPacer, ThrottlesAPlanThatSpendsAheadOfTraffic) {
  EvenPacer pacer;
  // A learned day with all traffic in the afternoon.
  for (int i = 0; i < 1000; ++i) pacer.CountOpportunity(14 * 60 + i % 60);
  pacer.StartDay();
  EXPECT_NEAR(pacer.TrafficElapsed(14 * 60), 0.0, 1e-9);
  EXPECT_NEAR(pacer.TrafficElapsed(15 * 60), 1.0, 1e-9);
  // At 10:00 nothing should be spent yet: a plan that spent 30% is throttled hour after hour.
  double last = 1.0;
  for (int k = 0; k < 5; ++k) {
    pacer.Update(0, 10 * 60, Money::FromUnits(30), Money::FromUnits(100));
    EXPECT_LT(pacer.Rate(0), last);
    last = pacer.Rate(0);
  }
  // Behind the curve it opens up again, up to 1.
  for (int k = 0; k < 30; ++k)
    pacer.Update(0, 16 * 60, Money::FromUnits(30), Money::FromUnits(100));
  EXPECT_DOUBLE_EQ(pacer.Rate(0), 1.0);
  // No daily budget: never throttled.
  pacer.Update(1, 10 * 60, Money::FromUnits(30), Money::Zero());
  EXPECT_DOUBLE_EQ(pacer.Rate(1), 1.0);
}

}  // namespace
}  // namespace cf
