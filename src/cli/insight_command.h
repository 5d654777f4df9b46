// `chengfang insight ...`: the insight module's commands (sequence model training and evaluation,
// query understanding over the knowledge graph, ...). Each command family lives in its own
// insight_*_command.cc and registers itself from AddInsightCommand; main.cc only calls
// AddInsightCommand.
//
// Promises: every subcommand runs inside CLI11's parse (its callback) and ends the parse with
// CLI::Success (exit 0) or CLI::RuntimeError(code) after printing a clear error to stderr.
// Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

// Adds `insight` (with all its subcommands) to `app`.
void AddInsightCommand(CLI::App& app);

}  // namespace cf
