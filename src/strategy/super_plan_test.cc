#include "strategy/super_plan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "strategy/conversion_value.h"
#include "strategy/super_plan_pilot.h"

namespace cf {
namespace {

Catalogue SmallCatalogue() {
  Catalogue c;
  c.departments = {"GROCERY"};
  c.categories = {"SNACKS", "SOAP"};
  c.category_department = {0, 0};
  c.types = {"CHIPS", "BAR SOAP"};
  c.type_category = {0, 1};
  c.merchants.resize(2);
  for (MerchantId m = 0; m < 2; ++m) {
    c.merchants[m].id = m;
    c.merchants[m].name = m == 0 ? "Ours" : "Theirs";
  }
  for (ProductId p = 0; p < 6; ++p) {
    Product prod;
    prod.id = p;
    prod.merchant = p < 4 ? 0 : 1;
    prod.category = p % 2;
    prod.type = p % 2;
    prod.shelf_price = Money::FromUnits(2.0 + p);
    prod.unit_cost = Money::FromUnits(1.0 + 0.5 * p);
    prod.price_observed = true;
    c.products.push_back(prod);
  }
  c.Reindex();
  return c;
}

SuperPlanRequest GoodRequest() {
  SuperPlanRequest r;
  r.name = "spring push";
  r.merchant = 0;
  r.products = {0, 1, 2};
  r.total_budget = 700;
  r.flight_days = 7;
  r.target = 2.0;
  return r;
}

void ExpectRefused(const SuperPlanRequest& r, const std::string& needle) {
  const Catalogue c = SmallCatalogue();
  const std::string err = ValidateSuperPlan(r, c);
  EXPECT_NE(err.find(needle), std::string::npos) << "message '" << err << "' lacks '" << needle;
  try {
    CompileSuperPlan(r, c);
    ADD_FAILURE() << "compiled a refused request: " << err;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SuperPlan, RefusesBadInputWithAClearMessage) {
  SuperPlanRequest r = GoodRequest();
  r.total_budget = 0;
  ExpectRefused(r, "total budget");
  r = GoodRequest();
  r.total_budget = -5;
  ExpectRefused(r, "total budget");
  r = GoodRequest();
  r.target = 0;
  ExpectRefused(r, "ROI target");
  r = GoodRequest();
  r.objective = Objective::kMaxConversionsCpa;
  r.target = -1;
  ExpectRefused(r, "CPA target");
  r = GoodRequest();
  r.products = {};
  ExpectRefused(r, "at least one product");
  r = GoodRequest();
  r.products = {0, 99};
  ExpectRefused(r, "product 99");
  r = GoodRequest();
  r.products = {0, 5};
  ExpectRefused(r, "not by this merchant");
  r = GoodRequest();
  r.products = {1, 1};
  ExpectRefused(r, "twice");
  r = GoodRequest();
  r.flight_days = 0.5;
  ExpectRefused(r, "at least one day");
  r = GoodRequest();
  r.objective = Objective::kBusinessEfficiency;
  r.weights = ValueWeights{.gmv = 0};
  ExpectRefused(r, "all zero");
  r = GoodRequest();
  r.channels = ChannelSet::None();
  ExpectRefused(r, "no channel");
  // Profit needs no target.
  r = GoodRequest();
  r.objective = Objective::kMaxProfit;
  r.target = 0;
  EXPECT_EQ(ValidateSuperPlan(r, SmallCatalogue()), "");
}

TEST(SuperPlan, CompilesCellsWithASplitThatSumsToOne) {
  const Catalogue c = SmallCatalogue();
  SuperPlanRequest r = GoodRequest();
  r.channels = ChannelSet::None();
  r.channels.Add(Channel::kFeed);
  r.channels.Add(Channel::kSearch);
  std::vector<ProductOutlook> outlook(3);
  for (size_t i = 0; i < 3; ++i) {
    outlook[i].impressions_per_day = 1000 * (i + 1);
    outlook[i].ctr = 0.02;
    outlook[i].cvr = 0.1;
    outlook[i].channel_share = {0.5, 0.2, 0.2, 0.1};
  }
  const SuperPlan sp = CompileSuperPlan(r, c, outlook);
  EXPECT_EQ(sp.plan.bid_type, BidType::kAuto);
  EXPECT_EQ(sp.plan.total_budget, Money::FromUnits(700));
  EXPECT_EQ(sp.plan.end_day - sp.plan.start_day, 7u);
  ASSERT_EQ(sp.cells.size(), 3u * kNumChannels * kAudienceSegments);
  ASSERT_EQ(sp.plan.autobid.multipliers.size(), sp.cells.size());
  double total = 0, product2 = 0;
  for (size_t k = 0; k < sp.cells.size(); ++k) {
    const Cell& cell = sp.cells[k];
    EXPECT_EQ(CellIndex(cell.product_index, cell.channel, cell.segment), k);
    total += cell.budget_share;
    if (cell.product_index == 2) product2 += cell.budget_share;
    const bool on = cell.channel == Channel::kFeed || cell.channel == Channel::kSearch;
    EXPECT_EQ(sp.plan.autobid.multipliers[k], on ? 1.0f : 0.0f);
    if (!on) {
      EXPECT_EQ(cell.budget_share, 0.0);
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  // Product 2 has three times product 0's traffic and a higher price: the largest share.
  EXPECT_GT(product2, 0.5);
  // ROI objective: the pacer's goal and a starting alpha of 1 / target.
  EXPECT_EQ(sp.goal.constraint, PacingConstraint::kMinRoi);
  EXPECT_DOUBLE_EQ(sp.plan.autobid.alpha, 0.5);
}

TEST(SuperPlan, ObjectivesMapToValueWeightsAndGoals) {
  for (Objective o : {Objective::kMaxGmvRoi, Objective::kMaxConversionsCpa, Objective::kMaxProfit,
                      Objective::kBusinessEfficiency}) {
    EXPECT_EQ(ParseObjective(ObjectiveName(o)), o);
  }
  EXPECT_FALSE(ParseObjective("max_clicks").has_value());
  const Catalogue c = SmallCatalogue();
  SuperPlanRequest r = GoodRequest();
  r.objective = Objective::kMaxConversionsCpa;
  r.target = 4.0;
  SuperPlan sp = CompileSuperPlan(r, c);
  EXPECT_EQ(sp.goal.constraint, PacingConstraint::kMaxCpa);
  EXPECT_EQ(sp.plan.autobid.weights.conversion, 1.0);
  EXPECT_EQ(sp.plan.autobid.weights.gmv, 0.0);
  r.objective = Objective::kMaxProfit;
  sp = CompileSuperPlan(r, c);
  EXPECT_EQ(sp.plan.autobid.weights.profit, 1.0);
  EXPECT_DOUBLE_EQ(sp.goal.target, 1.0);
}

TEST(ConversionValue, WeightsTheMerchantsValues) {
  ConversionFacts f{.price = 10, .unit_cost = 6, .long_tail = true, .repeat_purchases = 2};
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{}, f), 10);
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 0, .profit = 1}, f), 4);
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 0, .conversion = 1}, f), 1);
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 1, .long_tail = 0.5}, f), 15);
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 0, .ltv = 1}, f), 20);
  f.long_tail = false;
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 1, .long_tail = 0.5}, f), 10);
  // Selling below cost is worth nothing, never a negative bid.
  f.unit_cost = 12;
  EXPECT_DOUBLE_EQ(ConversionValue(ValueWeights{.gmv = 0, .profit = 1}, f), 0);
}

