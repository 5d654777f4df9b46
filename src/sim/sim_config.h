// The whole configuration of a simulation: the scenario (size, seed, our merchant's budget and
// goal), the market and the platform. One JSON file (`--config`, see docs/config.md); every key
// is optional and defaults to the values here; unknown keys are errors.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "market/market_config.h"
#include "serving/platform.h"

namespace cf {

struct ScenarioConfig {
  uint32_t days = 7;
  uint32_t users = 100000;
  uint64_t seed = 42;
  uint32_t products = 20000;
  uint32_t merchants = 200;
  uint32_t our_products = 20;
  double our_budget = 5600;   // total over the flight, currency units
  double our_goal_roi = 2.0;  // the objective's target: ROI (GMV / spend), or CPA for conversions
  // The merchant's objective: gmv_roi, conversions_cpa, profit or business_efficiency.
  std::string objective = "gmv_roi";
  // Who runs our plan in the autopilot run: super_plan, media_buyer or uniform (the manual run
  // is always the media buyer).
  std::string autopilot = "super_plan";
  bool tap = false;          // record the evaluation tap (expected values of every candidate)
  bool lp_limit = true;      // measure each run's share of the hindsight LP limit (evaluation)
  bool write_events = true;  // persist each run's event log under out/<run>/events.cflog
  bool diagnosis = true;     // live diagnosis of our plans; findings in the report as they happen
  // With a learned platform.predictor: a third run, the autopilot again with the baseline insight
  // (the smoothed counts) on the same traffic, and the learned insight's lift over it.
  bool insight_lift = true;
};

struct SimConfig {
  ScenarioConfig scenario;
  MarketConfig market;
  PlatformConfig platform;

  nlohmann::json ToJson() const;
  static SimConfig FromJson(const nlohmann::json& j);
  static SimConfig Load(const std::string& path);  // throws ConfigError naming the file
  // The file's keys over `base` (JSON merge patch: a key the file sets replaces base's, arrays
  // whole), e.g. a --quick world with a few keys changed. Throws ConfigError naming the file.
  static SimConfig Load(const std::string& path, const SimConfig& base);
  // A small world for tests and CI: 1 day, 5,000 users, 3,000 products, short histories.
  static SimConfig Quick();
};

}  // namespace cf
