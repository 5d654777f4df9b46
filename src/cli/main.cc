// chengfang: the command-line entry point. `chengfang run` is the main job (the simulated flight,
// manual vs autopilot); `chengfang bench loop` measures the loop.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/bench_bidding_command.h"
#include "cli/bench_creative_command.h"
#include "cli/bench_insight_command.h"
#include "cli/bench_search_command.h"
#include "cli/creative_command.h"
#include "cli/diagnose_command.h"
#include "cli/insight_command.h"
#include "cli/merchant_install.h"
#include "cli/serve_command.h"
#include "cli/thumbnail_studio.h"
#include "common/csv.h"
#include "common/event_log.h"
#include "common/json_config.h"
#include "market/completejourney.h"
#include "sim/bench_diagnosis.h"
#include "sim/bench_loop.h"
#include "sim/simulation.h"
#include "sim/summary_json.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Chengfang: an AI marketing loop (insight -> strategy -> content -> service -> "
      "transaction) and the marketplace simulation it is measured in."};
  app.require_subcommand(1);
  std::string data_dir = cf::DefaultDataDir().string();
  app.add_option("--data", data_dir, "Folder holding the shared data (completejourney/, ...)")
      ->envname("CHENGFANG_DATA");

  auto* run = app.add_subcommand("run",
                                 "Simulate a flight twice (manual media buyer vs autopilot) "
                                 "and write out/summary.json and out/report.html");
  std::string config_path, out_dir = "out";
  bool quick = false;
  uint32_t days = 0, users = 0;
  uint64_t seed = 0;
  run->add_option("--config", config_path, "JSON config file (docs/config.md); flags override it");
  run->add_option("--days", days, "Simulated days (default 7)")->check(CLI::Range(1, 365));
  run->add_option("--users", users, "Simulated users (default 100000)")
      ->check(CLI::Range(100, 10000000));
  run->add_option("--seed", seed, "Random seed (default 42)");
  run->add_option("--out", out_dir, "Output folder")->capture_default_str();
  run->add_flag("--quick", quick, "A small world (1 day, 5,000 users) for tests and CI");
  bool tap = false;
  run->add_flag("--tap", tap,
                "Record the evaluation tap (every auction's candidates with their true expected "
                "click, purchase and value) to out/<run>/tap.csv; large");

  bool creative_videos = false, no_creative_media = false;
  run->add_flag("--creative-videos", creative_videos,
                "Also render each of our creatives' videos (720x1280 MP4) into out/creatives/ in "
                "the background; by default only their scripts and thumbnails are made");
  run->add_flag("--no-creative-media", no_creative_media,
                "Make no scripts or thumbnails for our creatives (the report draws a card)")
      ->excludes("--creative-videos");

  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto* bench_loop = bench->add_subcommand("loop", "Throughput and decision latency of the loop");
  bool bench_quick = false, bench_json = false;
  bench_loop->add_flag("--quick", bench_quick, "Small version for CI");
  bench_loop->add_flag("--json", bench_json, "Print JSON only");
  auto* bench_diag = bench->add_subcommand(
      "diagnosis", "Live diagnosis against injected faults: detection, top-1 cause, delay");
  bool diag_quick = false, diag_json = false;
  int diag_cases = 50, diag_threads = 2;
  std::string diag_details;
  bool diag_no_apply = false;
  bench_diag->add_flag("--quick", diag_quick,
                       "One case per fault type and one fault-free (about 6 loop-minutes)");
  bench_diag->add_flag("--json", diag_json, "Print JSON only");
  bench_diag->add_option("--cases", diag_cases, "Cases per fault type (and fault-free)")
      ->check(CLI::Range(1, 1000));
  bench_diag->add_flag("--no-apply", diag_no_apply,
                       "Skip the second run per fault case that applies the suggested actions");
  bench_diag->add_option("--details", diag_details,
                         "Write each case's fault and findings to FILE (JSON lines)");
  bench_diag->add_option("--threads", diag_threads, "Cases run in parallel")
      ->check(CLI::Range(1, 64));
  cf::AddBenchBiddingCommand(bench, &data_dir);
  cf::AddBenchInsightCommand(bench);
  cf::AddBenchSearchCommand(bench, &data_dir);
  cf::AddBenchCreativeCommand(bench);

  auto* config_cmd = app.add_subcommand("config",
                                        "Print the default configuration (every key, "
                                        "with its default) as JSON");

  cf::AddDiagnoseCommand(app);

  cf::AddInsightCommand(app);

  cf::AddCreativeCommand(app);

  cf::AddMerchantServeCommands(app);

  CLI11_PARSE(app, argc, argv);
  if (*config_cmd) {
    std::cout << cf::SimConfig{}.ToJson().dump(2) << "\n";
    return 0;
  }
  try {
    if (*run) {
      cf::SimConfig config = quick ? cf::SimConfig::Quick() : cf::SimConfig{};
      // --quick starts from the small world; a config file changes only the keys it sets.
      if (!config_path.empty()) config = cf::SimConfig::Load(config_path, config);
      if (days) config.scenario.days = days;
      if (users) config.scenario.users = users;
      if (run->count("--seed")) config.scenario.seed = seed;
      if (tap) config.scenario.tap = true;
      cf::SimulationOptions options;
      options.data_dir = data_dir;
      options.out_dir = out_dir;
      if (!no_creative_media) {
        options.make_studio = [&](const cf::Catalogue& catalogue) {
          return std::make_unique<cf::ThumbnailStudio>(
              catalogue, cf::StudioOptions{.out_dir = out_dir, .videos = creative_videos});
        };
      }
      const cf::SimSummary summary = cf::RunSimulation(config, options);
      std::cout << cf::FormatRunTable(summary) << "\n";
      fmt::print(
          "wall time {:.1f} s, {:.0f} ad impressions/s\nwrote {}/summary.json and {}/report.html\n",
          summary.wall_seconds, summary.impressions_per_second, out_dir, out_dir);
      return 0;
    }
    if (*bench_diag) {
      cf::BenchDiagnosisOptions o;
      o.quick = diag_quick;
      o.cases_per_type = diag_cases;
      o.threads = diag_threads;
      o.details_out = diag_details;
      o.apply = !diag_no_apply;
      o.data_dir = data_dir;
      o.progress = stderr;
      const auto j = cf::BenchDiagnosis(o);
      std::cout << (diag_json ? j.dump() : j.dump(2)) << "\n";
      return 0;
    }
    if (*bench_loop) {
      cf::BenchLoopOptions o;
      o.quick = bench_quick;
      o.data_dir = data_dir;
      const auto j = cf::BenchLoop(o);
      if (bench_json) {
        std::cout << j.dump() << "\n";
      } else {
        std::cout << j.dump(2) << "\n";
      }
      return 0;
    }
  } catch (const cf::ConfigError& e) {
    fmt::print(stderr, "\nerror: {}\n", e.what());
    return 2;
  } catch (const cf::CsvError& e) {
    fmt::print(stderr, "\nerror: {}\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "\nerror: {}\n", e.what());
    return 1;
  }
  return 0;
}
