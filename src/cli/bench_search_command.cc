#include "cli/bench_search_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/command_guard.h"
#include "sim/bench_search.h"

namespace cf {

void AddBenchSearchCommand(CLI::App* bench, const std::string* data_dir) {
  auto o = std::make_shared<BenchSearchOptions>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = bench->add_subcommand(
      "search",
      "Search-channel conversion in the market with and without the knowledge graph's query "
      "expansion, same traffic (none, kg, kg_only)");
  cmd->add_flag("--quick", o->quick, "A 20,000-user world over 2 days, one seed (CI)");
  cmd->add_flag("--json", *json, "Print JSON only");
  cmd->add_option("--seeds", o->seeds, "Run seeds (traffic replications) per arm (default 2)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--days", o->days, "Flight days (default 7; --quick 2)")
      ->check(CLI::Range(1, 60));
  cmd->add_option("--users", o->users, "Simulated users (default 100000; --quick 20000)")
      ->check(CLI::Range(1000, 10000000));
  cmd->add_option("--arms", o->arms, "Which of none, kg, kg_only to run (default all three)")
      ->delimiter(',');
  cmd->add_option("--threads", o->threads, "Runs in parallel (default 2)")
      ->check(CLI::Range(1, 64));
  cmd->callback([o, json, data_dir] {
    RunGuarded([&] {
      o->data_dir = *data_dir;
      o->progress = stderr;
      const nlohmann::json r = BenchSearch(*o);
      if (*json) {
        std::cout << r.dump() << "\n";
      } else {
        std::cout << FormatBenchSearch(r);
      }
    });
  });
}

}  // namespace cf
