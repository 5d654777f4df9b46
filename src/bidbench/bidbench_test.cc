// Tests of the bidding benchmarks: the replay format (parsing errors name file and line), the log
// generator, quick replay / auction runs (budgets never exceeded, ratios within (0, 1]), and the
// policy search that learns the MPC's correction.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bidbench/auction_bench.h"
#include "bidbench/auction_env.h"
#include "bidbench/pacer_policy_search.h"
#include "bidbench/replay_bench.h"
#include "bidbench/replay_log.h"
#include "bidbench/replay_log_generator.h"

namespace cf {
namespace {

std::string ParseError(const std::string& text) {
  try {
    ParseReplayLog(text, "train.txt");
  } catch (const ReplayLogError& e) {
    return e.what();
  }
  return "";
}

TEST(ReplayLog, ParsesTheClassicFormat) {
  const auto log = ParseReplayLog("0 52 0.0012\n# comment\n\n1\t300\t0.5\r\n0 0 0\n", "x");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].click, 0);
  EXPECT_EQ(log[0].price, 52);
  EXPECT_DOUBLE_EQ(log[0].pctr, 0.0012);
  EXPECT_EQ(log[1].click, 1);
  EXPECT_EQ(log[1].price, 300);
}

TEST(ReplayLog, ErrorsNameTheFileAndTheLine) {
  EXPECT_NE(ParseError("0 52 0.001\n0 x 0.001\n").find("train.txt:2: market_price"),
            std::string::npos);
  EXPECT_NE(ParseError("0 52\n").find("train.txt:1: 2 fields instead of 3"), std::string::npos);
  EXPECT_NE(ParseError("0 1 0.1\n\n2 5 0.1\n").find("train.txt:3: click"), std::string::npos);
  EXPECT_NE(ParseError("1 5 1.5\n").find("train.txt:1: pctr"), std::string::npos);
  EXPECT_NE(ParseError("1 -5 0.5\n").find("market_price"), std::string::npos);
  EXPECT_NE(ParseError("1 5 0.5 7\n").find("4 fields"), std::string::npos);
  try {
    ReadReplayLog("/nonexistent/dir/test.txt");
    FAIL() << "no error for a missing file";
  } catch (const ReplayLogError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/test.txt"), std::string::npos);
  }
}

TEST(ReplayLog, GeneratedLogsRoundTripAndLookLikeRtbLogs) {
  ReplayLogSpec spec;
  spec.auctions = 20000;
  const auto log = GenerateReplayLog(spec);
  double price = 0, ctr = 0, clicks = 0;
  for (const auto& a : log) {
    price += a.price;
    ctr += a.pctr;
    clicks += a.click;
    ASSERT_GE(a.price, 1);
    ASSERT_LE(a.price, 300);
  }
  price /= log.size();
  ctr /= log.size();
  EXPECT_GT(price, 30);
  EXPECT_LT(price, 150);
  EXPECT_GT(ctr, 2e-4);
  EXPECT_LT(ctr, 5e-3);
  EXPECT_NEAR(clicks / log.size(), ctr, 0.5 * ctr);
  const auto path = std::filesystem::temp_directory_path() / "cf_bidbench_roundtrip.txt";
  WriteReplayLog(path, log);
  const auto back = ReadReplayLog(path);
  std::filesystem::remove(path);
  ASSERT_EQ(back.size(), log.size());
  EXPECT_EQ(back[123].price, log[123].price);
  EXPECT_NEAR(back[123].pctr, log[123].pctr, 1e-6 * log[123].pctr);
}

TEST(ReplayBench, QuickRunNeverOverspendsAndRatiosAreWithinOne) {
  ReplayLogSpec spec;
  spec.auctions = 20000;
  const auto train = GenerateReplayLog(spec);
  spec.seed = 2;
  spec.auctions = 8000;
  spec.first_day = 2;
  const auto test = GenerateReplayLog(spec);
  const ReplayBenchResult r = RunReplayBench(train, test);
  ASSERT_EQ(r.c0s.size(), 5u);
  for (const auto& c : r.c0s) {
    EXPECT_EQ(c.episodes, 8);
    EXPECT_GT(c.oracle_expected_clicks, 0);
    for (const std::string& p : ReplayPolicyNames()) {
      const ReplayPolicyResult& pr = c.policies.at(p);
      EXPECT_FALSE(pr.over_budget) << c.name << " " << p;
      EXPECT_LE(pr.cost, static_cast<double>(c.budget) * c.episodes) << c.name << " " << p;
      EXPECT_GT(pr.ratio, 0) << c.name << " " << p;
      EXPECT_LE(pr.ratio, 1 + 1e-9) << c.name << " " << p;
    }
    // The budget-aware policies are far from trivial.
    EXPECT_GT(c.policies.at("ours").ratio, 0.8) << c.name;
    EXPECT_GT(c.policies.at("rlb").ratio, 0.8) << c.name;
  }
  const auto j = ReplayBenchJson(r);
  EXPECT_TRUE(j["1/32"]["ours"].contains("expected_clicks"));
  EXPECT_TRUE(j["1/2"]["online_lp"].contains("ratio"));
  EXPECT_THROW(RunReplayBench(train, std::vector<ReplayAuction>(10)), std::invalid_argument);
}

