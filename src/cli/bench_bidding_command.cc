#include "cli/bench_bidding_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>

#include "bidbench/auction_bench.h"
#include "bidbench/pacer_policy_search.h"
#include "bidbench/replay_bench.h"
#include "bidbench/replay_log.h"
#include "bidbench/replay_log_generator.h"
#include "sim/bench_market.h"

namespace cf {
namespace {

struct BiddingArgs {
  bool quick = false, json = false;
  std::string train, test, write_logs;
  uint64_t seed = 42;
  size_t opportunities = 0;
  int advertisers = 0;
  bool no_sweep = false;
  int seeds = 3, threads = 2;
  std::vector<std::string> policies;
  uint32_t days = 0, users = 0;
  std::vector<double> correction;  // the auction tier's ours_rl weights (empty: the learned ones)
  bool no_rl = false;
  int iterations = 10, population = 24, worlds = 4;
};

MpcCorrection CorrectionFrom(const BiddingArgs& a) {
  MpcCorrection c = MpcCorrection::Learned();
  if (a.correction.empty()) return c;
  if (a.correction.size() != c.theta.size()) {
    throw std::invalid_argument(fmt::format(
        "--correction needs {} comma-separated weights (1, time left, time left^2, budget pace, "
        "constraint slack, log value calibration); got {}",
        c.theta.size(), a.correction.size()));
  }
  std::copy(a.correction.begin(), a.correction.end(), c.theta.begin());
  return c;
}

void RunReplay(const BiddingArgs& a) {
  std::vector<ReplayAuction> train, test;
  if (!a.train.empty() || !a.test.empty()) {
    if (a.train.empty() || a.test.empty()) {
      throw ReplayLogError("replay: give both --train FILE and --test FILE (or neither)");
    }
    train = ReadReplayLog(a.train);
    test = ReadReplayLog(a.test);
  } else {
    // Synthetic logs of one campaign: train on days 0-1, test on days 2-3 (different seed).
    ReplayLogSpec spec;
    spec.auctions = a.quick ? 50000 : 200000;
    spec.seed = a.seed;
    train = GenerateReplayLog(spec);
    spec.seed = a.seed + 1000003;
    spec.first_day = 2;
    test = GenerateReplayLog(spec);
    if (!a.write_logs.empty()) {
      std::filesystem::create_directories(a.write_logs);
      WriteReplayLog(std::filesystem::path(a.write_logs) / "train.txt", train);
      WriteReplayLog(std::filesystem::path(a.write_logs) / "test.txt", test);
      fmt::print(stderr, "wrote {}/train.txt and {}/test.txt\n", a.write_logs, a.write_logs);
    }
  }
  ReplayBenchOptions o;
  o.progress = true;
  const ReplayBenchResult r = RunReplayBench(train, test, o);
  if (a.json) {
    std::cout << ReplayBenchJson(r).dump() << "\n";
  } else {
    std::cout << FormatReplayTable(r);
  }
}

void RunAuction(const BiddingArgs& a) {
  AuctionBenchOptions o;
  o.quick = a.quick;
  o.seed = a.seed;
  if (a.opportunities) o.opportunities = a.opportunities;
  if (a.advertisers) o.evaluated_advertisers = a.advertisers;
  o.sweep = !a.json && !a.no_sweep;
  o.progress = true;
  if (!a.no_rl) o.correction = CorrectionFrom(a);
  const AuctionBenchResult r = RunAuctionBench(o);
  if (a.json) {
    std::cout << AuctionBenchJson(r).dump() << "\n";
  } else {
    std::cout << FormatAuctionTables(r);
  }
}

void RunLearn(const BiddingArgs& a) {
  PolicySearchOptions o;
  o.seed = a.seed;
  o.threads = a.threads;
  o.iterations = a.iterations;
  o.population = a.population;
  o.worlds = a.worlds;
  o.elite = std::max(1, o.population / 4);
  if (a.quick) {
    o.worlds = std::min(o.worlds, 2);
    o.agents_per_world = 2;
    o.validation_worlds = 1;
    o.opportunities = 20000;
    o.iterations = std::min(o.iterations, 3);
    o.population = std::min(o.population, 8);
    o.elite = 2;
  }
  o.progress = [](const std::string& line) {
    fmt::print(stderr, "{}\n", line);
    std::fflush(stderr);
  };
  const PolicySearchResult r = SearchMpcCorrection(o);
  if (a.json) {
    std::cout << nlohmann::json{{"theta", r.best.theta},
                                {"bound", r.best.bound},
                                {"episodes", r.episodes},
                                {"train",
                                 {{"mpc", r.mpc_ratio},
                                  {"learned", r.best_ratio},
                                  {"mpc_over_cpa_share", r.mpc_over_cpa},
                                  {"learned_over_cpa_share", r.best_over_cpa}}},
                                {"validation",
                                 {{"mpc", r.validation_mpc_ratio},
                                  {"learned", r.validation_best_ratio},
                                  {"mpc_over_cpa_share", r.validation_mpc_over_cpa},
                                  {"learned_over_cpa_share", r.validation_best_over_cpa}}},
                                {"history", r.history},
                                {"seconds", r.seconds}}
                     .dump()
              << "\n";
    return;
  }
  fmt::print(
      "learned correction {} (bound {}), {} training episodes, {:.0f} s\n"
      "training episodes: MPC alone {:.4f} of the oracle ({:.0f}% over CPA), with the correction "
      "{:.4f} ({:.0f}%)\n"
      "held-out worlds:   MPC alone {:.4f} of the oracle ({:.0f}% over CPA), with the correction "
      "{:.4f} ({:.0f}%)\n"
      "use it: chengfang bench bidding auction --correction {}\n",
      r.best.ToString(), r.best.bound, r.episodes, r.seconds, r.mpc_ratio, 100 * r.mpc_over_cpa,
      r.best_ratio, 100 * r.best_over_cpa, r.validation_mpc_ratio, 100 * r.validation_mpc_over_cpa,
      r.validation_best_ratio, 100 * r.validation_best_over_cpa,
      fmt::format("{:.4f}", fmt::join(r.best.theta, ",")));
}

void RunMarket(const BiddingArgs& a, const std::string& data_dir) {
  BenchMarketOptions o;
  o.quick = a.quick;
  o.seeds = a.seeds;
  o.threads = a.threads;
  o.days = a.days;
  o.users = a.users;
  o.policies = a.policies;
  o.seed = a.seed == 42 ? 0 : a.seed;
  o.data_dir = data_dir;
  o.progress = stderr;
  const nlohmann::json r = BenchMarket(o);
  if (a.json) {
    std::cout << r.dump() << "\n";
  } else {
    std::cout << FormatBenchMarket(r);
  }
}

template <typename F>
void Guard(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    fmt::print(stderr, "\nerror: {}\n", e.what());
    throw CLI::RuntimeError(2);
  }
}

}  // namespace

