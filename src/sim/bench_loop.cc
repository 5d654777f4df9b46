#include "sim/bench_loop.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>

#include "market/competitors.h"
#include "market/completejourney.h"
#include "market/history.h"
#include "sim/loop_runner.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"

namespace cf {

double PeakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

nlohmann::json BenchLoop(const BenchLoopOptions& options) {
  // Every user holds a 10,000+ event history, so each decision works against long histories.
  SimConfig c;
  c.scenario.users = options.quick ? 300 : 2000;
  c.scenario.days = 1;
  c.scenario.products = options.quick ? 5000 : 20000;
  c.market.population.heavy_user_share = 1.0;
  c.market.population.heavy_min_events = 10000;
  c.market.population.heavy_max_events = 10500;
  // Same total traffic per user-day as the default world scaled to the smaller population.
  c.market.traffic.sessions_per_user_per_day = options.quick ? 100 : 150;
  c.market.faults.clear();
  LoadOptions lo;
  lo.max_products = c.scenario.products;
  lo.seed = c.scenario.seed;
  RealData data = LoadCompleteJourney(options.data_dir / "completejourney", lo);
  auto spec = WorldSpec::Build(std::move(data), c.market, c.scenario.users, 1, c.scenario.seed);
  auto history = EventLog::InMemory();
  std::vector<QueryId> qids;
  const HistoryStats hs = GenerateHistory(*spec, *history, &qids);
  const OurSelection ours = ChooseOurMerchant(*spec, 20);
  c.scenario.our_budget = 2000;
  RunSetup setup = MakeRunSetup("bench", *spec, *history, qids, ours, c);
  std::vector<float> lat;
  lat.reserve(4'000'000);
  setup.decision_us = &lat;
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = RunLoop(setup);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double q) {
    return lat.empty() ? 0.0 : lat[static_cast<size_t>(q * (lat.size() - 1))];
  };
  nlohmann::json j;
  j["impressions_per_second"] = (r.market.impressions + r.organic_views) / secs;
  j["ad_impressions_per_second"] = r.market.impressions / secs;
  j["ad_opportunities_per_second"] = r.opportunities / secs;
  j["p50_decision_us"] = pct(0.5);
  j["p99_decision_us"] = pct(0.99);
  j["history_events"] = hs.events;
  j["users"] = c.scenario.users;
  j["min_history_per_user"] = c.market.population.heavy_min_events;
  j["ad_opportunities"] = r.opportunities;
  j["ad_impressions"] = r.market.impressions;
  j["organic_views"] = r.organic_views;
  j["loop_seconds"] = secs;
  j["peak_rss_mb"] = PeakRssMb();
  return j;
}

}  // namespace cf