TEST(AuctionEnv, AdvertisersFollowTheSpec) {
  const auto adv = MakeAdvertisers(AuctionEnvSpec{});
  ASSERT_EQ(adv.size(), 48u);
  int per_category[6] = {};
  for (const auto& a : adv) {
    EXPECT_GE(a.budget, 2000);
    EXPECT_LE(a.budget, 4850);
    EXPECT_GE(a.target_cpa, 60);
    EXPECT_LE(a.target_cpa, 130);
    ++per_category[a.category];
  }
  for (int c : per_category) EXPECT_EQ(c, 8);
}

TEST(AuctionBench, QuickRunNeverOverspendsAndRatiosAreWithinOne) {
  AuctionBenchOptions o;
  o.opportunities = 20000;
  o.evaluated_advertisers = 2;
  o.sweep = false;
  const AuctionBenchResult r = RunAuctionBench(o);
  ASSERT_EQ(r.base.policies.size(), 4u);
  for (const auto& [name, pr] : r.base.policies) {
    EXPECT_EQ(pr.runs, 2) << name;
    EXPECT_FALSE(pr.over_budget) << name;
    EXPECT_LE(pr.budget_used, 1.0 + 1e-9) << name;
    EXPECT_GT(pr.oracle_score, 0) << name;
    EXPECT_GT(pr.ratio, 0) << name;
    EXPECT_LE(pr.ratio, 1.0 + 1e-9) << name;
  }
  const auto j = AuctionBenchJson(r);
  EXPECT_TRUE(j["policies"]["ours"].contains("over_cpa_share"));
  EXPECT_TRUE(j["policies"]["fixed_alpha"].contains("oracle_score"));
}

TEST(AuctionBench, TheLearnedPolicyRunsBesideTheOthers) {
  AuctionBenchOptions o;
  o.opportunities = 20000;
  o.evaluated_advertisers = 2;
  o.sweep = false;
  o.correction = MpcCorrection::Learned();
  const AuctionBenchResult r = RunAuctionBench(o);
  ASSERT_EQ(r.base.policies.size(), 5u);
  const AuctionPolicyResult& rl = r.base.policies.at("ours_rl");
  EXPECT_EQ(rl.runs, 2);
  EXPECT_FALSE(rl.over_budget);
  EXPECT_GT(rl.ratio, 0);
  EXPECT_LE(rl.ratio, 1.0 + 1e-9);
  // The learned correction moves the MPC's bids: the runs differ.
  EXPECT_NE(rl.score, r.base.policies.at("ours").score);
  EXPECT_NE(FormatAuctionTables(r).find("ours_rl"), std::string::npos);
}

TEST(PolicySearch, IsDeterministicWhateverTheThreadsAndImprovesItsObjective) {
  PolicySearchOptions o;
  o.worlds = 1;
  o.agents_per_world = 2;
  o.validation_worlds = 1;
  o.opportunities = 10000;
  o.iterations = 2;
  o.population = 6;
  o.elite = 2;
  o.threads = 1;
  const PolicySearchResult a = SearchMpcCorrection(o);
  o.threads = 3;
  const PolicySearchResult b = SearchMpcCorrection(o);
  EXPECT_EQ(a.best.theta, b.best.theta);
  EXPECT_DOUBLE_EQ(a.best_ratio, b.best_ratio);
  EXPECT_EQ(a.episodes, 2);
  ASSERT_EQ(a.history.size(), 3u);  // each iteration's mean, then the final mean
  // The first iteration's mean is the MPC alone (theta = 0).
  EXPECT_DOUBLE_EQ(a.history[0], a.mpc_ratio - o.over_cpa_penalty * a.mpc_over_cpa);
  // What it returns is at least as good on its training episodes as the MPC alone.
  EXPECT_GE(a.best_ratio - o.over_cpa_penalty * a.best_over_cpa,
            a.mpc_ratio - o.over_cpa_penalty * a.mpc_over_cpa);
  EXPECT_GT(a.validation_mpc_ratio, 0);
  EXPECT_GT(a.validation_best_ratio, 0);
  o.elite = 7;  // more elite than candidates
  EXPECT_THROW(SearchMpcCorrection(o), std::invalid_argument);
}

}  // namespace
}  // namespace cf
