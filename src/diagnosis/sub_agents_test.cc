#include "diagnosis/sub_agents.h"

#include <gtest/gtest.h>

#include <cmath>

#include "diagnosis/report.h"

namespace cf::diagnosis {
namespace {

KpiCounts Counts(double impressions, double ctr, double cvr, double aov, double cpm) {
  KpiCounts c;
  c.impressions = impressions;
  c.clicks = std::round(impressions * ctr);
  c.purchases = std::round(c.clicks * cvr);
  c.gmv = c.purchases * aov;
  c.spend = impressions * cpm / 1000;
  c.auctions = impressions * 4;
  c.wins = impressions;
  return c;
}

// A healthy plan: feed and live, two creatives, two products, same before and after.
DiagnosisInput Healthy() {
  DiagnosisInput in;
  in.plan = 1;
  in.plan_name = "spring";
  in.channel_before[0] = Counts(100000, 0.02, 0.05, 100, 20);
  in.channel_before[1] = Counts(50000, 0.03, 0.04, 80, 30);
  in.channel_after = in.channel_before;
  in.creatives = {{10, "video-a", Counts(90000, 0.022, 0.05, 100, 20),
                   Counts(90000, 0.022, 0.05, 100, 20), 1e5, 1.9e5},
                  {11, "video-b", Counts(60000, 0.025, 0.05, 100, 20),
                   Counts(60000, 0.025, 0.05, 100, 20), 1e5, 1.6e5}};
  in.products = {{20, "dress", Counts(80000, 0.02, 0.05, 100, 20),
                  Counts(80000, 0.02, 0.05, 100, 20), 99, 109, 109},
                 {21, "hat", Counts(70000, 0.02, 0.05, 100, 20), Counts(70000, 0.02, 0.05, 100, 20),
                  39, 45, 45}};
  in.daily_budget = 5000;
  in.budget_spent_share = 0.7;
  in.roi_target = 3;
  in.clearing_cpm_before = in.clearing_cpm_after = 20;
  return in;
}

TEST(SubAgents, AHealthyPlanHasNoHypothesis) {
  const Diagnosis d = Coordinate(Healthy());
  EXPECT_TRUE(d.hypotheses.empty()) << CauseName(d.hypotheses[0].cause);
  EXPECT_NEAR(d.roi.total_change, 0, 1e-12);
}

TEST(SubAgents, AWeakExternalCauseIsALeadNotTheCause) {
  // Only a small creative (6% of the plan's impressions) was exposed more, and its CTR fell 40%:
  // real, but it explains almost nothing of the plan. It is a lead, the move stays unexplained.
  DiagnosisInput in = Healthy();
  for (CreativeWindow& c : in.creatives) c.exposures_after = c.exposures_before;
  in.creatives.push_back({12, "video-c", Counts(10000, 0.025, 0.05, 100, 20),
                          Counts(10000, 0.015, 0.05, 100, 20), 1e4, 2e4});
  const auto creative = CreativeAgent(in);
  ASSERT_EQ(creative.size(), 1u);
  EXPECT_GT(creative[0].confidence, 0);
  EXPECT_LT(creative[0].confidence, kExternalCauseFloor);
  const Diagnosis d = Coordinate(in);
  EXPECT_TRUE(d.hypotheses.empty()) << CauseName(d.hypotheses[0].cause);
  ASSERT_EQ(d.leads.size(), 1u);
  EXPECT_EQ(d.leads[0].cause, CauseKind::kCreativeWearOut);
  const std::string en = RenderReport(d, in, Lang::kEn);
  EXPECT_NE(en.find("No cause has enough evidence yet"), std::string::npos) << en;
  EXPECT_NE(en.find("Weak leads: "), std::string::npos) << en;
  EXPECT_NE(RenderReport(d, in, Lang::kZh).find("证据不足的线索"), std::string::npos);
}

TEST(SubAgents, CreativesAgeingAtTheirUsualPaceAreNotWornOut) {
  // Both creatives lose 20% of their CTR in the after window.
  DiagnosisInput in = Healthy();
  const double ctr[] = {0.022, 0.025};
  auto after_fall = [&](double fall) {
    for (size_t i = 0; i < 2; ++i) {
      in.creatives[i].after =
          Counts(in.creatives[i].before.impressions, ctr[i] * (1 - fall), 0.05, 100, 20);
    }
  };
  after_fall(0.2);
  // With no history that is a wear-out.
  ASSERT_EQ(CreativeAgent(in).size(), 1u);
  // They lost 20% from one day to the next before too: that is how they age, not a wear-out.
  auto usual_ageing = [&](double per_day) {
    for (size_t i = 0; i < 2; ++i) {
      const double n = 4 * in.creatives[i].before.impressions;
      in.creatives[i].day_before = Counts(n, ctr[i], 0.05, 100, 20);
      in.creatives[i].day_earlier = Counts(n, ctr[i] / (1 - per_day), 0.05, 100, 20);
    }
  };
  usual_ageing(0.2);
  EXPECT_TRUE(CreativeAgent(in).empty());
  // A fall of 45% against the usual 20% a day is: the evidence says what was allowed for.
  after_fall(0.45);
  const auto h = CreativeAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].evidence[0].en.find("after their usual ageing of 20% a day"), std::string::npos)
      << h[0].evidence[0].en;
  // Day-on-day noise is not taken for ageing: a 1% dip on a few clicks changes nothing.
  after_fall(0.2);
  for (size_t i = 0; i < 2; ++i) {
    in.creatives[i].day_before = Counts(2000, ctr[i], 0.05, 100, 20);
    in.creatives[i].day_earlier = Counts(2000, ctr[i] / 0.99, 0.05, 100, 20);
  }
  EXPECT_EQ(CreativeAgent(in).size(), 1u);
}

