#include "cli/bench_bidding_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "bidbench/auction_bench.h"
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
};

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
  const AuctionBenchResult r = RunAuctionBench(o);
  if (a.json) {
    std::cout << AuctionBenchJson(r).dump() << "\n";
  } else {
    std::cout << FormatAuctionTables(r);
  }
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
  auto* market = bidding->add_subcommand(
      "market",
      "The marketplace simulator: super plan (ours) vs the media buyer's manual plan vs a uniform "
      "split on the same traffic, with the global LP limit");
  for (auto* c : {replay, auction, market}) {
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
  replay->callback([args] { Guard([&] { RunReplay(*args); }); });
  auction->callback([args] { Guard([&] { RunAuction(*args); }); });
  market->callback([args, data_dir] { Guard([&] { RunMarket(*args, *data_dir); }); });
}

}  // namespace cf
