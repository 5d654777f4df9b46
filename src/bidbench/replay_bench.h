// The `replay` benchmark tier: budget-constrained click maximisation replayed on an RTB log
// (bidbench/replay_log.h). Episodes of N consecutive test auctions; per-episode budget
// B = int(c0 x N x average market price of the train log); integer bids capped at max_bid; a bid
// wins if bid >= market price and pays the market price; a policy never bids more than the budget
// it has left, so it never overspends. All tuning and calibration use the train log only; lost
// test auctions reveal no price to the policies (censored), won ones do.
// Policies: lin, mcpc, rlb, pid, online_lp, ours (the MPC pacer of strategy/mpc_pacer.h).
// R/R* = expected clicks (sum of pCTR of won auctions) / the LP optimum of the episode
// (strategy/hindsight_oracle.h). Deterministic. Not thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bidbench/replay_log.h"
#include "strategy/mpc_pacer.h"

namespace cf {

struct ReplayBenchOptions {
  int episode_length = 1000;
  int max_bid = 300;
  int steps = 50;  // control steps per episode for the pacing policies (pid, online_lp, ours)
  // c0 values with their names ("1/32" ...).
  std::vector<std::pair<std::string, double>> c0s = {
      {"1/32", 1.0 / 32}, {"1/16", 1.0 / 16}, {"1/8", 1.0 / 8}, {"1/4", 1.0 / 4}, {"1/2", 1.0 / 2}};
  bool progress = false;  // one line per c0 on stderr
  // The MPC pacer's settings, chosen on a split of the train log (docs/bidding.md).
  MpcPacerOptions ours = {.decay = 0.9};
};

struct ReplayPolicyResult {
  double clicks = 0;  // totals over the test episodes
  double expected_clicks = 0;
  double cost = 0;
  double auctions = 0, wins = 0;
  double ratio = 0, ratio_stderr = 0;  // mean +- standard error of per-episode R/R*
  double win_rate() const { return auctions > 0 ? wins / auctions : 0; }
  bool over_budget = false;  // any episode spent more than its budget (must never happen)
};

struct ReplayC0Result {
  std::string name;
  double c0 = 0;
  int64_t budget = 0;
  int episodes = 0;
  double oracle_expected_clicks = 0;  // sum over episodes of the LP optimum
  std::map<std::string, ReplayPolicyResult> policies;
  std::map<std::string, double> tuned;  // what was tuned on train (e.g. lin_b0)
};

struct ReplayBenchResult {
  std::vector<ReplayC0Result> c0s;
  double seconds = 0;
  size_t train_auctions = 0, test_auctions = 0;
  double train_avg_price = 0, train_avg_ctr = 0, train_cpc = 0;
};

inline const std::vector<std::string>& ReplayPolicyNames() {
  static const std::vector<std::string> names = {"lin", "mcpc", "rlb", "pid", "online_lp", "ours"};
  return names;
}

ReplayBenchResult RunReplayBench(const std::vector<ReplayAuction>& train,
                                 const std::vector<ReplayAuction>& test,
                                 const ReplayBenchOptions& options = {});
// {"<c0>": {"<policy>": {"clicks":..,"expected_clicks":..,"cost":..,"ratio":..}}}
nlohmann::json ReplayBenchJson(const ReplayBenchResult& r);
std::string FormatReplayTable(const ReplayBenchResult& r);

}  // namespace cf