TEST(SubAgents, CreativeWearOut) {
  DiagnosisInput in = Healthy();
  in.creatives[0].after = Counts(90000, 0.011, 0.05, 100, 20);
  in.channel_after[0] = Counts(100000, 0.012, 0.05, 100, 20);
  const Diagnosis d = Coordinate(in);
  ASSERT_FALSE(d.hypotheses.empty());
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kCreativeWearOut);
  ASSERT_EQ(d.hypotheses[0].actions.size(), 1u);
  EXPECT_EQ(d.hypotheses[0].actions[0].type, Action::Type::kRotateCreative);
  EXPECT_EQ(d.hypotheses[0].actions[0].target, 10u);
  const std::string en = RenderReport(d, in, Lang::kEn);
  EXPECT_NE(en.find("Likely cause"), std::string::npos) << en;
  EXPECT_NE(en.find("rotate creative video-a"), std::string::npos) << en;
  const std::string zh = RenderReport(d, in, Lang::kZh);
  EXPECT_NE(zh.find("素材疲劳"), std::string::npos) << zh;
  EXPECT_NE(zh.find("更换素材 video-a"), std::string::npos) << zh;
}

TEST(SubAgents, CompetitorPriceCut) {
  DiagnosisInput in = Healthy();
  in.products[0].competitor_price_after = 89;  // -18%
  in.products[0].after = Counts(80000, 0.02, 0.025, 100, 20);
  in.channel_after[0] = Counts(100000, 0.02, 0.035, 100, 20);
  const Diagnosis d = Coordinate(in);
  ASSERT_FALSE(d.hypotheses.empty());
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kCompetitorPriceCut);
  const Action& a = d.hypotheses[0].actions.at(0);
  EXPECT_EQ(a.type, Action::Type::kCoupon);
  EXPECT_EQ(a.target, 20u);
  EXPECT_NEAR(a.amount, 0.2, 1e-9);
  EXPECT_EQ(a.days, 7);
  EXPECT_NE(RenderReport(d, in, Lang::kEn).find("coupon on dress for 7 days"), std::string::npos);
}

TEST(SubAgents, ChannelMixShift) {
  DiagnosisInput in = Healthy();
  in.channel_before[1] = Counts(50000, 0.01, 0.02, 50, 40);  // live: poor ROI
  in.channel_after[0] = Counts(30000, 0.02, 0.05, 100, 20);
  in.channel_after[1] = Counts(150000, 0.01, 0.02, 50, 40);
  const Diagnosis d = Coordinate(in);
  ASSERT_FALSE(d.hypotheses.empty());
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kChannelMix);
  const Action& a = d.hypotheses[0].actions.at(0);
  EXPECT_EQ(a.type, Action::Type::kMoveBudget);
  EXPECT_EQ(a.from, Channel::kLive);
  EXPECT_EQ(a.to, Channel::kFeed);
  EXPECT_GT(a.expected_roi_change, 0);
}

