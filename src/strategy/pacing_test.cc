// Tests of the generic pacing pieces: isotonic fit, bid landscape, dual alpha, and the pacers on a
// synthetic auction stream (the caller enforces the hard budget, as every benchmark does).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "common/random.h"
#include "strategy/bid_landscape.h"
#include "strategy/corrected_mpc_pacer.h"
#include "strategy/dual_bid.h"
#include "strategy/fixed_alpha_pacer.h"
#include "strategy/hindsight_oracle.h"
#include "strategy/isotonic_regression.h"
#include "strategy/mpc_pacer.h"
#include "strategy/online_lp_pacer.h"
#include "strategy/pid_pacer.h"

namespace cf {
namespace {

TEST(IsotonicFit, PoolsAdjacentViolators) {
  const std::vector<double> y = {1, 3, 2, 4, 0, 5};
  const auto f = IsotonicFit(y);
  const std::vector<double> want = {1, 2.25, 2.25, 2.25, 2.25, 5};
  ASSERT_EQ(f.size(), want.size());
  for (size_t i = 0; i < f.size(); ++i) EXPECT_NEAR(f[i], want[i], 1e-12) << i;
}

TEST(IsotonicFit, IsMonotoneAndKeepsTheWeightedMean) {
  RandomStream rng(1, "iso");
  std::vector<double> y(500), w(500);
  for (size_t i = 0; i < y.size(); ++i) {
    y[i] = 0.01 * i + rng.Normal(0, 1);
    w[i] = rng.Uniform(0.1, 2);
  }
  const auto f = IsotonicFit(y, w);
  double sy = 0, sf = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (i) {
      EXPECT_LE(f[i - 1], f[i] + 1e-12);
    }
    sy += w[i] * y[i];
    sf += w[i] * f[i];
  }
  EXPECT_NEAR(sy, sf, 1e-6);
}

TEST(DualBid, AlphaFromDuals) {
  PacingGoal cpa{1000, PacingConstraint::kMaxCpa, 50};
  EXPECT_NEAR(AlphaFromDuals(cpa, 1.0, 0.0), 1.0, 1e-12);
  // Only the CPA constraint binds (mu = 0): bid the target CPA.
  EXPECT_NEAR(AlphaFromDuals(cpa, 0.0, 2.0), (1 + 2 * 50) / 2.0, 1e-12);
  PacingGoal roi{1000, PacingConstraint::kMinRoi, 4};
  EXPECT_NEAR(AlphaFromDuals(roi, 0.0, 1.0), 2.0 / 4.0, 1e-12);
  EXPECT_TRUE(std::isinf(AlphaFromDuals(PacingGoal{}, 0, 0)));
}

// A stream of auctions: value ~ log-normal, price = value x log-normal landscape x scale; the
// price level drifts over the steps.
struct Stream {
  std::vector<std::vector<AuctionSample>> steps;  // all fields filled as if won
};

Stream MakeStream(uint64_t seed, int steps, int per_step, double drift) {
  RandomStream rng(seed, "stream");
  Stream s;
  for (int t = 0; t < steps; ++t) {
    const double level = 60 * std::exp(drift * std::sin(6.28 * t / steps));
    std::vector<AuctionSample> v(per_step);
    for (auto& a : v) {
      a.bid_value = 0.01 * rng.LogNormal(0, 0.8);
      a.price = a.bid_value * level * rng.LogNormal(0, 0.6);
      a.value = a.bid_value;
      a.cost = a.price;
    }
    s.steps.push_back(std::move(v));
  }
  return s;
}

struct RunResult {
  double spent = 0, value = 0;
};

RunResult Play(PacingController& c, const Stream& s, const PacingGoal& goal) {
  RunResult r;
  const int steps = static_cast<int>(s.steps.size());
  PacingGoal g = goal;
  g.expected_auctions = 0;
  for (const auto& st : s.steps) g.expected_auctions += static_cast<double>(st.size());
  c.Start(g, steps);
  std::vector<AuctionSample> seen;
  for (int t = 0; t < steps; ++t) {
    seen.clear();
    const double alpha = c.Alpha();
    for (AuctionSample a : s.steps[t]) {
      const double bid = std::min(alpha * a.bid_value, goal.budget - r.spent);
      a.won = bid >= a.price;
      if (a.won) {
        r.spent += a.cost;
        r.value += a.value;
      }
      seen.push_back(a);
    }
    PacingObservation obs;
    obs.step = t;
    obs.steps_left = steps - 1 - t;
    obs.spent = r.spent;
    obs.value = r.value;
    obs.auctions = static_cast<double>(s.steps[t].size());
    obs.samples = seen;
    c.Update(obs);
  }
  return r;
}

double Oracle(const Stream& s, const PacingGoal& goal) {
  std::vector<OracleItem> items;
  for (const auto& st : s.steps) {
    for (const auto& a : st) items.push_back({a.value, a.cost});
  }
  return ConstrainedOptimum(items, goal.budget, goal.MaxCostPerValue()).value;
}

TEST(BidLandscape, CurvesAreMonotoneAndMatchTheSamples) {
  const Stream s = MakeStream(5, 1, 5000, 0);
  BidLandscape l;
  l.SetGridFrom(s.steps[0], 128);
  l.Add(s.steps[0], 5000);
  l.Fit();
  double total_cost = 0;
  for (const auto& a : s.steps[0]) total_cost += a.cost;
  double last_s = 0, last_v = 0;
  for (double a : l.grid()) {
    EXPECT_GE(l.SpendPerAuction(a), last_s - 1e-12);
    EXPECT_GE(l.ValuePerAuction(a), last_v - 1e-12);
    last_s = l.SpendPerAuction(a);
    last_v = l.ValuePerAuction(a);
  }
  EXPECT_NEAR(l.SpendPerAuction(l.grid().back()), total_cost / 5000, total_cost / 5000 * 0.01);
  // Budget solve: spending a third of the total gives an alpha whose curve spends a third.
  const double a = l.SolveAlpha(5000, total_cost / 3, 0, 0, INFINITY);
  EXPECT_NEAR(5000 * l.SpendPerAuction(a), total_cost / 3, total_cost * 0.01);
}

TEST(BidLandscape, CensoredSamplesAreRedistributedNotDropped) {
  // Half the auctions lost at alpha 30 with unknown price: the spend at high alpha must still
  // reflect them (not be the won-only spend).
  const Stream s = MakeStream(6, 1, 4000, 0);
  BidLandscape full, censored;
  full.SetGridFrom(s.steps[0], 128);
  censored.SetGridFrom(s.steps[0], 128);
  full.Add(s.steps[0], 4000);
  // Prior: the first half fully observed; the second half censored at alpha 30.
  std::span<const AuctionSample> all = s.steps[0];
  censored.Add(all.subspan(0, 2000), 2000);
  std::vector<AuctionSample> second(all.begin() + 2000, all.end());
  for (auto& a : second) {
    if (a.price > 30 * a.bid_value) {
      a.price = -1;
      a.cost = 30 * a.bid_value;
    }
  }
  censored.Add(second, 2000);
  full.Fit();
  censored.Fit();
  const double hi = full.grid().back();
  EXPECT_NEAR(censored.SpendPerAuction(hi), full.SpendPerAuction(hi),
              0.15 * full.SpendPerAuction(hi));
}

TEST(MpcPacer, MeetsBudgetAndCpaOnASyntheticStream) {
  // A mild drift of the price level (a strong periodic one is what the history prior is for; the
  // recency-weighted landscape then spreads spend more evenly than the oracle does).
  const Stream history = MakeStream(11, 48, 1000, 0.15);
  const Stream test = MakeStream(12, 48, 1000, 0.15);
  std::vector<AuctionSample> hist;
  for (const auto& st : history.steps) hist.insert(hist.end(), st.begin(), st.end());
  // (a) budget binds: spend close to the budget and never above it.
  {
    MpcPacer mpc;
    mpc.Prime(hist, 48000);
    const PacingGoal goal{2000, PacingConstraint::kBudgetOnly, 0};
    const RunResult r = Play(mpc, test, goal);
    EXPECT_LE(r.spent, goal.budget + 1e-9);
    EXPECT_GE(r.spent, 0.9 * goal.budget);
    EXPECT_GE(r.value, 0.85 * Oracle(test, goal)) << r.value / Oracle(test, goal);
  }
  // (b) the CPA constraint binds: realised CPA within the target, most of the possible value.
  {
    MpcPacer mpc;
    mpc.Prime(hist, 48000);
    const PacingGoal goal{100000, PacingConstraint::kMaxCpa, 45};
    const RunResult r = Play(mpc, test, goal);
    EXPECT_LE(r.spent / r.value, goal.target * 1.01);
    EXPECT_GE(r.value, 0.85 * Oracle(test, goal)) << r.value / Oracle(test, goal);
  }
}

TEST(CorrectedMpcPacer, ZeroWeightsAreTheMpcAndTheFactorIsBoundedAndGuarded) {
  const Stream history = MakeStream(11, 24, 500, 0.15);
  const Stream test = MakeStream(12, 24, 500, 0.15);
  std::vector<AuctionSample> hist;
  for (const auto& st : history.steps) hist.insert(hist.end(), st.begin(), st.end());
  const PacingGoal goal{1500, PacingConstraint::kMaxCpa, 45};
  // theta = 0: every alpha and so the whole run is the MPC's.
  {
    MpcPacer mpc;
    CorrectedMpcPacer zero(MpcPacerOptions{}, MpcCorrection{});
    mpc.Prime(hist, 12000);
    zero.Prime(hist, 12000);
    const RunResult a = Play(mpc, test, goal);
    const RunResult b = Play(zero, test, goal);
    EXPECT_DOUBLE_EQ(a.spent, b.spent);
    EXPECT_DOUBLE_EQ(a.value, b.value);
    EXPECT_DOUBLE_EQ(zero.factor(), 1.0);
  }
  // A bias beyond the bound moves alpha by exactly exp(bound), never more.
  MpcCorrection up;
  up.theta[0] = 5;
  up.bound = 0.3;
  CorrectedMpcPacer pacer(MpcPacerOptions{}, up);
  MpcPacer mpc;
  pacer.Prime(hist, 12000);
  mpc.Prime(hist, 12000);
  PacingGoal g = goal;
  g.expected_auctions = 12000;
  pacer.Start(g, 24);
  mpc.Start(g, 24);
  EXPECT_NEAR(pacer.Alpha(), mpc.Alpha() * std::exp(0.3), 1e-9 * mpc.Alpha());
  // Realised cost per value over the limit (spent 100 for 1 conversion at a CPA limit of 45):
  // the correction may only lower alpha.
  PacingObservation obs;
  obs.step = 0;
  obs.steps_left = 23;
  obs.spent = 100;
  obs.value = 1;
  obs.auctions = 500;
  pacer.Update(obs);
  mpc.Update(obs);
  EXPECT_DOUBLE_EQ(pacer.factor(), 1.0);
  EXPECT_DOUBLE_EQ(pacer.Alpha(), mpc.Alpha());
}

TEST(CorrectedMpcPacer, FeaturesDescribeTheCampaignsState) {
  const PacingGoal goal{1000, PacingConstraint::kMaxCpa, 50};
  // Half the steps left, 70% of the budget spent, CPA 35 against 50, calibration 1.
  const auto f = MpcCorrectionFeatures(goal, 48, 24, 700, 20, 1.0);
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  EXPECT_DOUBLE_EQ(f[1], 0.5);
  EXPECT_DOUBLE_EQ(f[2], 0.25);
  EXPECT_NEAR(f[3], 0.2, 1e-12);
  EXPECT_NEAR(f[4], std::log(50.0 * 20 / 700), 1e-12);
  EXPECT_DOUBLE_EQ(f[5], 0.0);
  // Nothing spent yet: no slack signal; a budget-only goal never has one.
  EXPECT_DOUBLE_EQ(MpcCorrectionFeatures(goal, 48, 48, 0, 0, 1.0)[4], 0.0);
  const PacingGoal budget_only{1000, PacingConstraint::kBudgetOnly, 0};
  EXPECT_DOUBLE_EQ(MpcCorrectionFeatures(budget_only, 48, 10, 500, 3, 0.5)[4], 0.0);
  EXPECT_NEAR(MpcCorrectionFeatures(budget_only, 48, 10, 500, 3, 0.5)[5], std::log(0.5), 1e-12);
}

TEST(Pacers, BaselinesRespectTheBudgetAndDoSomethingSensible) {
  const Stream history = MakeStream(21, 24, 1000, 0.2);
  const Stream test = MakeStream(22, 24, 1000, 0.2);
  std::vector<AuctionSample> hist;
  for (const auto& st : history.steps) hist.insert(hist.end(), st.begin(), st.end());
  const PacingGoal goal{150, PacingConstraint::kMaxCpa, 80};
  const double oracle = Oracle(test, goal);
  std::vector<std::unique_ptr<PacingController>> pacers;
  pacers.push_back(std::make_unique<FixedAlphaPacer>());
  pacers.push_back(std::make_unique<PidPacer>());
  pacers.push_back(std::make_unique<OnlineLpPacer>());
  pacers.push_back(std::make_unique<MpcPacer>());
  for (auto& p : pacers) {
    p->Prime(hist, 24000);
    const RunResult r = Play(*p, test, goal);
    EXPECT_LE(r.spent, goal.budget + 1e-9) << p->name();
    EXPECT_GT(r.value, 0.3 * oracle) << p->name();
    EXPECT_LE(r.value, oracle * (1 + 1e-9)) << p->name();
  }
}

}  // namespace
}  // namespace cf
