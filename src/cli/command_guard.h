// Ends a CLI11 subcommand callback the way every `chengfang` command does: runs the command body,
// turns an exception into "error: <what>" on stderr and exit code 3, and otherwise exits 0.
//
// Promises: always throws (CLI::Success or CLI::RuntimeError(3)); nothing is printed on success.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>

namespace cf {

template <typename F>
[[noreturn]] void RunGuarded(F&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    throw CLI::RuntimeError(3);
  }
  throw CLI::Success();
}

}  // namespace cf
