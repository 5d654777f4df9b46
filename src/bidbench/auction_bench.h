// The `auction` benchmark tier on the AuctionNet-like environment (bidbench/auction_env.h).
// For each setting: a history day is played by the rule-based competitors (fixed alpha, PID,
// Online LP, oracle alpha with noise, assigned round-robin) and recorded (subsampled); then, on a
// new day, each evaluated advertiser in turn is driven by the policy under test (ours = the MPC
// pacer, pid, online_lp, fixed_alpha) while the 47 others keep their competitor roles, all primed
// from the history day. Each run is scored (conversions x min(1, (tCPA/CPA)^2)) and compared with
// the hindsight oracle of that run (strategy/hindsight_oracle.h: multiple-choice items over the
// slots at the realised competing bids, best penalised prefix). Sweeps: the evaluated advertiser's
// budget x {0.5, 0.75, 1, 1.25, 1.5}, its target CPA x {0.8, 1}, competitors' budgets x {1, 1.1}.
// Budgets are AuctionNet's (2000-4850) for 500,000 opportunities and scale with the number of
// opportunities (a --quick episode of 50,000 has a tenth of the money, the same economics).
// Deterministic given the seed. Not thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "strategy/mpc_pacer.h"

namespace cf {

struct AuctionBenchOptions {
  bool quick = false;
  uint64_t seed = 42;
  size_t opportunities = 0;       // 0: 500,000 (50,000 with quick)
  int evaluated_advertisers = 0;  // 0: 6 (3 with quick)
  bool sweep = true;
  bool progress = false;
  MpcPacerOptions ours;  // the MPC pacer's settings (chosen on another seed, docs/bidding.md)
};

struct AuctionPolicyResult {
  double score = 0, oracle_score = 0;       // means over the evaluated runs
  double ratio = 0;                         // sum score / sum oracle score
  double ratio_mean = 0, ratio_stderr = 0;  // per-run ratios
  double budget_used = 0;                   // mean spend / budget
  double over_cpa_share = 0;                // share of runs with CPA above the target
  int runs = 0;
  bool over_budget = false;  // must never happen
  double max_episode_seconds = 0;
};

struct AuctionSetting {
  double budget_scale = 1, cpa_scale = 1, competitor_budget_scale = 1;
  std::map<std::string, AuctionPolicyResult> policies;
};

struct AuctionBenchResult {
  size_t opportunities = 0;
  int evaluated = 0;
  AuctionSetting base;                // the default setting (all scales 1)
  std::vector<AuctionSetting> sweep;  // when requested
  double seconds = 0;
};

inline const std::vector<std::string>& AuctionPolicyNames() {
  static const std::vector<std::string> names = {"ours", "pid", "online_lp", "fixed_alpha"};
  return names;
}

// One setting: the history day plus evaluated x policies runs.
AuctionSetting RunAuctionSetting(const AuctionBenchOptions& options, double budget_scale,
                                 double cpa_scale, double competitor_budget_scale);
AuctionBenchResult RunAuctionBench(const AuctionBenchOptions& options);
// {"policies":{"<policy>":{"score":..,"oracle_score":..,"ratio":..,"budget_used":..,
//  "over_cpa_share":..}}} for the default setting.
nlohmann::json AuctionBenchJson(const AuctionBenchResult& r);
std::string FormatAuctionTables(const AuctionBenchResult& r);

}  // namespace cf