TEST(SubAgents, TrackingOutageOutranksTheRest) {
  DiagnosisInput in = Healthy();
  for (auto& c : in.channel_after) {
    c.purchases = 0;
    c.gmv = 0;
  }
  const Diagnosis d = Coordinate(in);
  ASSERT_FALSE(d.hypotheses.empty());
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kTrackingOutage);
  EXPECT_GT(d.hypotheses[0].confidence, 0.7);
  EXPECT_EQ(d.hypotheses[0].actions.at(0).type, Action::Type::kCheckTracking);
  EXPECT_NE(RenderReport(d, in, Lang::kZh).find("检查转化回传"), std::string::npos);
}

TEST(SubAgents, BudgetAndRoiTargetLimits) {
  DiagnosisInput in = Healthy();
  in.budget_spent_share = 1.0;
  in.budget_exhausted_hour = 13;
  auto h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kBudgetLimited);
  EXPECT_EQ(h[0].actions.at(0).type, Action::Type::kRaiseBudget);
  in = Healthy();
  in.budget_spent_share = 0.3;
  in.roi_capped_loss_share = 0.8;
  h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kRoiTargetLimited);
  EXPECT_EQ(h[0].actions.at(0).type, Action::Type::kRelaxRoiTarget);
}

// Late in the day what was left of the budget was cut: the day's budget is down only 10% (most of
// it was spent), but what was left fell from 1,500 to 1,000 (a third) at 15:15, and the plan's
// spend since fell 40% against the same hours a day earlier.
DiagnosisInput LateLeftCut() {
  DiagnosisInput in = Healthy();
  in.daily_budget_before = 5000;
  in.daily_budget = 4500;
  in.budget_spent_share = 0.8;
  in.budget_left_cut = 1.0 / 3;
  in.budget_left_before = 1500;
  in.budget_left_after = 1000;
  in.budget_cut_minute = 15 * 60 + 15;
  in.spend_since_cut = 600;
  in.spend_since_cut_day_before = 1000;
  return in;
}

TEST(SubAgents, ACutBudgetExplainsPacedDownSpend) {
  // The account ran dry: today's budget is 30% of yesterday's; the pacer spreads it over the day,
  // so spend falls without the budget running out early.
  DiagnosisInput in = Healthy();
  in.daily_budget_before = 5000;
  in.daily_budget = 1500;
  in.budget_spent_share = 0.4;
  for (size_t c = 0; c < 2; ++c) {
    in.channel_after[c].spend *= 0.3;
    in.channel_after[c].impressions *= 0.3;
  }
  auto h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kBudgetLimited);
  EXPECT_NE(h[0].evidence.at(0).en.find("down 70% from 5000"), std::string::npos)
      << h[0].evidence[0].en;
  EXPECT_EQ(h[0].actions.at(0).type, Action::Type::kRaiseBudget);
  // The same budget cut while spend held up is not a cause of anything.
  in = Healthy();
  in.daily_budget_before = 5000;
  in.daily_budget = 1500;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
  // Late in the day the account ran dry (LateLeftCut): the cut accounts for 5/6 of the fall.
  in = LateLeftCut();
  h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kBudgetLimited);
  EXPECT_NEAR(h[0].confidence, 0.9 * (1.0 / 3) / 0.4, 1e-9);
  EXPECT_NE(h[0].evidence.at(0).en.find("what was left of today's budget was cut 33% at 15:15 "
                                        "(1500 -> 1000), and spend since fell 40% against the "
                                        "same hours a day earlier"),
            std::string::npos)
      << h[0].evidence[0].en;
  EXPECT_NEAR(h[0].actions.at(0).amount, 0.5, 1e-9);
  // Spend since the cut held up (down 10%): the cut explains nothing.
  in.spend_since_cut = 900;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
  // A cut of a tenth of what was left is not enough to explain a fall.
  in.spend_since_cut = 600;
  in.budget_left_cut = 0.1;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
}

