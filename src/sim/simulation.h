// The main job: builds the world from the real data, generates the pre-campaign history, runs the
// same world twice (manual media buyer vs autopilot) on two threads with common random numbers,
// and writes out/summary.json and out/report.html. With a learned insight
// (platform.predictor "learned") and scenario.insight_lift, a third run on a third thread repeats
// the autopilot with the baseline insight (the smoothed counts), and the summary reports the
// learned insight's lift over it. Progress goes to `progress_out` (nullptr: silent).
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>

#include "creative/creative_studio.h"
#include "market/world.h"
#include "sim/loop_runner.h"
#include "sim/run_result.h"
#include "sim/sim_config.h"

namespace cf {

struct SimulationOptions {
  std::filesystem::path data_dir;  // folder holding completejourney/
  std::filesystem::path out_dir = "out";
  FILE* progress_out = stderr;
  bool write_files = true;
  // With write_files: makes the studio that makes our creatives' media (script, thumbnail) in the
  // background while the flight is simulated, once the catalogue exists; the report shows them.
  // Unset (or returning nullptr): no media, the report draws a card per creative instead.
  std::function<std::unique_ptr<CreativeStudio>(const Catalogue&)> make_studio;
};

SimSummary RunSimulation(const SimConfig& config, const SimulationOptions& options);

// Our merchant and its promoted products: the merchant with the most popular products among those
// with at least `n` products sold in the data; its `n` most popular products.
struct OurSelection {
  MerchantId merchant = kNoId;
  std::vector<ProductId> products;
};
OurSelection ChooseOurMerchant(const WorldSpec& spec, uint32_t n);

// The scenario's world as the benchmarks build it (one "building the world: ..." line to
// `progress` when given): Complete Journey from
// `data_dir`/completejourney (the scenario's products, merchants and seed), the world over the
// scenario's users and days, its pre-campaign history and our merchant (ChooseOurMerchant).
struct ScenarioWorld {
  std::unique_ptr<WorldSpec> spec;
  std::unique_ptr<EventLog> history;
  std::vector<QueryId> query_ids;
  OurSelection ours;
};
ScenarioWorld BuildScenarioWorld(const SimConfig& config, const std::filesystem::path& data_dir,
                                 FILE* progress);

// A run of `spec` with our plan (the selection, the scenario's budget spread evenly over its days
// and its goal ROI), the competitors' manual plans and the platform config. No faults, no files.
RunSetup MakeRunSetup(const std::string& name, const WorldSpec& spec, const EventLog& history,
                      const std::vector<QueryId>& query_ids, const OurSelection& ours,
                      const SimConfig& config);

}  // namespace cf
