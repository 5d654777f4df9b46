#include "sim/lp_limit_tap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "common/random.h"
#include "market/completejourney.h"
#include "market/history.h"
#include "serving/auction.h"
#include "sim/loop_runner.h"
#include "sim/simulation.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

bool HaveData() { return fs::exists(DefaultDataDir() / "completejourney" / "products.csv"); }
#define CF_REQUIRE_DATA()                                         \
  if (!HaveData())                                                \
  GTEST_SKIP() << "Complete Journey data not found at "           \
               << (DefaultDataDir() / "completejourney").string() \
               << " (set CHENGFANG_DATA to the folder holding completejourney/)"

struct QuickWorld {
  SimConfig config = SimConfig::Quick();
  std::unique_ptr<WorldSpec> spec;
  std::unique_ptr<EventLog> history;
  std::vector<QueryId> qids;
  OurSelection ours;
  QuickWorld() {
    const ScenarioConfig& sc = config.scenario;
    LoadOptions lo;
    lo.max_products = sc.products;
    lo.merchants = sc.merchants;
    lo.seed = sc.seed;
    spec = WorldSpec::Build(LoadCompleteJourney(DefaultDataDir() / "completejourney", lo),
                            config.market, sc.users, sc.days, sc.seed);
    history = EventLog::InMemory();
    GenerateHistory(*spec, *history, &qids);
    ours = ChooseOurMerchant(*spec, sc.our_products);
  }
};

const QuickWorld& Shared() {
  static const QuickWorld w;
  return w;
}

ScoredAd Ad(PlanId plan, ProductId product, double p_ctr, double ecpm) {
  ScoredAd a;
  a.ad = {plan, product};
  a.p_ctr = p_ctr;
  a.ecpm = ecpm;
  a.bid = Money::FromUnits(ecpm / (1000.0 * p_ctr));
  return a;
}