TEST(SubAgents, OwnRoiTargetRaiseExplainsLostDelivery) {
  DiagnosisInput in = Healthy();
  in.roi_target_before = 1.6;
  in.roi_target = 2.4;  // raised 50% by a person or an autopilot
  for (size_t c = 0; c < 2; ++c) {
    in.channel_after[c].impressions *= 0.4;
    in.channel_after[c].clicks = std::round(in.channel_after[c].clicks * 0.4);
  }
  auto h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kRoiTargetLimited);
  EXPECT_NE(h[0].evidence.at(0).en.find("1.60 -> 2.40"), std::string::npos) << h[0].evidence[0].en;
  EXPECT_GT(h[0].confidence, 0.5);
  EXPECT_EQ(h[0].actions.at(0).type, Action::Type::kRelaxRoiTarget);
  EXPECT_NEAR(h[0].actions[0].amount, 0.3, 1e-9);
  // A small change of target, or delivery that held up, is not a cause.
  in.roi_target = 1.7;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
  in = Healthy();
  in.roi_target_before = 1.6;
  in.roi_target = 2.4;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
}

// A plan served from pools: 40 creatives with 2.5% of the traffic each. A wear-out that takes 20
// of them from 2% to 1.15-1.35% is too weak to show in any one creative (z -2 to -3) but clear in
// the pooled clicks of the creatives shown more; the hypothesis names the worst creatives to
// rotate. Noise alone (one creative at z about -2.5 among 40 steady ones) is not a wear-out, and
// neither is a small significant fall of all of them (ageing of a few percent).
TEST(SubAgents, AWearOutSpreadOverAPoolIsFoundFromThePooledEvidence) {
  DiagnosisInput in = Healthy();
  in.creatives.clear();
  for (CreativeId c = 0; c < 40; ++c) {
    const bool worn = c % 2 == 0;
    in.creatives.push_back({100 + c, "v" + std::to_string(c), Counts(3750, 0.02, 0.05, 100, 20),
                            Counts(3750, worn ? 0.0135 - 0.0001 * (c / 2) : 0.02, 0.05, 100, 20),
                            5e4, 5.4e4});
  }
  for (const CreativeWindow& c : in.creatives) {  // two-proportion z of each creative alone
    const double p =
        (c.before.clicks + c.after.clicks) / (c.before.impressions + c.after.impressions);
    const double se = std::sqrt(p * (1 - p) * (1 / c.before.impressions + 1 / c.after.impressions));
    const double z =
        (c.after.clicks / c.after.impressions - c.before.clicks / c.before.impressions) / se;
    EXPECT_GT(z, -3) << c.name << " is not worn out on its own evidence";
  }
  const auto hs = CreativeAgent(in);
  ASSERT_EQ(hs.size(), 1u);
  EXPECT_EQ(hs[0].cause, CauseKind::kCreativeWearOut);
  EXPECT_GT(hs[0].confidence, 0.3);
  ASSERT_EQ(hs[0].actions.size(), 3u);
  EXPECT_EQ(hs[0].actions[0].target, 138u) << "the steepest fall first";
  for (const Action& a : hs[0].actions) EXPECT_EQ(a.type, Action::Type::kRotateCreative);
  ASSERT_EQ(hs[0].evidence.size(), 2u);
  EXPECT_NE(hs[0].evidence[1].en.find("20 of the plan's 40 creatives fell by themselves"),
            std::string::npos)
      << hs[0].evidence[1].en;
  // The same pool without the fall: nothing; with one creative falling by chance: nothing.
  for (CreativeWindow& c : in.creatives) c.after = c.before;
  EXPECT_TRUE(CreativeAgent(in).empty());
  in.creatives[5].after = Counts(3750, 0.0125, 0.05, 100, 20);
  EXPECT_TRUE(CreativeAgent(in).empty());
  for (CreativeWindow& c : in.creatives) {  // 100x the traffic, every creative 6% lower
    c.before = Counts(375000, 0.02, 0.05, 100, 20);
    c.after = Counts(375000, 0.0188, 0.05, 100, 20);
  }
  EXPECT_TRUE(CreativeAgent(in).empty());
}

