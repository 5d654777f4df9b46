#include "cli/bench_insight_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "insight/long_history_bench.h"

namespace cf {
namespace {

struct InsightBenchArgs {
  bool quick = false, json = false, hard = false;
  int requests = 0;
  size_t candidates = 500;
  int top_k = 0, shortlist = 0;
  uint64_t seed = 42;
};

void Run(const InsightBenchArgs& a) {
  LongHistoryBenchOptions o;
  o.quick = a.quick;
  o.requests = a.requests;
  o.candidates = a.candidates;
  o.seed = a.seed;
  if (a.top_k) o.attention.top_k = a.top_k;
  if (a.shortlist) o.attention.shortlist = a.shortlist;
  if (a.top_k && !a.shortlist) o.attention.shortlist = std::max(o.attention.shortlist, a.top_k);
  o.attention.Validate();
  const nlohmann::json r = RunLongHistoryBench(o);
  if (a.json) {
    std::cout << r.dump() << "\n";
  } else {
    std::cout << FormatLongHistoryBench(r);
  }
}

}  // namespace

void AddBenchInsightCommand(CLI::App* bench) {
  auto args = std::make_shared<InsightBenchArgs>();
  auto* insight = bench->add_subcommand(
      "insight",
      "Long user histories: p50/p99 latency of scoring one user x 500 candidates with "
      "target-aware search + attention at 100 .. 100,000 events (docs/insight-long-history.md)");
  insight->add_flag("--quick", args->quick, "Fewer requests per length (CI; about a second)");
  insight->add_flag("--json", args->json, "Print JSON only");
  insight
      ->add_option("--requests", args->requests,
                   "Timed requests per history length (default 300; --quick 15)")
      ->check(CLI::Range(1, 1000000));
  insight->add_option("--candidates", args->candidates, "Candidates per request (default 500)")
      ->check(CLI::Range(1, 100000));
  insight->add_option("--top-k", args->top_k, "Behaviours attended per candidate (default 32)")
      ->check(CLI::Range(1, 4096));
  insight
      ->add_option("--shortlist", args->shortlist,
                   "Behaviours searched by signature, then re-ranked (default 64, >= top-k)")
      ->check(CLI::Range(1, 65536));
  insight->add_option("--seed", args->seed, "Seed of the synthetic users (default 42)");
  insight->callback([args] {
    try {
      Run(*args);
    } catch (const std::exception& e) {
      fmt::print(stderr, "\nerror: {}\n", e.what());
      throw CLI::RuntimeError(2);
    }
  });
}

}  // namespace cf
