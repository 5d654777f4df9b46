// The main job: builds the world from the real data, generates the pre-campaign history, runs the
// same world twice (manual media buyer vs autopilot) on two threads with common random numbers,
// and writes out/summary.json and out/report.html. Progress goes to `progress_out` (nullptr:
// silent).
#pragma once

#include <cstdio>
#include <filesystem>

#include "sim/run_result.h"
#include "sim/sim_config.h"

namespace cf {

struct SimulationOptions {
  std::filesystem::path data_dir;  // folder holding completejourney/
  std::filesystem::path out_dir = "out";
  FILE* progress_out = stderr;
  bool write_files = true;
};

SimSummary RunSimulation(const SimConfig& config, const SimulationOptions& options);

// Our merchant and its promoted products: the merchant with the most popular products among those
// with at least `n` products sold in the data; its `n` most popular products.
struct OurSelection {
  MerchantId merchant = kNoId;
  std::vector<ProductId> products;
};
class WorldSpec;
OurSelection ChooseOurMerchant(const WorldSpec& spec, uint32_t n);

}  // namespace cf