TEST(SubAgents, TrafficMovingToALowerCtrChannelIsNotCreativeWearOut) {
  // Feed traffic moves to live, whose CTR is lower: every creative's CTR falls with the mix, but
  // within each channel nothing changed.
  DiagnosisInput in = Healthy();
  in.channel_after[0] = Counts(40000, 0.02, 0.05, 100, 20);
  in.channel_after[1] = Counts(110000, 0.03 * 0.4, 0.04, 80, 30);
  in.channel_before[1] = Counts(50000, 0.03 * 0.4, 0.04, 80, 30);
  const double mix_ctr = (40000 * 0.02 + 110000 * 0.012) / 150000;  // 1.41% vs 1.73% before
  in.creatives[0].before = Counts(90000, 0.0173, 0.05, 100, 20);
  in.creatives[0].after = Counts(90000, mix_ctr, 0.05, 100, 20);
  EXPECT_TRUE(CreativeAgent(in).empty());
  const Diagnosis d = Coordinate(in);
  ASSERT_FALSE(d.hypotheses.empty());
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kChannelMix);
  // The same creative falling that far within an unchanged mix is worn out.
  in.channel_after = in.channel_before;
  EXPECT_EQ(CreativeAgent(in).size(), 1u);
  // The live watch, which asks at every alert, needs clearer evidence than that (z = -3.5 pooled
  // with the other, steady creative); a 40% fall is.
  in.trigger = Kpi::kCtr;
  EXPECT_TRUE(CreativeAgent(in).empty());
  in.creatives[0].after = Counts(90000, 0.0173 * 0.6, 0.05, 100, 20);
  EXPECT_EQ(CreativeAgent(in).size(), 1u);
}

TEST(SubAgents, ACategoryWidePriceCutIsFoundFromThePooledCvr) {
  // Competitors undercut both products; neither product alone has clicks enough to show its CVR
  // fall, together they do.
  DiagnosisInput in = Healthy();
  for (ProductWindow& p : in.products) {
    p.before = Counts(6000, 0.02, 0.08, 100, 20);  // 120 clicks, ~10 purchases
    p.after = Counts(6000, 0.02, 0.035, 100, 20);  // ~4 purchases
    p.competitor_price_after = p.competitor_price_before * 0.8;
  }
  in.products[1].before.purchases = 9;
  for (const ProductWindow& p : in.products) {
    // One product's own CVR test would not reach z = -2.
    const double pb = p.before.purchases / p.before.clicks, pa = p.after.purchases / p.after.clicks;
    const double q = (p.before.purchases + p.after.purchases) / (p.before.clicks + p.after.clicks);
    EXPECT_GT((pa - pb) / std::sqrt(q * (1 - q) * (2 / p.before.clicks)), -2);
  }
  const auto h = CompetitionAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kCompetitorPriceCut);
  EXPECT_EQ(h[0].actions.size(), 2u);  // a coupon for each undercut product
  EXPECT_NE(h[0].evidence.at(1).en.find("undercut 2 of our promoted products"), std::string::npos)
      << h[0].evidence[1].en;
  // Without the visible cut there is no competition hypothesis.
  for (ProductWindow& p : in.products) p.competitor_price_after = p.competitor_price_before;
  EXPECT_TRUE(CompetitionAgent(in).empty());
}

TEST(SubAgents, APriceCutsCvrFallIsJudgedAgainstTheDaysBefore) {
  // One undercut product, its CVR down from 8% to 6% on 1,200 clicks: against one day before
  // (1,200 clicks) that is not clear (z = -1.9), against the same hours of the five days before
  // (6,000 clicks) it is (z = -2.4).
  DiagnosisInput in = Healthy();
  ProductWindow& p = in.products[0];
  p.before = Counts(60000, 0.02, 0.08, 100, 20);
  p.after = Counts(60000, 0.02, 0.06, 100, 20);
  p.competitor_price_after = p.competitor_price_before * 0.8;
  EXPECT_GT(PooledPriceCut(in).z, -2);
  EXPECT_TRUE(CompetitionAgent(in).empty());
  p.reference = Counts(300000, 0.02, 0.08, 100, 20);
  p.reference_days = 5;
  const PriceCutEvidence e = PooledPriceCut(in);
  EXPECT_EQ(e.reference_days, 5);
  EXPECT_EQ(e.before.clicks, 6000);
  EXPECT_LT(e.z, -2.2);
  const auto h = CompetitionAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NE(h[0].evidence.at(1).en.find("(against the same hours of the 5 days before)"),
            std::string::npos)
      << h[0].evidence[1].en;
}

