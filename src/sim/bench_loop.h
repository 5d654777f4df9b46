// `chengfang bench loop`: throughput and per-opportunity decision latency of the whole loop on one
// core, with users holding 10,000-event histories, and peak memory.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

namespace cf {

struct BenchLoopOptions {
  bool quick = false;
  std::filesystem::path data_dir;
};

// Returns {"impressions_per_second", "ad_opportunities_per_second", "p50_decision_us",
// "p99_decision_us", "history_events", "peak_rss_mb", ...}.
nlohmann::json BenchLoop(const BenchLoopOptions& options);

// Peak resident set size of this process so far, MiB.
double PeakRssMb();

}  // namespace cf