// A synthetic day: each auction has a value and a price to beat; the pilot's alpha decides.
struct DayOutcome {
  double spend = 0, value = 0;
};
// `real_cost`: what a won auction really costs as a multiple of its landscape cost (clicks are
// charged for real; the landscape prices impressions at their expected cost). `alphas`, if set,
// receives alpha after every step.
DayOutcome SimulateDay(SuperPlanPilot& pilot, AdPlan& plan, std::mt19937_64& rng, double budget,
                       uint32_t day, uint32_t days_left, double spent_before,
                       double real_cost = 1.0, std::vector<double>* alphas = nullptr) {
  pilot.StartDay(day, days_left, spent_before);
  std::lognormal_distribution<double> value(std::log(0.01), 0.8);
  std::lognormal_distribution<double> price(std::log(0.006), 0.9);
  DayOutcome out;
  const int steps = 288;
  for (int step = 0; step < steps; ++step) {
    // Traffic follows a daily curve: quiet at night, busy in the evening.
    const int n = 40 + static_cast<int>(160 * (0.5 - 0.5 * std::cos(2 * M_PI * step / steps)));
    std::vector<AuctionSample> samples;
    for (int i = 0; i < n; ++i) {
      AuctionSample a;
      a.bid_value = value(rng);
      a.value = a.bid_value;
      a.price = price(rng);
      a.won =
          plan.autobid.alpha * a.bid_value >= a.price && out.spend + real_cost * a.price <= budget;
      a.cost = a.won ? a.price : 0;
      if (a.won) {
        out.spend += real_cost * a.price;
        out.value += a.value;
      }
      samples.push_back(a);
    }
    PilotStep s;
    s.day = day;
    s.days_left = days_left;
    s.step = step;
    s.spent_today = out.spend;
    s.spent_total = spent_before + out.spend;
    s.value_today = out.value;
    s.auctions = n;
    s.samples = samples;
    pilot.Step(s, plan);
    if (alphas) alphas->push_back(plan.autobid.alpha);
  }
  return out;
}

