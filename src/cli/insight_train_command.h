// `chengfang insight train` and `chengfang insight eval`: the sequence model (SASRec-style,
// LibTorch on CPU) on a `user item` log, with full-ranking leave-one-out evaluation against the
// popularity and co-occurrence baselines (docs/insight-sequence.md).
//
// Promises: progress and ETA go to stderr; `eval --json` prints exactly one JSON object on stdout;
// bad input (data file, checkpoint, flags) prints a clear error and exits with status 3.
// Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

// Adds `train` and `eval` under `insight`.
void AddInsightTrainCommands(CLI::App& insight);

}  // namespace cf
