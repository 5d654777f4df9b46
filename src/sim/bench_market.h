// `chengfang bench bidding market`: the market tier of issue 3. In the marketplace simulator (the
// default scenario: its world, competitors, traffic and faults), our merchant's money is run three
// ways on the same traffic: the super plan (strategy/super_plan + super_plan_pilot, "ours"), the
// competent media buyer's manual plan (strategy/media_buyer, "manual") and a uniform split (the
// budget spread evenly over the products, one target-ROI plan each, "uniform"). Each is replicated
// over `seeds` run seeds (the world's sessions and responses; the three policies of one seed face
// common random numbers). Per policy: GMV, spend, ROI, days whose ROI met the goal, and the
// fraction of the global LP limit (sim/lp_limit_tap.h: expected GMV won / the LP optimum of our
// products' auctions under the budget and the goal ROI; the limit of a seed is the largest of its
// three runs', since each run sees the auctions its own traffic produced). Means and standard
// errors over seeds. With both ours and manual, the super plan runs once more per seed with the
// manual run's realised spend as its budget: GMV at equal spend. Runs go on `threads` threads;
// progress to `progress` (may be null).
#pragma once

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf {

struct BenchMarketOptions {
  bool quick = false;  // a 20,000-user world over 3 days, one seed: about a minute
  int seeds = 3;       // ignored with quick
  uint32_t days = 0;   // 0: the scenario's (7)
  uint32_t users = 0;  // 0: the scenario's (100,000)
  uint64_t seed = 0;   // 0: the scenario's world seed (42)
  int threads = 2;
  // Which of "ours", "manual", "uniform" to run (empty: those three); ours_vs_manual needs both.
  // "ours_explore": the super plan with Thompson sampling over its cells (PilotOptions).
  // An unknown name throws std::invalid_argument.
  std::vector<std::string> policies;
  std::filesystem::path data_dir;  // holds completejourney/
  FILE* progress = nullptr;
};

// {"ours": {"gmv", "spend", "roi", "days_on_target", "days", "lp_fraction", "gmv_se", "spend_se",
// "roi_se", "lp_fraction_se", "expected_gmv"}, "manual": {..}, "uniform": {..} (means over seeds;
// days_on_target and days summed over seeds), "ours_vs_manual": {"gmv_ratio", "gmv_ratio_se",
// "roi_ratio", "roi_ratio_se", "spend_ratio", "gmv_ratio_equal_spend", "gmv_ratio_equal_spend_se",
// "roi_ratio_equal_spend"} and "ours_equal_spend": {"gmv", "gmv_se", "spend", "days_on_target",
// "days"} (when both ran), "lp_limit": {"gmv", "cost"} (means),
// "goal_roi", "budget", "seeds", "users", "flight_days", "seconds", "runs": [per run]}.
nlohmann::json BenchMarket(const BenchMarketOptions& options);

// The table `chengfang bench bidding market` prints for a BenchMarket result.
std::string FormatBenchMarket(const nlohmann::json& result);

}  // namespace cf