TEST(SuperPlanPilot, MeetsTheRoiTargetDayByDayAndUsesTheBudgetWhenItCan) {
  const Catalogue c = SmallCatalogue();
  SuperPlanRequest r = GoodRequest();
  r.total_budget = 3 * 40.0;  // a budget that binds: the ROI target alone would allow more
  r.flight_days = 3;
  r.target = 1.5;
  SuperPlan sp = CompileSuperPlan(r, c);
  SuperPlanPilot pilot(sp);
  AdPlan plan = sp.plan;
  std::mt19937_64 rng(7);
  double spent = 0;
  for (uint32_t d = 0; d < 3; ++d) {
    const DayOutcome o = SimulateDay(pilot, plan, rng, 1e9, d, 3 - d, spent);
    spent += o.spend;
    EXPECT_GE(o.value / o.spend, 1.5) << "day " << d;
    EXPECT_LE(o.spend, 40.0 * 1.05) << "day " << d;  // the day's share, a little noise allowed
    EXPECT_GT(o.spend, 40.0 * 0.8) << "day " << d;   // and it does spend it
  }
}

TEST(SuperPlanPilot, AnRoiTargetThatBindsHoldsBackSpend) {
  const Catalogue c = SmallCatalogue();
  SuperPlanRequest r = GoodRequest();
  r.total_budget = 1e4;  // budget never binds
  r.flight_days = 2;
  r.target = 3.0;
  SuperPlan sp = CompileSuperPlan(r, c);
  SuperPlanPilot pilot(sp);
  AdPlan plan = sp.plan;
  std::mt19937_64 rng(11);
  const DayOutcome d0 = SimulateDay(pilot, plan, rng, 1e9, 0, 2, 0);
  const DayOutcome d1 = SimulateDay(pilot, plan, rng, 1e9, 1, 1, d0.spend);
  EXPECT_GE(d0.value / d0.spend, 3.0);
  EXPECT_GE(d1.value / d1.spend, 3.0);
  // Near the target, not far above it: the target is used, not over-satisfied.
  EXPECT_LT(d1.value / d1.spend, 3.0 * 1.35);
  EXPECT_LT(d0.spend + d1.spend, 1e4 * 0.2);
}

TEST(SuperPlanPilot, ReallocationMovesMultipliersTowardsRealisedValue) {
  const Catalogue c = SmallCatalogue();
  SuperPlan sp = CompileSuperPlan(GoodRequest(), c);
  SuperPlanPilot pilot(sp);
  AdPlan plan = sp.plan;
  std::vector<CellDelivery> cells(plan.autobid.multipliers.size());
  const size_t good = CellIndex(0, Channel::kFeed, 0), bad = CellIndex(1, Channel::kFeed, 0);
  // Both predicted 100; the good cell delivered 200 over 40 conversions, the bad one 20 over 4.
  cells[good] = {.spend = 50, .predicted_value = 100, .realised_value = 200, .conversions = 40};
  cells[bad] = {.spend = 50, .predicted_value = 100, .realised_value = 20, .conversions = 4};
  const auto notes = pilot.Reallocate(cells, plan);
  EXPECT_GT(plan.autobid.multipliers[good], 1.2f);
  EXPECT_LT(plan.autobid.multipliers[bad], plan.autobid.multipliers[good]);
  EXPECT_LT(plan.autobid.multipliers[bad], 1.0f);
  // A cell without delivery keeps the plan-wide correction; excluded channels stay off.
  const size_t idle = CellIndex(2, Channel::kSearch, 2);
  EXPECT_GT(plan.autobid.multipliers[idle], plan.autobid.multipliers[bad]);
  EXPECT_LT(plan.autobid.multipliers[idle], plan.autobid.multipliers[good]);
  EXPECT_FALSE(notes.empty());
}