TEST(SubAgents, APriceCutIsNewsWhenItIsLargeAndOnMuchOfThePlan) {
  // Competitors cut product 20 ("dress") 20% (109 -> 87.2: ours, 99, is now above); it holds
  // half of the plan's spend.
  DiagnosisInput in = Healthy();
  ProductWindow& dress = in.products[0];
  dress.competitor_price_after = dress.competitor_price_before * 0.8;
  const double plan_spend = in.TotalAfter().spend;
  dress.after.spend = 0.5 * plan_spend;
  auto h = PriceCutNews(in, PooledPriceCut(in));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kCompetitorPriceCut);
  EXPECT_NEAR(h[0].confidence, 0.5, 1e-9);
  EXPECT_NE(h[0].evidence[0].en.find("by 20% on average; they hold 50.00% of the plan's spend, "
                                     "and ours is now above theirs on 1"),
            std::string::npos)
      << h[0].evidence[0].en;
  ASSERT_EQ(h[0].actions.size(), 1u);
  EXPECT_EQ(h[0].actions[0].target, 20u);
  EXPECT_NEAR(h[0].actions[0].amount, 0.2, 1e-9);
  // A product with a tenth of the spend, or a cut of 8%: not news by itself.
  dress.after.spend = 0.1 * plan_spend;
  EXPECT_TRUE(PriceCutNews(in, PooledPriceCut(in)).empty());
  dress.after.spend = 0.5 * plan_spend;
  dress.competitor_price_after = dress.competitor_price_before * 0.92;
  EXPECT_TRUE(PriceCutNews(in, PooledPriceCut(in)).empty());
}

TEST(SubAgents, SpendMovingWithoutTheTrafficIsNoChannelShift) {
  // Our own bids moved spend from feed to live (the auctions entered per channel did not move):
  // not a channel-mix cause, even though ROI fell with the spend mix.
  DiagnosisInput in = Healthy();
  in.channel_before[1] = Counts(50000, 0.01, 0.02, 50, 40);
  in.channel_after[0] = Counts(30000, 0.02, 0.05, 100, 20);
  in.channel_after[1] = Counts(150000, 0.01, 0.02, 50, 40);
  in.channel_after[0].auctions = in.channel_before[0].auctions;
  in.channel_after[1].auctions = in.channel_before[1].auctions;
  EXPECT_TRUE(ChannelAgent(in).empty());
}

TEST(SubAgents, AShiftSeenAfterTheBudgetRanOutIsNoChannelShift) {
  DiagnosisInput in = Healthy();
  in.channel_after[0] = Counts(30000, 0.02, 0.05, 100, 20);
  in.channel_after[1] = Counts(150000, 0.03, 0.04, 80, 30);
  ASSERT_EQ(ChannelAgent(in).size(), 1u);  // the users moved
  in.budget_spent_share = 0.99;            // or the plan stopped entering auctions when it ran out
  EXPECT_TRUE(ChannelAgent(in).empty());
}

TEST(SubAgents, ABudgetCutIsNewsWhenItTakesMuchOfTheUsualDelivery) {
  DiagnosisInput in = Healthy();
  in.budget_left_cut = 0.8;
  in.budget_left_before = 2000;
  in.budget_left_after = 400;
  in.budget_cut_minute = 9 * 60 + 15;
  in.usual_rest_of_day_spend = 1000;  // the cut leaves 400 of the usual 1,000: takes 60%
  auto h = BudgetCutNews(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kBudgetLimited);
  EXPECT_FALSE(h[0].own_setting);
  EXPECT_NEAR(h[0].confidence, 0.9, 1e-9);  // min(0.9, 0.4 + 0.6)
  EXPECT_NE(h[0].evidence.at(0).en.find("cut 80% at 09:15 (2000 -> 400) with no change to the "
                                        "plan's own budget"),
            std::string::npos)
      << h[0].evidence[0].en;
  EXPECT_NE(h[0].evidence.at(1).en.find("the cut takes 60% of that delivery"), std::string::npos)
      << h[0].evidence[1].en;
  EXPECT_EQ(h[0].actions.at(0).type, Action::Type::kRaiseBudget);
  EXPECT_NEAR(h[0].actions[0].amount, 1.0, 1e-9);  // back to what was left, at most doubled
  // Taking a quarter of the usual delivery: news, with less confidence.
  in.budget_left_after = 750;
  in.budget_left_cut = 1250.0 / 2000;
  h = BudgetCutNews(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_NEAR(h[0].confidence, 0.65, 1e-9);
  // What is left still covers the usual rest of the day: the cut changes nothing today.
  in.usual_rest_of_day_spend = 700;
  EXPECT_TRUE(BudgetCutNews(in).empty());
  // No usual delivery known (no day before): no news.
  in.usual_rest_of_day_spend = 0;
  EXPECT_TRUE(BudgetCutNews(in).empty());
  // A small cut of what was left is not news, even where it bites.
  in.usual_rest_of_day_spend = 5000;
  in.budget_left_cut = 0.1;
  in.budget_left_after = 1800;
  EXPECT_TRUE(BudgetCutNews(in).empty());
}

TEST(SubAgents, ThePlansOwnBudgetCutIsItsOwnSetting) {
  // The cut of LateLeftCut, made by lowering the plan's own budget: a notice, not an alarm.
  DiagnosisInput in = LateLeftCut();
  in.budget_cut_own = true;
  const auto h = BudgetBidAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kBudgetLimited);
  EXPECT_TRUE(h[0].own_setting);
  EXPECT_EQ(h[0].evidence.back().en, "the plan's own budget was lowered at that moment");
}