// Synthetic auctions against the real world's expectations: the tap's options are the world's
// expected GMV and the expected cost of beating the best other advertiser; the LP over them is the
// efficiency-ordered prefix (within the bins' 0.45%), it meets the budget and the ROI floor, takes
// at most one of our ads per auction, and counts an ad of ours that sat the auction out.
TEST(LpLimitTap, SolvesTheLpOverTheWorldsExpectations) {
  CF_REQUIRE_DATA();
  const QuickWorld& w = Shared();
  const World world(*w.spec, {});
  const std::vector<ProductId>& ours = w.ours.products;
  ProductId other = 0;
  while (std::find(ours.begin(), ours.end(), other) != ours.end()) ++other;
  LpLimitTap tap(world, ours);
  RandomStream rng(11, "lp-tap-test");
  std::vector<OracleItem> items;  // what the LP should see: one option per auction
  double won_value = 0, all_value = 0;
  for (int i = 0; i < 400; ++i) {
    Opportunity opp;
    opp.key = 1000 + i;
    opp.minute = w.spec->flight_start() + rng.Below(1440);
    opp.user = static_cast<UserId>(rng.Below(w.spec->users().size()));
    opp.channel = Channel::kFeed;
    const ProductId p = ours[rng.Below(ours.size())];
    const double p_ctr = rng.Uniform(0.005, 0.04);
    const double other_ecpm = rng.Uniform(1.0, 30.0);
    std::vector<ScoredAd> c;
    const bool sat_out = i % 10 == 0;  // a super plan at alpha 0: ecpm 0, after the entered ones
    const bool we_win = !sat_out && i % 3 == 0;
    c.push_back(Ad(7, other, 0.02, other_ecpm));
    c.push_back(Ad(3, p, p_ctr, sat_out ? 0.0 : (we_win ? 2 * other_ecpm : 0.5 * other_ecpm)));
    if (sat_out) c.back().bid = Money::Zero();
    std::vector<CreativeId> creatives(c.size(), kNoId);
    const auto winners = RunGsp(std::span(c).first(sat_out ? 1 : 2), 1, 0.5);
    ASSERT_EQ(!winners.empty() && winners[0].index == 1, we_win);
    tap.OnAuction(opp, c, creatives, winners, 0.5);
    AdExposure x;
    x.key = opp.key;
    x.minute = opp.minute;
    x.user = opp.user;
    x.channel = opp.channel;
    x.product = p;
    const ExpectedResponse r = world.Expect(x);
    items.push_back({r.expected_value, r.p_click * other_ecpm / (1000.0 * p_ctr)});
    all_value += r.expected_value;
    if (we_win) won_value += r.expected_value;
  }
  ASSERT_GT(all_value, 0);
  // No constraint binds: everything with value is taken.
  const LpLimit all = tap.Solve(1e12, 0);
  EXPECT_NEAR(all.value, all_value, 1e-9 * all_value);
  EXPECT_EQ(all.auctions, 400u);
  EXPECT_NEAR(all.won_value, won_value, 1e-9 * won_value + 1e-12);
  // A budget of a third of the total cost: the exact LP on the raw items, within the bin width.
  double total_cost = 0;
  for (const OracleItem& it : items) total_cost += it.cost;
  const LpLimit third = tap.Solve(total_cost / 3, 0);
  const OracleResult exact = BudgetOptimum(items, total_cost / 3);
  EXPECT_NEAR(third.cost, total_cost / 3, 1e-9 * total_cost);
  EXPECT_NEAR(third.value, exact.value, 0.005 * exact.value);
  // A binding ROI floor: the optimum meets it and matches the exact LP within the bin width.
  const double floor_roi = 1.2 * all_value / total_cost;
  const LpLimit roi = tap.Solve(1e12, floor_roi);
  const OracleResult exact_roi = ConstrainedOptimum(items, 1e12, 1.0 / floor_roi);
  EXPECT_GE(roi.value, floor_roi * roi.cost * (1 - 1e-9));
  EXPECT_LT(roi.value, all_value);
  EXPECT_NEAR(roi.value, exact_roi.value, 0.01 * exact_roi.value);

  // Two of our ads in one auction: at most one slot, so the limit grows by the better option only.
  LpLimitTap two(world, ours);
  Opportunity opp;
  opp.key = 5;
  opp.minute = w.spec->flight_start() + 600;
  opp.user = 1;
  std::vector<ScoredAd> c = {Ad(7, other, 0.02, 10.0), Ad(3, ours[0], 0.02, 5.0),
                             Ad(4, ours[1], 0.02, 4.0)};
  std::vector<CreativeId> creatives(c.size(), kNoId);
  two.OnAuction(opp, c, creatives, RunGsp(c, 1, 0.5), 0.5);
  double best = 0;
  for (int k : {0, 1}) {
    AdExposure x;
    x.key = opp.key;
    x.minute = opp.minute;
    x.user = opp.user;
    x.product = ours[k];
    best = std::max(best, world.Expect(x).expected_value);
  }
  EXPECT_NEAR(two.Solve(1e12, 0).value, best, 1e-9 * best);
  EXPECT_EQ(two.Solve(1e12, 0).won_value, 0.0);  // the other advertiser won
}

// In a real run the tap measures a limit that meets the budget and the goal ROI, and the expected
// GMV and cost of what our ads won track the GMV and spend the run realised.
TEST(LpLimitTap, MeasuresTheLimitOfARun) {
  CF_REQUIRE_DATA();
  const QuickWorld& w = Shared();
  for (const char* policy : {"media_buyer", "super_plan"}) {
    RunSetup setup = MakeRunSetup("test", *w.spec, *w.history, w.qids, w.ours, w.config);
    setup.policy = policy;
    setup.diagnosis = false;
    setup.lp_limit = true;
    const RunResult r = RunLoop(setup);
    const LpLimit& l = r.lp_limit;
    ASSERT_TRUE(l.measured) << policy;
    EXPECT_GT(l.auctions, 1000u) << policy;
    EXPECT_LE(l.cost, setup.our_plan.total_budget.units() * (1 + 1e-9)) << policy;
    EXPECT_GE(l.value, setup.goal_roi * l.cost * (1 - 1e-9)) << policy;
    // The expectations of what we won against what happened, within the noise of the counts
    // (three standard errors of a Poisson count, plus 15% for the attribution window).
    ASSERT_GT(r.ours.purchases, 0u) << policy;
    ASSERT_GT(r.ours.clicks, 0u) << policy;
    const double gmv = r.ours.gmv.units(), spend = r.ours.spend.units();
    EXPECT_NEAR(l.won_value, gmv, (0.15 + 3 / std::sqrt(double(r.ours.purchases))) * gmv) << policy;
    EXPECT_NEAR(l.won_cost, spend, (0.15 + 3 / std::sqrt(double(r.ours.clicks))) * spend) << policy;
  }
}

}  // namespace
}  // namespace cf