void AddBenchBiddingCommand(CLI::App* bench, const std::string* data_dir) {
  auto args = std::make_shared<BiddingArgs>();
  auto* bidding = bench->add_subcommand(
      "bidding", "Bidding benchmarks against the hindsight LP optimum (docs/bidding.md)");
  bidding->require_subcommand(1);
  auto* replay = bidding->add_subcommand(
      "replay", "RTB log replay: lin, mcpc, rlb, pid, online_lp, ours at c0 = 1/32 .. 1/2");
  auto* auction = bidding->add_subcommand(
      "auction", "AuctionNet-like 48-advertiser GSP auctions: ours, pid, online_lp, fixed_alpha");
  auto* learn = bidding->add_subcommand(
      "learn",
      "Learn the MPC's correction policy (auction tier's ours_rl) by cross-entropy policy search "
      "on simulated episodes of other seeds");
  auto* market = bidding->add_subcommand(
      "market",
      "The marketplace simulator: super plan (ours) vs the media buyer's manual plan vs a uniform "
      "split on the same traffic, with the global LP limit");
  for (auto* c : {replay, auction, market, learn}) {
    c->add_flag("--quick", args->quick, "Smaller run for tests and CI");
    c->add_flag("--json", args->json, "Print JSON only");
  }
  for (auto* c : {replay, auction}) {
    c->add_option("--seed", args->seed, "Random seed of the synthetic data (default 42)");
  }
  market->add_option("--seed", args->seed, "World seed (default 42)");
  market
      ->add_option("--seeds", args->seeds,
                   "Run seeds (traffic replications) per policy (default 3; --quick 1)")
      ->check(CLI::Range(1, 100));
  market->add_option("--days", args->days, "Flight days (default 7; --quick 3)")
      ->check(CLI::Range(1, 60));
  market->add_option("--users", args->users, "Simulated users (default 100000; --quick 30000)")
      ->check(CLI::Range(1000, 10000000));
  market
      ->add_option("--policies", args->policies,
                   "Which of ours, manual, uniform, ours_explore (the super plan with Thompson "
                   "sampling over cells) to run (default the first three)")
      ->delimiter(',');
  market->add_option("--threads", args->threads, "Runs in parallel (default 2)")
      ->check(CLI::Range(1, 64));
  replay->add_option("--train", args->train, "Train log (click market_price pctr per line)");
  replay->add_option("--test", args->test, "Test log, same format");
  replay->add_option("--write-logs", args->write_logs,
                     "Write the generated train/test logs to this folder");
  auction->add_option("--opportunities", args->opportunities,
                      "Impression opportunities per episode (default 500000; --quick 50000)");
  auction->add_option("--advertisers", args->advertisers,
                      "How many of the 48 advertisers take turns being the evaluated one");
  auction->add_flag("--no-sweep", args->no_sweep, "Only the default setting");
  auction
      ->add_option("--correction", args->correction,
                   "Weights of ours_rl's correction (6, comma-separated; default: the learned "
                   "ones, docs/bidding.md)")
      ->delimiter(',');
  auction->add_flag("--no-rl", args->no_rl, "Do not run ours_rl (the MPC with the correction)");
  learn->add_option("--seed", args->seed,
                    "First training world's seed (default 1000; held-out worlds from seed + 500)");
  learn->add_option("--iterations", args->iterations, "Cross-entropy iterations (default 10)")
      ->check(CLI::Range(1, 1000));
  learn->add_option("--population", args->population, "Candidates per iteration (default 24)")
      ->check(CLI::Range(2, 10000));
  learn->add_option("--worlds", args->worlds, "Training worlds, 3 episodes each (default 4)")
      ->check(CLI::Range(1, 1000));
  learn->add_option("--threads", args->threads, "Threads (default 2)")->check(CLI::Range(1, 64));
  learn->preparse_callback([args](size_t) { args->seed = 1000; });
  learn->callback([args] { Guard([&] { RunLearn(*args); }); });
  replay->callback([args] { Guard([&] { RunReplay(*args); }); });
  auction->callback([args] { Guard([&] { RunAuction(*args); }); });
  market->callback([args, data_dir] { Guard([&] { RunMarket(*args, *data_dir); }); });
}

}  // namespace cf
