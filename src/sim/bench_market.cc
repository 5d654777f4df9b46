#include "sim/bench_market.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/mean_se.h"
#include "common/parallel_for.h"
#include "market/faults.h"
#include "sim/loop_runner.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"

namespace cf {
namespace {

struct Policy {
  const char* key;     // in the JSON
  const char* policy;  // RunSetup::policy
  bool by_default = true;
  bool thompson_cells = false;  // PilotOptions::thompson_cells
};
constexpr Policy kPolicies[] = {{"ours", "super_plan"},
                                {"manual", "media_buyer"},
                                {"uniform", "uniform"},
                                {"ours_explore", "super_plan", false, true}};

}  // namespace

nlohmann::json BenchMarket(const BenchMarketOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SimConfig c;
  if (options.quick) {
    c.scenario.days = 3;
    c.scenario.users = 30000;
  }
  if (options.days) c.scenario.days = options.days;
  if (options.users) c.scenario.users = options.users;
  if (options.seed) c.scenario.seed = options.seed;
  // The default budget is for 7 days of 100,000 users; other worlds get it in proportion.
  const SimConfig defaults;
  c.scenario.our_budget = defaults.scenario.our_budget * c.scenario.days / defaults.scenario.days *
                          c.scenario.users / defaults.scenario.users;
  c.scenario.diagnosis = false;  // findings change no bid; the benchmark does not need them
  const int seeds = options.quick ? 1 : std::max(1, options.seeds);
  std::vector<Policy> policies;
  for (const Policy& p : kPolicies) {
    if ((options.policies.empty() && p.by_default) ||
        std::find(options.policies.begin(), options.policies.end(), p.key) !=
            options.policies.end()) {
      policies.push_back(p);
    }
  }
  for (const std::string& k : options.policies) {
    if (std::none_of(std::begin(kPolicies), std::end(kPolicies),
                     [&](const Policy& p) { return k == p.key; })) {
      throw std::invalid_argument(
          fmt::format("unknown policy '{}'; use ours, manual, uniform or ours_explore", k));
    }
  }
  const size_t num_policies = policies.size();

  auto say = [&](const std::string& what) {
    if (!options.progress) return;
    fmt::print(options.progress, "{}\n", what);
    std::fflush(options.progress);
  };
  const ScenarioWorld world = BuildScenarioWorld(c, options.data_dir, options.progress);
  const WorldSpec* spec = world.spec.get();
  const OurSelection& ours = world.ours;
  RunSetup base = MakeRunSetup("bench", *spec, *world.history, world.query_ids, ours, c);
  base.faults = ResolveFaults(*spec, c.market.faults, ours.products);
  base.keep_events = false;
  base.lp_limit = true;

  // A job: one policy on one run seed; `budget` > 0 replaces the flight budget.
  struct Job {
    Policy policy;
    uint64_t run_seed = 0;
    double budget = 0;
    RunResult* out = nullptr;
  };
  const int threads = std::max(1, options.threads);
  size_t done = 0, total = 0;
  auto run_jobs = [&](std::vector<Job>& jobs) {
    std::mutex mu;
    ParallelFor(jobs.size(), threads, [&](size_t i) {
      const Job& j = jobs[i];
      RunSetup setup = base;
      setup.name = j.policy.key;
      setup.policy = j.policy.policy;
      setup.pilot.thompson_cells = j.policy.thompson_cells;
      setup.run_seed = j.run_seed;  // 0: the scenario's own draws, as `chengfang run`
      if (j.budget > 0) {
        setup.our_plan.total_budget = Money::FromUnits(j.budget);
        setup.our_plan.daily_budget = Money::FromUnits(j.budget / c.scenario.days);
      }
      *j.out = RunLoop(setup);
      const RunResult& r = *j.out;
      std::lock_guard lock(mu);
      ++done;
      say(fmt::format(
          "[{}/{}] seed {} {}{}: spend {:.2f}, GMV {:.2f}, ROI {:.2f}, LP limit {:.2f} ({:.0f} "
          "s)",
          done, total, j.run_seed, j.policy.key,
          j.budget > 0 ? fmt::format(" (budget {:.2f})", j.budget) : std::string(),
          r.ours.spend.units(), r.ours.gmv.units(), r.ours.roi(), r.lp_limit.value,
          r.wall_seconds));
    });
  };

  const size_t n = static_cast<size_t>(seeds) * num_policies;
  const bool both = num_policies >= 2 && std::string(policies[0].key) == "ours" &&
                    std::string(policies[1].key) == "manual";
  std::vector<RunResult> results(n), equal_spend(both ? seeds : 0);
  total = n + equal_spend.size();
  say(fmt::format("{} runs ({} seeds x {} policies{}) on {} threads", total, seeds, num_policies,
                  both ? ", then ours again with the manual run's spend as its budget" : "",
                  threads));
  std::vector<Job> jobs;
  for (size_t i = 0; i < n; ++i) {
    jobs.push_back({policies[i % num_policies], i / num_policies, 0.0, &results[i]});
  }
  run_jobs(jobs);
  // GMV at equal spend: the super plan again, its budget what the media buyer spent on that seed.
  jobs.clear();
  for (size_t s = 0; s < equal_spend.size(); ++s) {
    const double spent = results[s * num_policies + 1].ours.spend.units();
    if (spent > 0) jobs.push_back({policies[0], s, spent, &equal_spend[s]});
  }
  run_jobs(jobs);

  nlohmann::json out;
  nlohmann::json runs = nlohmann::json::array();
  std::vector<double> limit_value(seeds), limit_cost(seeds);
  for (int s = 0; s < seeds; ++s) {
    for (size_t p = 0; p < num_policies; ++p) {
      const LpLimit& l = results[s * num_policies + p].lp_limit;
      if (l.value > limit_value[s]) {
        limit_value[s] = l.value;
        limit_cost[s] = l.cost;
      }
    }
  }
  std::vector<double> gmv_ratio, roi_ratio, spend_ratio;
  for (size_t p = 0; p < num_policies; ++p) {
    std::vector<double> gmv, spend, roi, frac, expected;
    uint32_t on_target = 0, days = 0;
    for (int s = 0; s < seeds; ++s) {
      const RunResult& r = results[s * num_policies + p];
      gmv.push_back(r.ours.gmv.units());
      spend.push_back(r.ours.spend.units());
      roi.push_back(r.ours.roi());
      expected.push_back(r.lp_limit.won_value);
      frac.push_back(limit_value[s] > 0 ? r.lp_limit.won_value / limit_value[s] : 0.0);
      on_target += r.days_on_target;
      days += static_cast<uint32_t>(r.daily.size());
      runs.push_back({{"policy", policies[p].key},
                      {"run_seed", s},
                      {"gmv", r.ours.gmv.units()},
                      {"spend", r.ours.spend.units()},
                      {"roi", r.ours.roi()},
                      {"days_on_target", r.days_on_target},
                      {"days", r.daily.size()},
                      {"expected_gmv", r.lp_limit.won_value},
                      {"expected_cost", r.lp_limit.won_cost},
                      {"own_lp_limit", r.lp_limit.value},
                      {"lp_fraction", frac.back()},
                      {"seconds", r.wall_seconds}});
    }
    const MeanSe g = Summarise(gmv), sp = Summarise(spend), ro = Summarise(roi),
                 f = Summarise(frac);
    out[policies[p].key] = {{"gmv", g.mean},
                            {"gmv_se", g.se},
                            {"spend", sp.mean},
                            {"spend_se", sp.se},
                            {"roi", ro.mean},
                            {"roi_se", ro.se},
                            {"days_on_target", on_target},
                            {"days", days},
                            {"lp_fraction", f.mean},
                            {"lp_fraction_se", f.se},
                            {"expected_gmv", Summarise(expected).mean}};
  }
  std::vector<double> equal_gmv_ratio, equal_roi_ratio;
  for (int s = 0; s < seeds && both; ++s) {
    const RunResult& o = results[s * num_policies + 0];
    const RunResult& m = results[s * num_policies + 1];
    const RunResult& e = equal_spend[s];
    if (m.ours.gmv.units() > 0 && e.ours.spend.micros() > 0) {
      equal_gmv_ratio.push_back(e.ours.gmv.units() / m.ours.gmv.units());
      equal_roi_ratio.push_back(e.ours.roi() / m.ours.roi());
      runs.push_back({{"policy", "ours_equal_spend"},
                      {"run_seed", s},
                      {"budget", m.ours.spend.units()},
                      {"gmv", e.ours.gmv.units()},
                      {"spend", e.ours.spend.units()},
                      {"roi", e.ours.roi()},
                      {"days_on_target", e.days_on_target},
                      {"days", e.daily.size()},
                      {"seconds", e.wall_seconds}});
    }
    if (m.ours.gmv.units() > 0) gmv_ratio.push_back(o.ours.gmv.units() / m.ours.gmv.units());
    if (m.ours.roi() > 0) roi_ratio.push_back(o.ours.roi() / m.ours.roi());
    if (m.ours.spend.units() > 0)
      spend_ratio.push_back(o.ours.spend.units() / m.ours.spend.units());
  }
  const MeanSe gr = Summarise(gmv_ratio), rr = Summarise(roi_ratio);
  const MeanSe er = Summarise(equal_gmv_ratio), eroi = Summarise(equal_roi_ratio);
  if (both) {
    out["ours_vs_manual"] = {{"gmv_ratio", gr.mean},
                             {"gmv_ratio_se", gr.se},
                             {"roi_ratio", rr.mean},
                             {"roi_ratio_se", rr.se},
                             {"spend_ratio", Summarise(spend_ratio).mean},
                             {"gmv_ratio_equal_spend", er.mean},
                             {"gmv_ratio_equal_spend_se", er.se},
                             {"roi_ratio_equal_spend", eroi.mean}};
    uint32_t on_target = 0, days = 0;
    std::vector<double> gmv, spend;
    for (const RunResult& e : equal_spend) {
      on_target += e.days_on_target;
      days += static_cast<uint32_t>(e.daily.size());
      gmv.push_back(e.ours.gmv.units());
      spend.push_back(e.ours.spend.units());
    }
    out["ours_equal_spend"] = {{"gmv", Summarise(gmv).mean},
                               {"gmv_se", Summarise(gmv).se},
                               {"spend", Summarise(spend).mean},
                               {"days_on_target", on_target},
                               {"days", days}};
  }
  out["lp_limit"] = {{"gmv", Summarise(limit_value).mean}, {"cost", Summarise(limit_cost).mean}};
  out["goal_roi"] = c.scenario.our_goal_roi;
  out["budget"] = c.scenario.our_budget;
  out["seeds"] = seeds;
  out["users"] = c.scenario.users;
  out["flight_days"] = c.scenario.days;
  out["runs"] = std::move(runs);
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string FormatBenchMarket(const nlohmann::json& r) {
  std::string s = fmt::format(
      "market tier: {} users, {} days, budget {:.2f}, goal ROI {:.2f}, {} seed(s); mean +- "
      "standard error over seeds\n\n",
      r["users"].get<uint32_t>(), r["flight_days"].get<uint32_t>(), r["budget"].get<double>(),
      r["goal_roi"].get<double>(), r["seeds"].get<int>());
  s += fmt::format("{:<9} {:>20} {:>18} {:>14} {:>15} {:>18}\n", "policy", "GMV", "spend", "ROI",
                   "days on target", "share of LP limit");
  for (const char* k : {"ours", "manual", "uniform", "ours_explore"}) {
    if (!r.contains(k)) continue;
    const nlohmann::json& p = r[k];
    s += fmt::format(
        "{:<9} {:>11.2f} +- {:>5.2f} {:>9.2f} +- {:>5.2f} {:>6.2f} +- {:.2f} {:>9}/{:<5} "
        "{:>10.3f} +- {:.3f}\n",
        k, p["gmv"].get<double>(), p["gmv_se"].get<double>(), p["spend"].get<double>(),
        p["spend_se"].get<double>(), p["roi"].get<double>(), p["roi_se"].get<double>(),
        p["days_on_target"].get<uint32_t>(), p["days"].get<uint32_t>(),
        p["lp_fraction"].get<double>(), p["lp_fraction_se"].get<double>());
  }
  s += fmt::format("\nLP limit (oracle): expected GMV {:.2f} at expected cost {:.2f}\n",
                   r["lp_limit"]["gmv"].get<double>(), r["lp_limit"]["cost"].get<double>());
  if (r.contains("ours_vs_manual")) {
    const nlohmann::json& v = r["ours_vs_manual"];
    s += fmt::format("ours / manual: GMV x{:.3f} +- {:.3f}, ROI x{:.3f} +- {:.3f}, spend x{:.3f}\n",
                     v["gmv_ratio"].get<double>(), v["gmv_ratio_se"].get<double>(),
                     v["roi_ratio"].get<double>(), v["roi_ratio_se"].get<double>(),
                     v["spend_ratio"].get<double>());
    const nlohmann::json& e = r["ours_equal_spend"];
    s += fmt::format(
        "ours with the manual run's spend as its budget: spend {:.2f}, GMV {:.2f} +- {:.2f} "
        "(x{:.3f} +- {:.3f} the manual plan's: GMV at equal spend), ROI x{:.3f}, goal met on "
        "{}/{} days\n",
        e["spend"].get<double>(), e["gmv"].get<double>(), e["gmv_se"].get<double>(),
        v["gmv_ratio_equal_spend"].get<double>(), v["gmv_ratio_equal_spend_se"].get<double>(),
        v["roi_ratio_equal_spend"].get<double>(), e["days_on_target"].get<uint32_t>(),
        e["days"].get<uint32_t>());
  }
  s += fmt::format("{:.0f} s\n", r["seconds"].get<double>());
  return s;
}

}  // namespace cf