// Clicks cost twice what the landscape says: the pilot paces the real money left, so the day's
// budget lasts into the evening and is used, and the next day opens near yesterday's alpha.
TEST(SuperPlanPilot, PacesTheRealMoneyLeftAndOpensADayNearYesterdaysAlpha) {
  const Catalogue c = SmallCatalogue();
  SuperPlanRequest r = GoodRequest();
  r.total_budget = 2 * 40.0;
  r.flight_days = 2;
  r.target = 1.0;  // the budget binds
  SuperPlan sp = CompileSuperPlan(r, c);
  SuperPlanPilot pilot(sp);
  AdPlan plan = sp.plan;
  std::mt19937_64 rng(5);
  std::vector<double> alphas;
  const DayOutcome d0 = SimulateDay(pilot, plan, rng, 1e9, 0, 2, 0, 2.0, &alphas);
  EXPECT_LE(d0.spend, 40.0 * 1.02);
  EXPECT_GT(d0.spend, 40.0 * 0.8);
  // Still bidding in the last tenth of the day (the money did not run out in the afternoon).
  size_t last_bid = 0;
  for (size_t i = 0; i < alphas.size(); ++i) {
    if (alphas[i] > 0) last_bid = i;
  }
  EXPECT_GE(last_bid, alphas.size() * 9 / 10);
  double sum = 0;
  int n = 0;
  for (double a : alphas) {
    if (a > 0) sum += a, ++n;
  }
  ASSERT_GT(n, 0);
  const double yesterday = sum / n;
  pilot.StartDay(1, 1, d0.spend);
  EXPECT_GE(pilot.alpha(), yesterday / 1.5 * (1 - 1e-9));
  EXPECT_LE(pilot.alpha(), yesterday * 1.5 * (1 + 1e-9));
}

// Thompson sampling over cells: the multipliers are draws, not the means; they stay within the
// bounds, and a cell with much evidence moves much less between draws than one with none.
TEST(SuperPlanPilot, ThompsonSamplingDrawsMultipliersThatNarrowWithEvidence) {
  const Catalogue c = SmallCatalogue();
  SuperPlan sp = CompileSuperPlan(GoodRequest(), c);
  PilotOptions o;
  o.thompson_cells = true;
  SuperPlanPilot pilot(sp, o);
  AdPlan plan = sp.plan;
  std::vector<CellDelivery> cells(plan.autobid.multipliers.size());
  const size_t rich = CellIndex(0, Channel::kFeed, 0), idle = CellIndex(1, Channel::kFeed, 1);
  cells[rich] = {.spend = 500, .predicted_value = 1000, .realised_value = 1000, .conversions = 400};
  auto spread = [](const std::vector<double>& x) {
    double m = 0, v = 0;
    for (double y : x) m += y;
    m /= x.size();
    for (double y : x) v += (y - m) * (y - m);
    return std::sqrt(v / (x.size() - 1));
  };
  std::vector<double> rich_log, idle_log;
  for (int i = 0; i < 200; ++i) {
    pilot.Reallocate(cells, plan);
    for (float m : plan.autobid.multipliers) {
      if (m == 0.0f) continue;  // an excluded channel
      EXPECT_GE(m, 0.2f);
      EXPECT_LE(m, 3.0f);
    }
    rich_log.push_back(std::log(plan.autobid.multipliers[rich]));
    idle_log.push_back(std::log(plan.autobid.multipliers[idle]));
  }
  EXPECT_GT(spread(idle_log), 0.12);  // about 1 / sqrt(30)
  EXPECT_LT(spread(rich_log), 0.07);  // about 1 / sqrt(430)
  EXPECT_GT(spread(rich_log), 0.02);
  // Without it the same data give the same multipliers every time.
  SuperPlanPilot plain(sp);
  AdPlan p1 = sp.plan, p2 = sp.plan;
  plain.Reallocate(cells, p1);
  plain.Reallocate(cells, p2);
  EXPECT_EQ(p1.autobid.multipliers, p2.autobid.multipliers);
}

}  // namespace
}  // namespace cf
