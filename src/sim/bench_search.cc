#include "sim/bench_search.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/mean_se.h"
#include "common/parallel_for.h"
#include "insight/kg_query_expansion.h"
#include "insight/knowledge_graph_products.h"
#include "market/faults.h"
#include "sim/loop_runner.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"

namespace cf {
namespace {

constexpr const char* kAllArms[] = {"none", "kg", "kg_only"};

double Ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

}  // namespace

nlohmann::json ScoreQueryUnderstanding(const WorldSpec& spec, const std::string& graph_file) {
  const kg::KgQueryExpansion x(
      kg::KnowledgeGraph::Load(graph_file.empty() ? kg::DefaultCuratedGraph()
                                                  : std::filesystem::path(graph_file)),
      spec.catalogue(), kg::KgQueryExpansion::Options{});
  const auto& texts = spec.query_texts();
  const auto& need_categories = spec.scenes().need_categories;
  size_t queries = 0, top1 = 0, top3 = 0, empty = 0;
  for (size_t need = 0; need < need_categories.size(); ++need) {
    const auto& truth = need_categories[need];
    for (bool zh : {true, false}) {
      for (uint32_t variant = 0; variant < 3; ++variant) {
        const auto cats = x.Expand(texts.at(spec.QueryIndex(static_cast<int>(need), zh, variant)));
        ++queries;
        if (cats.empty()) ++empty;
        for (size_t i = 0; i < cats.size() && i < 3; ++i) {
          if (std::find(truth.begin(), truth.end(), cats[i].first) != truth.end()) {
            top1 += i == 0;
            ++top3;
            break;
          }
        }
      }
    }
  }
  const double n = std::max<double>(1, static_cast<double>(queries));
  return {{"queries", queries},
          {"top1", static_cast<double>(top1) / n},
          {"top3", static_cast<double>(top3) / n},
          {"empty", static_cast<double>(empty) / n}};
}

nlohmann::json BenchSearch(const BenchSearchOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SimConfig c;
  if (options.quick) {
    c.scenario.days = 2;
    c.scenario.users = 20000;
  }
  if (options.days) c.scenario.days = options.days;
  if (options.users) c.scenario.users = options.users;
  const SimConfig defaults;
  c.scenario.our_budget = defaults.scenario.our_budget * c.scenario.days / defaults.scenario.days *
                          c.scenario.users / defaults.scenario.users;
  c.scenario.diagnosis = false;
  const int seeds = options.quick ? 1 : std::max(1, options.seeds);
  auto say = [&](const std::string& what) {
    if (!options.progress) return;
    fmt::print(options.progress, "{}\n", what);
    std::fflush(options.progress);
  };
  // Bad arms are refused before the world is built.
  std::vector<std::string> arms;
  for (const char* a : kAllArms) {
    if (options.arms.empty() ||
        std::find(options.arms.begin(), options.arms.end(), a) != options.arms.end()) {
      arms.push_back(a);
    }
  }
  for (const std::string& a : options.arms) {
    if (std::find(std::begin(kAllArms), std::end(kAllArms), a) == std::end(kAllArms)) {
      throw std::invalid_argument(
          fmt::format("unknown arm '{}'; use none, kg or kg_only (comma-separated)", a));
    }
  }
  const ScenarioWorld world = BuildScenarioWorld(c, options.data_dir, options.progress);
  const WorldSpec* spec = world.spec.get();
  const OurSelection& ours = world.ours;
  RunSetup base = MakeRunSetup("bench", *spec, *world.history, world.query_ids, ours, c);
  base.policy = "super_plan";
  base.faults = ResolveFaults(*spec, c.market.faults, ours.products);
  base.keep_events = false;

  nlohmann::json out;
  out["query_understanding"] = ScoreQueryUnderstanding(*spec, c.platform.knowledge_graph);

  const size_t num_arms = arms.size();
  const size_t n = static_cast<size_t>(seeds) * num_arms;
  std::vector<RunResult> results(n);
  say(fmt::format("{} runs ({} seeds x {} arms: {}) on {} threads", n, seeds, num_arms,
                  fmt::join(arms, ", "), options.threads));
  size_t done = 0;
  std::mutex mu;
  ParallelFor(n, options.threads, [&](size_t i) {
    RunSetup setup = base;
    setup.name = arms[i % num_arms];
    setup.platform.search_expansion = arms[i % num_arms];
    setup.run_seed = i / num_arms;
    results[i] = RunLoop(setup);
    const KpiTotals& s = results[i].market_by_channel[static_cast<size_t>(Channel::kSearch)];
    std::lock_guard lock(mu);
    ++done;
    say(
        fmt::format("[{}/{}] seed {} {}: search ads {} impressions, CTR {:.2f}%, {} purchases "
                    "({:.0f} s)",
                    done, n, i / num_arms, arms[i % num_arms], s.impressions, 100 * s.ctr(),
                    s.purchases, results[i].wall_seconds));
  });

  auto search_of = [&](size_t i) -> const KpiTotals& {
    return results[i].market_by_channel[static_cast<size_t>(Channel::kSearch)];
  };
  auto market_gmv = [&](size_t i) {
    double g = 0;
    for (const KpiTotals& k : results[i].market_by_channel) g += k.gmv.units();
    return g;
  };
  for (size_t a = 0; a < num_arms; ++a) {
    std::vector<double> imp, clk, pur, ctr, cvr, ppm, gmv, mg, og, oroi;
    for (int s = 0; s < seeds; ++s) {
      const size_t i = static_cast<size_t>(s) * num_arms + a;
      const KpiTotals& k = search_of(i);
      imp.push_back(static_cast<double>(k.impressions));
      clk.push_back(static_cast<double>(k.clicks));
      pur.push_back(static_cast<double>(k.purchases));
      ctr.push_back(k.ctr());
      cvr.push_back(k.cvr());
      ppm.push_back(1000.0 * Ratio(static_cast<double>(k.purchases), k.impressions));
      gmv.push_back(k.gmv.units());
      mg.push_back(market_gmv(i));
      og.push_back(results[i].ours.gmv.units());
      oroi.push_back(results[i].ours.roi());
    }
    nlohmann::json search;
    auto put = [](nlohmann::json& j, const char* key, const std::vector<double>& v) {
      const MeanSe m = Summarise(v);
      j[key] = m.mean;
      j[std::string(key) + "_se"] = m.se;
    };
    put(search, "impressions", imp);
    put(search, "clicks", clk);
    put(search, "purchases", pur);
    put(search, "ctr", ctr);
    put(search, "cvr", cvr);
    put(search, "purchases_per_mille", ppm);
    put(search, "gmv", gmv);
    nlohmann::json arm;
    arm["search"] = search;
    put(arm, "market_gmv", mg);
    put(arm, "our_gmv", og);
    put(arm, "our_roi", oroi);
    out["arms"][arms[a]] = arm;
  }
  // Ratios against "none" (the first arm when it ran).
  for (size_t a = 1; a < num_arms && arms[0] == "none"; ++a) {
    std::vector<double> pur, ctr, cvr, gmv, mg, og;
    for (int s = 0; s < seeds; ++s) {
      const size_t i = static_cast<size_t>(s) * num_arms, j = i + a;
      pur.push_back(Ratio(static_cast<double>(search_of(j).purchases), search_of(i).purchases));
      ctr.push_back(Ratio(search_of(j).ctr(), search_of(i).ctr()));
      cvr.push_back(Ratio(search_of(j).cvr(), search_of(i).cvr()));
      gmv.push_back(Ratio(search_of(j).gmv.units(), search_of(i).gmv.units()));
      mg.push_back(Ratio(market_gmv(j), market_gmv(i)));
      og.push_back(Ratio(results[j].ours.gmv.units(), results[i].ours.gmv.units()));
    }
    const MeanSe p = Summarise(pur);
    out[fmt::format("{}_vs_none", arms[a])] = {
        {"search_purchases", p.mean},        {"search_purchases_se", p.se},
        {"search_ctr", Summarise(ctr).mean}, {"search_cvr", Summarise(cvr).mean},
        {"search_gmv", Summarise(gmv).mean}, {"market_gmv", Summarise(mg).mean},
        {"our_gmv", Summarise(og).mean}};
  }
  out["seeds"] = seeds;
  out["users"] = c.scenario.users;
  out["days"] = c.scenario.days;
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string FormatBenchSearch(const nlohmann::json& r) {
  std::string s = fmt::format(
      "Search expansion in the market: {} users, {} days, {} seed(s), same traffic per seed\n\n",
      r["users"].get<int>(), r["days"].get<int>(), r["seeds"].get<int>());
  const auto& qu = r["query_understanding"];
  s += fmt::format(
      "The graph's reading of the market's {} query texts: the first category serves the "
      "searched need for {:.1f}%, one of the first three for {:.1f}%, nothing found for "
      "{:.1f}%\n\n",
      qu["queries"].get<int>(), 100 * qu["top1"].get<double>(), 100 * qu["top3"].get<double>(),
      100 * qu["empty"].get<double>());
  s += fmt::format("{:<9} {:>12} {:>8} {:>8} {:>10} {:>11} {:>12} {:>12} {:>10}\n", "arm",
                   "search imps", "CTR", "CVR", "purchases", "per 1,000", "search GMV",
                   "market GMV", "our GMV");
  for (const char* arm : kAllArms) {
    if (!r["arms"].contains(arm)) continue;
    const auto& a = r["arms"][arm];
    const auto& q = a["search"];
    s += fmt::format(
        "{:<9} {:>12.0f} {:>7.2f}% {:>7.2f}% {:>10.1f} {:>11.2f} {:>12.0f} {:>12.0f} {:>10.0f}\n",
        arm, q["impressions"].get<double>(), 100 * q["ctr"].get<double>(),
        100 * q["cvr"].get<double>(), q["purchases"].get<double>(),
        q["purchases_per_mille"].get<double>(), q["gmv"].get<double>(),
        a["market_gmv"].get<double>(), a["our_gmv"].get<double>());
  }
  for (const char* key : {"kg_vs_none", "kg_only_vs_none"}) {
    if (!r.contains(key)) continue;
    const auto& k = r[key];
    s += fmt::format(
        "\n{}: search purchases x{:.3f} +- {:.3f}, CTR x{:.3f}, CVR x{:.3f}, search GMV x{:.3f}, "
        "market ad GMV x{:.3f}, our GMV x{:.3f}",
        key, k["search_purchases"].get<double>(), k["search_purchases_se"].get<double>(),
        k["search_ctr"].get<double>(), k["search_cvr"].get<double>(), k["search_gmv"].get<double>(),
        k["market_gmv"].get<double>(), k["our_gmv"].get<double>());
  }
  s += fmt::format("\n\n{:.0f} s\n", r["seconds"].get<double>());
  return s;
}

}  // namespace cf
