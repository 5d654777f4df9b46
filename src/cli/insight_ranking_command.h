// `chengfang insight ranking-eval [--config FILE] [--quick] [--days N] [--holdout-days K]
// [--json]`: offline evaluation of the pCTR/pCVR ranking models on held-out simulated days. Runs
// the simulated market (the manual media-buyer flight of `chengfang run`) for N days, then
// replays the event log it produced, exactly as the platform observed it, through the baseline
// SmoothedCountPredictor and the LearnedResponsePredictor side by side: both learn from days
// < N - K and are scored (before each outcome is observed) on the last K days against the
// observed clicks and purchases. Prints log loss, AUC and calibration error per head
// (docs/insight-ranking.md). Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

// Adds `ranking-eval` under `insight`.
void AddInsightRankingCommand(CLI::App& insight);

}  // namespace cf
