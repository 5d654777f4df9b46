#include "cli/insight_ranking_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/event_log.h"
#include "common/json_config.h"
#include "insight/learned_response_predictor.h"
#include "insight/ranking_evaluation.h"
#include "insight/smoothed_count_predictor.h"
#include "insight/user_affinity.h"
#include "market/completejourney.h"
#include "market/history.h"
#include "market/world.h"
#include "sim/loop_runner.h"
#include "sim/simulation.h"

namespace cf {
namespace {

struct RankingEvalOptions {
  std::string config;
  bool quick = false;
  bool json = false;
  uint32_t days = 0;
  uint32_t holdout_days = 1;
  uint32_t users = 0;
  uint64_t seed = 0;
  bool seed_set = false;
};

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

nlohmann::json ToJson(const ProbabilityMetrics& m) {
  return {{"n", m.n},
          {"positives", m.positives},
          {"log_loss", m.log_loss},
          {"auc", m.auc},
          {"ece", m.ece},
          {"relative_calibration_error", m.relative_ece},
          {"mean_prediction", m.mean_prediction},
          {"observed_rate", m.observed_rate},
          {"mean_prediction_over_observed", m.ratio},
          {"bins", m.bins}};
}

int RunRankingEval(const RankingEvalOptions& o, const std::string& data_dir) {
  const auto t0 = Clock::now();
  SimConfig config = o.quick ? SimConfig::Quick() : SimConfig{};
  if (o.quick) config.scenario.days = 3;
  if (!o.config.empty()) {
    SimConfig file = SimConfig::Load(o.config);
    if (o.quick) file.scenario = config.scenario;  // --quick keeps its small world
    config = file;
  }
  if (o.days) config.scenario.days = o.days;
  if (o.users) config.scenario.users = o.users;
  if (o.seed_set) config.scenario.seed = o.seed;
  const ScenarioConfig& sc = config.scenario;
  if (o.holdout_days < 1 || o.holdout_days >= sc.days) {
    fmt::print(stderr,
               "error: --holdout-days {} must be at least 1 and less than the {} simulated days; "
               "raise --days or lower --holdout-days\n",
               o.holdout_days, sc.days);
    return 2;
  }
  auto stage = [](const std::string& what, double f) {
    fmt::print(stderr, "\rranking-eval: {:<40} {:5.1f}%", what, 100 * f);
    if (f >= 1) fmt::print(stderr, "\n");
  };
  LoadOptions lo;
  lo.max_products = sc.products;
  lo.merchants = sc.merchants;
  lo.seed = sc.seed;
  RealData data = LoadCompleteJourney(std::filesystem::path(data_dir) / "completejourney", lo);
  auto spec = WorldSpec::Build(std::move(data), config.market, sc.users, sc.days, sc.seed, stage);
  auto history = EventLog::InMemory();
  std::vector<QueryId> qids;
  GenerateHistory(*spec, *history, &qids,
                  [&](const std::string&, double f) { stage("pre-campaign history", f); });
  const OurSelection ours = ChooseOurMerchant(*spec, sc.our_products);
  RunSetup setup = MakeRunSetup("manual", *spec, *history, qids, ours, config);
  const Catalogue& cat = spec->catalogue();
  const SimMinute eval_start = spec->flight_start() + (sc.days - o.holdout_days) * kMinutesPerDay;

  std::vector<RankingEvaluation::Result> results;
  size_t train_imps = 0, eval_imps = 0, replayed = 0;
  double replay_s = 0;
  uint64_t learned_refits = 0;
  setup.inspect = [&](const EventLog& log, const Platform&) {
    const auto tr = Clock::now();
    UserAffinity affinity(cat, spec->users().size());
    affinity.Warm(*history);
    SmoothedCountPredictor smoothed(cat, affinity);
    LearnedResponsePredictor learned(cat, affinity);
    // The platform's warm-up: the history, user by user, after the affinity has seen it all.
    for (UserId u = 0; u < history->user_limit(); ++u) {
      history->History(u).ForEach([&](const Event& e) {
        smoothed.Observe(e);
        learned.Observe(e);
      });
    }
    RankingEvaluation eval({{"smoothed", &smoothed}, {"learned", &learned}}, &affinity, eval_start);
    const size_t total = log.size();
    log.ForEachInAppendOrder([&](const Event& e) {
      eval.Observe(e);
      if (++replayed % 2000000 == 0) stage("replaying the flight's events", 1.0 * replayed / total);
    });
    stage("replaying the flight's events", 1.0);
    results = eval.Results();
    train_imps = eval.training_impressions();
    eval_imps = eval.impressions();
    learned_refits = learned.refits();
    replay_s = Since(tr);
  };
  std::atomic<uint32_t> minute{0};
  setup.progress_minute = &minute;
  std::exception_ptr error;
  const auto ts = Clock::now();
  std::thread sim([&] {
    try {
      RunLoop(setup);
    } catch (...) {
      error = std::current_exception();
    }
  });
  const uint32_t total_minutes = sc.days * kMinutesPerDay;
  while (minute.load() < total_minutes && !error) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const double f = static_cast<double>(minute.load()) / total_minutes;
    const double s = Since(ts);
    fmt::print(stderr, "\rranking-eval: simulating day {}/{} ETA {:4.0f}s   ",
               std::min(sc.days, minute.load() / kMinutesPerDay + 1), sc.days,
               f > 0.01 ? s / f - s : 0.0);
  }
  sim.join();
  fmt::print(stderr, "\n");
  if (error) std::rethrow_exception(error);
  const double sim_s = Since(ts) - replay_s;

