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
#include <optional>
#include <string>
#include <vector>

#include "bidbench/auction_env.h"
#include "strategy/corrected_mpc_pacer.h"
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
  // When set, a fifth policy "ours_rl": the same MPC with this learned correction
  // (strategy/corrected_mpc_pacer.h).
  std::optional<MpcCorrection> correction;
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

// Every policy the tier knows, in table order ("ours_rl" only runs with a correction).
inline const std::vector<std::string>& AuctionPolicyNames() {
  static const std::vector<std::string> names = {"ours", "ours_rl", "pid", "online_lp",
                                                 "fixed_alpha"};
  return names;
}

// One setting of the tier, ready to evaluate agents in: the advertisers (competitors' budgets
// scaled) and the recorded history day their controllers are primed with.
struct AuctionWorld {
  AuctionEnvSpec spec;
  std::vector<AdvertiserSpec> advertisers;
  EpisodeRecording history;
  double budget_scale = 1, cpa_scale = 1, competitor_budget_scale = 1;
};
AuctionWorld MakeAuctionWorld(const AuctionEnvSpec& spec, double budget_scale, double cpa_scale,
                              double competitor_budget_scale);

// The k-th evaluated advertiser of a world (advertisers 0, 7, 14, ...).
int EvaluatedAdvertiser(const AuctionWorld& world, int k);

struct AgentRun {
  double score = 0, oracle = 0;  // penalised score and its hindsight optimum
  double spent = 0, budget = 0, conversions = 0, target_cpa = 0;
  double seconds = 0;
  bool OverCpa() const { return conversions > 0 && spent / conversions > target_cpa; }
};
// Day 1 of `world` with advertiser `agent` (its budget and target scaled by the setting) driven
// by `policy` (fresh; primed here from the history day) and everyone else by their competitor
// roles. Thread-safe for distinct policies (the world is only read).
AgentRun RunAuctionAgent(const AuctionWorld& world, int agent, PacingController& policy);

// One setting: the history day plus evaluated x policies runs.
AuctionSetting RunAuctionSetting(const AuctionBenchOptions& options, double budget_scale,
                                 double cpa_scale, double competitor_budget_scale);
AuctionBenchResult RunAuctionBench(const AuctionBenchOptions& options);
// {"policies":{"<policy>":{"score":..,"oracle_score":..,"ratio":..,"budget_used":..,
//  "over_cpa_share":..}}} for the default setting.
nlohmann::json AuctionBenchJson(const AuctionBenchResult& r);
std::string FormatAuctionTables(const AuctionBenchResult& r);

}  // namespace cf
