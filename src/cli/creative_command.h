// `chengfang creative make ...`: the creative factory's command — plans variants, writes their
// scripts, renders videos and thumbnails, and writes a manifest (docs/creative.md). All CLI code
// of the creative module lives in creative_command.cc; main.cc only calls AddCreativeCommand.
//
// Promises: the subcommand runs inside CLI11's parse (its callback) and ends the parse with
// CLI::Success (exit 0) or CLI::RuntimeError(code) after printing a clear error to `err`
// (2: bad arguments or data, 1: a render failed). Progress goes to `err`; with --json only the
// manifest goes to `out`. A failed variant leaves no partial file. Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>
#include <iostream>

namespace cf {

void AddCreativeCommand(CLI::App& app, std::ostream& out = std::cout,
                        std::ostream& err = std::cerr);

}  // namespace cf