  nlohmann::json j = {{"days", sc.days},
                      {"holdout_days", o.holdout_days},
                      {"users", sc.users},
                      {"seed", sc.seed},
                      {"traffic_predictor", config.platform.predictor},
                      {"train_impressions", train_imps},
                      {"eval_impressions", eval_imps},
                      {"learned_refits", learned_refits},
                      {"simulate_seconds", sim_s},
                      {"replay_seconds", replay_s},
                      {"wall_seconds", Since(t0)}};
  for (const auto& r : results) {
    j[r.name] = {{"ctr", ToJson(r.ctr)}, {"cvr", ToJson(r.cvr)}, {"mean_value", r.mean_value}};
  }
  if (o.json) {
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  fmt::print(
      "ranking models on held-out day(s) {}..{} of {} ({} users, seed {}): {} impressions "
      "trained on, {} held out\n",
      sc.days - o.holdout_days + 1, sc.days, sc.days, sc.users, sc.seed, train_imps, eval_imps);
  fmt::print("{:<9} {:<4} {:>8} {:>9} {:>7} {:>9} {:>9} {:>11}\n", "model", "head", "n", "log loss",
             "AUC", "ECE", "rel. ECE", "pred / obs");
  for (const auto& r : results) {
    for (const auto& [head, m] : {std::pair{"ctr", &r.ctr}, std::pair{"cvr", &r.cvr}}) {
      fmt::print("{:<9} {:<4} {:>8} {:>9.5f} {:>7.4f} {:>9.5f} {:>9.3f} {:>11.3f}\n", r.name, head,
                 m->n, m->log_loss, m->auc, m->ece, m->relative_ece, m->ratio);
    }
  }
  return 0;
}

}  // namespace

void AddInsightRankingCommand(CLI::App& insight) {
  auto o = std::make_shared<RankingEvalOptions>();
  auto* cmd = insight.add_subcommand(
      "ranking-eval",
      "Evaluate the pCTR/pCVR ranking models (baseline counts vs the learned model) on held-out "
      "simulated days: log loss, AUC, calibration error");
  cmd->add_option("--config", o->config, "JSON config file (docs/config.md)");
  cmd->add_flag("--quick", o->quick, "A small world (3 days, 5,000 users) for CI");
  cmd->add_option("--days", o->days, "Simulated days (default: the config's; 3 with --quick)")
      ->check(CLI::Range(2, 365));
  cmd->add_option("--holdout-days", o->holdout_days, "Last days held out for scoring")
      ->capture_default_str();
  cmd->add_option("--users", o->users, "Simulated users")->check(CLI::Range(100, 10000000));
  cmd->add_option("--seed", o->seed, "Random seed");
  cmd->add_flag("--json", o->json, "Print JSON only");
  cmd->callback([o, cmd] {
    o->seed_set = cmd->count("--seed") > 0;
    const CLI::App* root = cmd;
    while (root->get_parent() != nullptr) root = root->get_parent();
    std::string data_dir = DefaultDataDir().string();
    if (auto* opt = root->get_option_no_throw("--data"); opt != nullptr && opt->count() > 0) {
      data_dir = opt->as<std::string>();
    }
    int rc = 0;
    try {
      rc = RunRankingEval(*o, data_dir);
    } catch (const ConfigError& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 2;
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 1;
    }
    if (rc != 0) throw CLI::RuntimeError(rc);
    throw CLI::Success();
  });
}

}  // namespace cf
