// `chengfang insight kg build|check|eval`, `chengfang insight explain "<query>"` and
// `chengfang insight bundle "<query>"`: the knowledge graph's commands (docs/knowledge-graph.md).
//
// Promises: each subcommand runs inside CLI11's parse (its callback) and ends it with CLI::Success
// or CLI::RuntimeError(code) after printing a clear error to stderr; progress goes to stderr,
// results to stdout (one JSON object with --json). Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

// Adds kg, explain and bundle under `insight`.
void AddInsightKgCommands(CLI::App& insight);

}  // namespace cf
