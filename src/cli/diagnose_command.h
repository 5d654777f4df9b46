// `chengfang diagnose ...`: the diagnosis subcommands: `diagnose rca` (root-cause localisation
// over a folder of labelled cases) and `diagnose generate-cases` (synthetic squeeze-format
// cases). All CLI code of the diagnosis module lives in diagnose_command.cc; main.cc only calls
// AddDiagnoseCommand.
//
// Promises: the subcommand runs inside CLI11's parse (its callback) and ends the parse with
// CLI::Success (exit 0) or CLI::RuntimeError(code) after printing the error to stderr, so
// main.cc needs no other hook. Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

void AddDiagnoseCommand(CLI::App& app);

}  // namespace cf