TEST(SubAgents, AnExternalCauseOutranksTheOwnTargetRaiseItPrompted) {
  // Conversions vanished (tracking) and the media buyer raised the target in response, cutting
  // delivery: the target raise is the more confident story, the outage is the one to act on.
  DiagnosisInput in = Healthy();
  in.roi_target_before = 1.6;
  in.roi_target = 2.4;
  for (size_t c = 0; c < 2; ++c) {
    in.channel_after[c].impressions *= 0.3;
    in.channel_after[c].clicks = std::round(in.channel_after[c].clicks * 0.3);
    in.channel_after[c].purchases = std::round(in.channel_after[c].purchases * 0.05);
  }
  auto own = BudgetBidAgent(in);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_TRUE(own[0].own_setting);
  const auto tracking = TrackingAgent(in);
  ASSERT_EQ(tracking.size(), 1u);
  ASSERT_GE(tracking[0].confidence, kExternalCauseFloor);
  const Diagnosis d = Coordinate(in);
  ASSERT_GE(d.hypotheses.size(), 2u);
  EXPECT_EQ(d.hypotheses[0].cause, CauseKind::kTrackingOutage);
  EXPECT_FALSE(d.hypotheses[0].own_setting);
  // Alone, the raise is the top cause, flagged as the plan's own doing; the report says so.
  in = Healthy();
  in.roi_target_before = 1.6;
  in.roi_target = 2.4;
  for (size_t c = 0; c < 2; ++c) in.channel_after[c].impressions *= 0.4;
  const Diagnosis alone = Coordinate(in);
  ASSERT_FALSE(alone.hypotheses.empty());
  EXPECT_TRUE(alone.hypotheses[0].own_setting);
  EXPECT_NE(RenderReport(alone, in, Lang::kEn).find("it is not an alarm"), std::string::npos);
  // A target raise cannot explain a fall in ROI or CVR, so it is not offered for those triggers.
  in.trigger = Kpi::kRoi;
  EXPECT_TRUE(BudgetBidAgent(in).empty());
  in.trigger = Kpi::kImpressions;
  EXPECT_EQ(BudgetBidAgent(in).size(), 1u);
}

TEST(SubAgents, AuctionLandscape) {
  DiagnosisInput in = Healthy();
  in.clearing_cpm_after = 28;
  for (auto& c : in.channel_after) c.wins *= 0.7;
  const auto h = CompetitionAgent(in);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].cause, CauseKind::kAuctionLandscape);
}

TEST(Report, LanguageParsing) {
  EXPECT_EQ(ParseLang("zh"), Lang::kZh);
  EXPECT_EQ(ParseLang("en"), Lang::kEn);
  EXPECT_THROW(ParseLang("fr"), std::invalid_argument);
  const DiagnosisInput in = Healthy();
  const std::string en = RenderReport(Coordinate(in), in, Lang::kEn);
  EXPECT_NE(en.find("No cause has enough evidence"), std::string::npos) << en;
}

}  // namespace
}  // namespace cf::diagnosis
