#include "sim/evaluation_recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/random.h"
#include "market/completejourney.h"
#include "serving/auction.h"
#include "sim/simulation.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

// The price the tap says a candidate would pay is exactly what the GSP auction charges the
// candidate that does win, for any set of candidates.
TEST(EvaluationRecorder, WouldPayMatchesTheAuctionsPriceForTheWinner) {
  RandomStream rng(7, "tap-test");
  for (int round = 0; round < 2000; ++round) {
    std::vector<ScoredAd> ads(1 + rng.Below(8));
    for (ScoredAd& a : ads) {
      a.p_ctr = rng.Uniform(0.001, 0.05);
      a.per_mille = rng.Bernoulli(0.2);
      a.bid = Money::FromUnits(a.per_mille ? rng.Uniform(0.1, 5.0) : rng.Uniform(0.01, 0.5));
      a.ecpm = a.per_mille ? a.bid.units() : a.bid.units() * a.p_ctr * 1000.0;
    }
    const double reserve = rng.Uniform(0.0, 1.0);
    const auto winners = RunGsp(ads, 1, reserve);
    if (winners.empty()) continue;
    const double would = EvaluationRecorder::WouldPay(ads, winners[0].index, reserve);
    EXPECT_NEAR(would, winners[0].price.units(), 1.1e-6) << "round " << round;
    EXPECT_LE(would, ads[winners[0].index].bid.units() + 1e-12);
  }
}

TEST(EvaluationRecorder, RecordsEveryCandidateWithTheWorldsExpectations) {
  const fs::path data = DefaultDataDir();
  if (!fs::exists(data / "completejourney" / "products.csv")) {
    GTEST_SKIP() << "Complete Journey data not found at " << (data / "completejourney").string()
                 << " (set CHENGFANG_DATA to the folder holding completejourney/)";
  }
  const fs::path out = fs::temp_directory_path() / ("cf_tap_test_" + std::to_string(::getpid()));
  fs::remove_all(out);
  SimConfig config = SimConfig::Quick();
  config.scenario.users = 1500;
  config.scenario.tap = true;
  config.scenario.write_events = false;
  SimulationOptions options;
  options.data_dir = data;
  options.out_dir = out;
  options.progress_out = nullptr;
  const SimSummary summary = RunSimulation(config, options);
  const RunResult& run = summary.runs.at("manual");

  std::ifstream in(out / "manual" / "tap.csv");
  ASSERT_TRUE(in) << "no tap file written";
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line,
            "opportunity,minute,user,channel,plan,product,creative,p_click,p_purchase,"
            "expected_value,ecpm,bid,per_mille,would_pay,won");
  std::map<std::string, int> won_per_opportunity;
  uint64_t rows = 0, won = 0;
  double sum_p_click_won = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 15u) << line;
    const double p_click = std::stod(f[7]), p_buy = std::stod(f[8]), value = std::stod(f[9]);
    ASSERT_GE(p_click, 0.0);
    ASSERT_LE(p_click, 0.5);
    ASSERT_GE(p_buy, 0.0);
    ASSERT_LE(p_buy, 0.9);
    ASSERT_GE(value, 0.0);
    ASSERT_LE(std::stod(f[13]), std::stod(f[11]) + 1e-6) << "would pay more than its bid: " << line;
    won_per_opportunity[f[0]] += f[14] == "1";
    won += f[14] == "1";
    if (f[14] == "1") sum_p_click_won += p_click;
    ++rows;
  }
  for (const auto& [opp, w] : won_per_opportunity) ASSERT_LE(w, 1) << "two winners in " << opp;
  EXPECT_GT(rows, 3 * won) << "the tap records losers too, not only winners";
  // Every shown impression was a recorded winner (a lost budget race is the only exception).
  EXPECT_GE(won, run.market.impressions);
  EXPECT_LE(won, run.market.impressions + run.market.impressions / 100 + 5);
  // The world's expected clicks of the winners predict the clicks that happened.
  EXPECT_NEAR(sum_p_click_won, static_cast<double>(run.market.clicks),
              0.15 * run.market.clicks + 30);
  fs::remove_all(out);
}

}  // namespace
}  // namespace cf
