#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "common/json_config.h"
#include "diagnosis/diagnosis_journal.h"
#include "market/competitors.h"
#include "market/completejourney.h"
#include "market/faults.h"
#include "market/history.h"
#include "market/world.h"
#include "sim/bench_search.h"
#include "sim/calibration.h"
#include "sim/loop_runner.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"
#include "sim/summary_json.h"

namespace cf {

[[maybe_unused]] static void PrintTo(const Money& m, std::ostream* os) { *os << m.ToString(); }

namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return DefaultDataDir(); }
bool HaveData() { return fs::exists(DataDir() / "completejourney" / "products.csv"); }

#define CF_REQUIRE_DATA()                                                             \
  do {                                                                                \
    if (!HaveData()) {                                                                \
      GTEST_SKIP() << "Complete Journey data not found at "                           \
                   << (DataDir() / "completejourney").string()                        \
                   << " (set CHENGFANG_DATA to the folder holding completejourney/)"; \
    }                                                                                 \
  } while (0)

SimSummary RunQuick(uint64_t seed) {
  SimConfig c = SimConfig::Quick();
  c.scenario.seed = seed;
  // Both runs under the media buyer: the checks below compare them to the last micro. The super
  // plan (the default autopilot) is measured by `bench bidding market` and SuperPlanRun below.
  c.scenario.autopilot = "media_buyer";
  SimulationOptions o;
  o.data_dir = DataDir();
  o.progress_out = nullptr;
  o.write_files = false;
  return RunSimulation(c, o);
}

// Cached per test process: several checks look at the default quick run.
const SimSummary& Quick42() {
  static const SimSummary s = RunQuick(42);
  return s;
}

// The summary without the fields that measure the machine rather than the simulation.
nlohmann::json Comparable(const SimSummary& s) {
  nlohmann::json j = SummaryToJson(s);
  j.erase("wall_seconds");
  j.erase("impressions_per_second");
  return j;
}

std::string CalibrationTable(const std::vector<CalibrationRow>& rows) {
  std::string out = "calibration (quick world):\n";
  for (const CalibrationRow& r : rows) {
    out += fmt::format("  {:<55} {:>10.4f} {:<6} target {:<32} {}\n", r.fact, r.simulated, r.unit,
                       r.target, r.within ? "within" : "OUTSIDE");
  }
  return out;
}

TEST(Simulation, SameSeedGivesIdenticalSummary) {
  CF_REQUIRE_DATA();
  const nlohmann::json a = Comparable(Quick42());
  const nlohmann::json b = Comparable(RunQuick(42));
  EXPECT_EQ(a, b) << "diff: " << nlohmann::json::diff(a, b).dump(1);
  // The run did something worth comparing.
  EXPECT_GT(a["runs"]["manual"]["market"]["impressions"].get<uint64_t>(), 1000u);
  EXPECT_GT(a["runs"]["manual"]["ours"]["clicks"].get<uint64_t>(), 0u);
  EXPECT_GT(a["history_events"].get<uint64_t>(), 0u);
}

TEST(Simulation, OtherSeedGivesDifferentSummary) {
  CF_REQUIRE_DATA();
  const nlohmann::json a = Comparable(Quick42());
  const nlohmann::json b = Comparable(RunQuick(43));
  EXPECT_EQ(b["seed"], 43);
  EXPECT_NE(a["runs"]["manual"]["market"], b["runs"]["manual"]["market"]);
  EXPECT_NE(a["history_events"], b["history_events"]);
}

// Both runs under the media-buyer policy, over the same world with common random numbers: they
// must agree to the last micro, hour by hour.
TEST(Simulation, ManualAndAutopilotAreIdenticalUnderTheSamePolicy) {
  CF_REQUIRE_DATA();
  const SimSummary& s = Quick42();
  ASSERT_EQ(s.runs.count("manual"), 1u);
  ASSERT_EQ(s.runs.count("autopilot"), 1u);
  const nlohmann::json j = SummaryToJson(s);
  EXPECT_EQ(j["runs"]["manual"], j["runs"]["autopilot"])
      << nlohmann::json::diff(j["runs"]["manual"], j["runs"]["autopilot"]).dump(1);
  const RunResult& m = s.runs.at("manual");
  const RunResult& a = s.runs.at("autopilot");
  EXPECT_EQ(m.ours.spend, a.ours.spend);
  EXPECT_EQ(m.market.gmv, a.market.gmv);
  ASSERT_EQ(m.hourly.size(), a.hourly.size());
  ASSERT_EQ(m.hourly.size(), 24u);
  for (size_t h = 0; h < m.hourly.size(); ++h) {
    EXPECT_EQ(m.hourly[h].ours.spend, a.hourly[h].ours.spend) << "hour " << h;
    EXPECT_EQ(m.hourly[h].market.clicks, a.hourly[h].market.clicks) << "hour " << h;
    EXPECT_EQ(m.hourly[h].market.gmv, a.hourly[h].market.gmv) << "hour " << h;
  }
  EXPECT_LE(m.ours.spend, m.ours.budget);
}

// The default autopilot is the super plan: the autopilot run is steered by alpha, stays within the
// budget, and both runs carry the share of one common LP limit.
TEST(Simulation, SuperPlanRunsTheAutopilotByDefault) {
  CF_REQUIRE_DATA();
  SimConfig c = SimConfig::Quick();
  ASSERT_EQ(c.scenario.autopilot, "super_plan");
  SimulationOptions o;
  o.data_dir = DataDir();
  o.progress_out = nullptr;
  o.write_files = false;
  const SimSummary s = RunSimulation(c, o);
  const RunResult& m = s.runs.at("manual");
  const RunResult& a = s.runs.at("autopilot");
  EXPECT_NE(a.policy_description.find("super plan"), std::string::npos) << a.policy_description;
  bool steered = false;
  for (const HourPoint& h : a.hourly) steered |= h.alpha > 0;
  EXPECT_TRUE(steered);
  EXPECT_GT(a.ours.spend.micros(), 0);
  EXPECT_LE(a.ours.spend, a.ours.budget);
  ASSERT_TRUE(a.lp_limit.measured);
  ASSERT_TRUE(m.lp_limit.measured);
  EXPECT_EQ(a.lp_limit.value, m.lp_limit.value) << "one limit for both runs";
  EXPECT_GT(a.lp_limit.value, 0);
  EXPECT_GT(m.lp_limit.won_value, 0);
}

// A two-day quick world with our merchant chosen, for driving RunLoop directly.
struct LoopWorld {
  SimConfig config = SimConfig::Quick();
  std::unique_ptr<WorldSpec> spec;
  std::unique_ptr<EventLog> history;
  std::vector<QueryId> qids;
  OurSelection ours;

  explicit LoopWorld(uint32_t days = 2, uint32_t users = 0, double sessions = 0) {
    config.scenario.days = days;
    if (users) config.scenario.users = users;
    if (sessions > 0) config.market.traffic.sessions_per_user_per_day = sessions;
    const ScenarioConfig& sc = config.scenario;
    LoadOptions lo;
    lo.max_products = sc.products;
    lo.merchants = sc.merchants;
    lo.seed = sc.seed;
    spec = WorldSpec::Build(LoadCompleteJourney(DataDir() / "completejourney", lo), config.market,
                            sc.users, sc.days, sc.seed);
    history = EventLog::InMemory();
    GenerateHistory(*spec, *history, &qids);
    ours = ChooseOurMerchant(*spec, sc.our_products);
  }

  // Our plan with the given budgets; competitors as in RunSimulation.
  RunSetup Setup(double our_total, double our_daily) const {
    RunSetup setup = MakeRunSetup("test", *spec, *history, qids, ours, config);
    setup.our_plan.total_budget = Money::FromUnits(our_total);
    setup.our_plan.daily_budget = Money::FromUnits(our_daily);
    return setup;
  }
};

// Our spend per flight hour [from, to).
Money OurSpend(const RunResult& r, uint32_t from, uint32_t to) {
  Money m;
  for (uint32_t h = from; h < to && h < r.hourly.size(); ++h) m += r.hourly[h].ours.spend;
  return m;
}

// Budgets are hard limits: a two-day quick world where our budget and the competitors' budgets are
// small enough to bind, plus an account that runs dry for a day. After the run, no plan has spent
// more than its total budget, ours stayed within each day's budget and within the cap while dry,
// and the ledger agrees with the charges written to the event log.
TEST(Simulation, NoPlanSpendsMoreThanItsBudget) {
  CF_REQUIRE_DATA();
  const LoopWorld w;
  RunSetup setup = w.Setup(7.0, 5.0);
  // Our account runs dry from 12:00 on day 1 to 12:00 on day 2: 30% of the daily budget.
  setup.faults =
      ResolveFaults(*w.spec, {{"budget_exhaustion", 0.5, 24, 0.3, "ours"}}, w.ours.products);
  for (AdPlan& p : setup.competitor_plans) {
    // A unit or two a day: many competitors run out of their daily budget, then of their total.
    p.daily_budget = p.daily_budget.Scale(0.005);
    p.total_budget = p.daily_budget.Scale(1.5);
  }

  struct PlanSpend {
    Money total_budget, spent_total, logged;
  };
  std::vector<PlanSpend> seen;
  setup.inspect = [&](const EventLog& log, const Platform& platform) {
    const BudgetLedger& ledger = platform.ledger();
    seen.resize(ledger.size());
    for (PlanId p = 0; p < ledger.size(); ++p) {
      seen[p].total_budget = ledger.total_budget(p);
      seen[p].spent_total = ledger.spent_total(p);
      EXPECT_EQ(platform.stats(p).total.spend, ledger.spent_total(p)) << "plan " << p;
    }
    log.ForEachInAppendOrder([&](const Event& e) {
      if ((e.type == EventType::kImpression || e.type == EventType::kClick) && e.plan != kNoId) {
        seen.at(e.plan).logged += Money::Micros(e.money);
      }
    });
  };
  const RunResult r = RunLoop(setup);

  ASSERT_EQ(seen.size(), setup.competitor_plans.size() + 1);
  int exhausted = 0;
  for (PlanId p = 0; p < seen.size(); ++p) {
    EXPECT_LE(seen[p].spent_total, seen[p].total_budget) << "plan " << p;
    EXPECT_EQ(seen[p].logged, seen[p].spent_total) << "plan " << p;
    exhausted += seen[p].spent_total.units() >= 0.8 * seen[p].total_budget.units();
  }
  // The budgets did bind: otherwise this test would prove nothing.
  EXPECT_GT(exhausted, static_cast<int>(seen.size()) / 4) << "of " << seen.size() << " plans";

  // Ours: within the total, within each day's budget, and within the cap while the account was dry.
  EXPECT_LE(r.ours.spend, r.ours.budget);
  EXPECT_EQ(r.ours.budget, Money::FromUnits(7.0));
  EXPECT_EQ(seen.back().spent_total, r.ours.spend);
  ASSERT_EQ(r.hourly.size(), 48u);
  const Money cap = Money::FromUnits(5.0).Scale(0.3);
  EXPECT_LE(OurSpend(r, 0, 24), Money::FromUnits(5.0));
  EXPECT_LE(OurSpend(r, 24, 48), Money::FromUnits(5.0));
  EXPECT_LE(OurSpend(r, 12, 24), cap);
  EXPECT_LE(OurSpend(r, 24, 36), cap);
  EXPECT_GT(r.ours.spend.units(), 0.5 * 7.0);  // our budget bound too
}

// A budget_exhaustion fault ends at its labelled end: from then on the plan may spend the rest of
// its daily budget again.
TEST(Simulation, BudgetExhaustionEndsWithItsFault) {
  CF_REQUIRE_DATA();
  const LoopWorld w;
  RunSetup setup = w.Setup(20.0, 8.0);
  // The baseline insight: in this small world the learned one wins the plan its whole day's budget
  // by 10:00, and the check below needs spend after noon without the fault.
  setup.platform.predictor = "smoothed";
  setup.faults =
      ResolveFaults(*w.spec, {{"budget_exhaustion", 0.25, 6, 0.02, "ours"}}, w.ours.products);
  const RunResult dry = RunLoop(setup);
  const Money cap = Money::FromUnits(8.0).Scale(0.02);
  EXPECT_LE(OurSpend(dry, 6, 12), cap);
  // Without the fault the plan spends well over the cap in the rest of the day ...
  setup.faults.clear();
  const RunResult normal = RunLoop(setup);
  ASSERT_GT(OurSpend(normal, 12, 24), cap + cap);
  // ... and after the fault has ended it must be able to do so again.
  EXPECT_GT(OurSpend(dry, 6, 24), cap)
      << "spend after the fault ended: " << OurSpend(dry, 12, 24).ToString();
}

// The quick world reproduces these calibration rows (seed 42). The full table is printed on
// failure.
// A finished run diagnosed again from its files (the event log and the diagnosis journal) gives
// the findings the run reported as it went: same hours, causes and reports.
// A small world's plan has little hourly evidence: the monitors' thresholds are lowered so that a
// fault raises findings (day 0 is the baseline of day 1).
void LowerMonitorThresholds(RunSetup& setup) {
  diagnosis::MonitorOptions& mo = setup.diagnosis_options.monitor;
  mo.min_history_days = 1;
  mo.min_impressions = 100;
  mo.min_clicks = 5;
  mo.min_purchases = 1;
  mo.min_auctions = 100;
  mo.z_warn = 2.5;
  mo.z_critical = 4;
}

TEST(Simulation, AppliedDiagnosisSuggestionsFixTheTracking) {
  // The merchant applies the alarms' suggestions: a tracking outage, diagnosed, is "checked" and
  // fixed within the hour, so purchases are tracked again while the outage would still run.
  CF_REQUIRE_DATA();
  const LoopWorld w(2, 10000, 7.0);
  RunSetup setup = w.Setup(1000.0, 500.0);
  LowerMonitorThresholds(setup);
  setup.faults = ResolveFaults(*w.spec, {{"tracking_outage", 1.3, 16, 0, "ours"}}, w.ours.products);
  const SimMinute fault_end = setup.faults[0].end - w.spec->flight_start();
  const RunResult plain = RunLoop(setup);
  setup.apply_diagnosis_actions = true;
  const RunResult applied = RunLoop(setup);

  // The first alarm that names the outage, and the fix it led to.
  uint32_t named = 0;
  for (const DiagnosisNote& d : applied.diagnoses) {
    if (!d.notice && d.cause == "tracking_outage") {
      named = d.minute;
      break;
    }
  }
  ASSERT_GT(named, 0u) << "the outage was not diagnosed; the test needs the alarm";
  ASSERT_LT(named + 120, static_cast<uint32_t>(fault_end)) << "diagnosed too late to show a fix";
  bool fix_logged = false;
  for (const PlanAction& a : applied.actions) {
    fix_logged |= a.minute == named &&
                  a.text.find("diagnosis suggestion applied: conversion tracking checked") !=
                      std::string::npos;
  }
  EXPECT_TRUE(fix_logged);
  // Between the fix (an hour after the alarm) and the outage's scheduled end: purchases tracked
  // only where the suggestion was applied.
  auto tracked = [&](const RunResult& r) {
    uint64_t n = 0;
    for (const HourPoint& h : r.hourly) {
      if (h.hour * 60 >= named + 60 && h.hour * 60 + 60 <= static_cast<uint32_t>(fault_end)) {
        n += h.ours.purchases;
      }
    }
    return n;
  };
  EXPECT_EQ(tracked(plain), 0u);
  EXPECT_GT(tracked(applied), 0u);
  // Without the setting, nothing is applied.
  for (const PlanAction& a : plain.actions) {
    EXPECT_EQ(a.text.find("diagnosis suggestion applied"), std::string::npos) << a.text;
  }
}

TEST(Simulation, ReplayingTheDiagnosisJournalGivesTheLiveFindings) {
  CF_REQUIRE_DATA();
  const LoopWorld w(2, 10000, 7.0);
  RunSetup setup = w.Setup(1000.0, 500.0);
  // What is tested is that the replay reproduces the findings, not detection quality.
  LowerMonitorThresholds(setup);
  setup.faults =
      ResolveFaults(*w.spec, {{"budget_exhaustion", 1.3, 12, 0.05, "ours"}}, w.ours.products);
  const fs::path dir = fs::temp_directory_path() / fmt::format("cf_journal_{}", ::getpid());
  fs::create_directories(dir);
  setup.event_log = dir / "events.cflog";
  setup.keep_events = false;
  setup.diagnosis_journal = dir / "diagnosis.jsonl";
  const RunResult live = RunLoop(setup);
  ASSERT_GE(live.diagnoses.size(), 1u) << "the faults raised nothing; the test needs findings";

  const auto journal = diagnosis::DiagnosisJournal::Read(setup.diagnosis_journal);
  EXPECT_EQ(journal.events_file, setup.event_log);
  const SimMinute tick = setup.diagnosis_options.monitor.bucket_minutes;
  EXPECT_EQ(journal.tick_minutes, tick);
  EXPECT_EQ(journal.ticks.size(), 2u * kMinutesPerDay / tick - 1);  // every tick after the start
  const std::vector<diagnosis::LiveFinding> again =
      diagnosis::ReplayJournal(journal, setup.diagnosis_options);
  ASSERT_EQ(again.size(), live.diagnoses.size());
  for (size_t i = 0; i < again.size(); ++i) {
    SCOPED_TRACE(live.diagnoses[i].report_en);
    EXPECT_EQ(again[i].minute - w.spec->flight_start(), live.diagnoses[i].minute);
    EXPECT_EQ(again[i].TriggerText(), live.diagnoses[i].trigger);
    EXPECT_EQ(again[i].report_en, live.diagnoses[i].report_en);
    EXPECT_EQ(again[i].report_zh, live.diagnoses[i].report_zh);
  }
  // A journal whose event log lost its tail is refused, not replayed partially.
  fs::resize_file(setup.event_log, 64);
  EXPECT_THROW(diagnosis::ReplayJournal(journal, setup.diagnosis_options), diagnosis::JournalError);
  fs::remove_all(dir);
}

void ExpectSameSample(const MarketSample& a, const MarketSample& b) {
  EXPECT_EQ(a.views, b.views);
  EXPECT_EQ(a.purchases, b.purchases);
  EXPECT_EQ(a.repeat_purchases, b.repeat_purchases);
  EXPECT_EQ(a.purchase_sessions, b.purchase_sessions);
  EXPECT_EQ(a.purchase_lines, b.purchase_lines);
  EXPECT_EQ(a.low_price_clicks, b.low_price_clicks);
  EXPECT_EQ(a.high_price_purchases, b.high_price_purchases);
  EXPECT_EQ(a.coupons_received, b.coupons_received);
  EXPECT_EQ(a.coupon_purchases, b.coupon_purchases);
  EXPECT_EQ(a.users, b.users);
  EXPECT_EQ(a.users_10k, b.users_10k);
  EXPECT_EQ(a.purchase_unit_prices, b.purchase_unit_prices);
  ASSERT_EQ(a.department_gmv.size(), b.department_gmv.size());
  for (size_t i = 0; i < a.department_gmv.size(); ++i) {
    EXPECT_EQ(a.department_gmv[i].first, b.department_gmv[i].first);
    EXPECT_NEAR(a.department_gmv[i].second, b.department_gmv[i].second, 1e-6);
  }
}

// `chengfang run` writes each run's events to its file without keeping them in memory and builds
// the calibration sample from the events as they happen. Against a run that keeps its log in
// memory: the same results, the same sample (also when rebuilt from the kept log afterwards), and
// the file holds every event.
TEST(Simulation, ALearnedRankingModelIsSavedAndWarmStartsTheNextRun) {
  CF_REQUIRE_DATA();
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("cf_ranking_run_{}", ::getpid());
  SimConfig c = SimConfig::Quick();
  c.scenario.autopilot = "media_buyer";
  c.scenario.write_events = false;
  c.scenario.diagnosis = false;
  c.platform.predictor = "learned";
  SimulationOptions o;
  o.data_dir = DataDir();
  o.progress_out = nullptr;
  o.write_files = true;
  o.out_dir = dir / "cold";
  const SimSummary cold = RunSimulation(c, o);
  const fs::path model = dir / "cold" / "manual" / "ranking_model.bin";
  ASSERT_TRUE(fs::exists(model));
  EXPECT_TRUE(fs::exists(dir / "cold" / "autopilot" / "ranking_model.bin"));
  // The next flight starts from the first one's model instead of the priors: same traffic,
  // other decisions.
  c.platform.predictor_load = model.string();
  o.out_dir = dir / "warm";
  const SimSummary warm = RunSimulation(c, o);
  const nlohmann::json a = SummaryToJson(cold)["runs"]["manual"]["ours"];
  const nlohmann::json b = SummaryToJson(warm)["runs"]["manual"]["ours"];
  EXPECT_GT(a["impressions"].get<uint64_t>(), 0u);
  EXPECT_NE(a, b);
  // A run with the smoothed predictor writes no model, and has no lift run.
  c.platform.predictor = "smoothed";
  c.platform.predictor_load.clear();
  o.out_dir = dir / "smoothed";
  const SimSummary smoothed = RunSimulation(c, o);
  EXPECT_FALSE(fs::exists(dir / "smoothed" / "manual" / "ranking_model.bin"));
  EXPECT_EQ(smoothed.runs.size(), 2u);
  EXPECT_FALSE(SummaryToJson(smoothed).contains("insight_lift"));
  // The learned runs repeated the autopilot with the baseline insight on the same traffic: it is
  // exactly the smoothed run's autopilot (common random numbers), and the lift is autopilot over
  // it.
  ASSERT_EQ(cold.runs.size(), 3u);
  ASSERT_TRUE(cold.runs.contains(kBaselineInsightRun));
  EXPECT_FALSE(fs::exists(dir / "cold" / kBaselineInsightRun / "ranking_model.bin"));
  const nlohmann::json cj = SummaryToJson(cold);
  const nlohmann::json sj = SummaryToJson(smoothed);
  EXPECT_EQ(cj["runs"][kBaselineInsightRun]["ours"], sj["runs"]["autopilot"]["ours"]);
  EXPECT_EQ(cj["runs"][kBaselineInsightRun]["market"], sj["runs"]["autopilot"]["market"]);
  EXPECT_NE(cj["runs"]["autopilot"]["market"], sj["runs"]["autopilot"]["market"]);
  const RunResult& learned = cold.runs.at("autopilot");
  const RunResult& base = cold.runs.at(kBaselineInsightRun);
  ASSERT_TRUE(cj.contains("insight_lift")) << cj.dump(1);
  EXPECT_NEAR(cj["insight_lift"]["ours_gmv"].get<double>(),
              learned.ours.gmv.units() / base.ours.gmv.units(), 1e-4);
  EXPECT_NEAR(cj["insight_lift"]["market_ad_gmv"].get<double>(),
              learned.market.gmv.units() / base.market.gmv.units(), 1e-4);
  EXPECT_TRUE(std::any_of(cold.findings.begin(), cold.findings.end(), [](const std::string& f) {
    return f.starts_with("Insight lift on the same traffic");
  }));
  // scenario.insight_lift off: two runs again.
  c.platform.predictor = "learned";
  c.scenario.insight_lift = false;
  o.write_files = false;
  EXPECT_EQ(RunSimulation(c, o).runs.size(), 2u);
  fs::remove_all(dir);
}

TEST(Simulation, AWriteOnlyRunLogChangesNothing) {
  CF_REQUIRE_DATA();
  const LoopWorld w;
  RunSetup kept = w.Setup(40.0, 20.0);
  MarketSampler live_kept(*w.spec, *w.history);
  kept.on_event = [&](const Event& e) { live_kept.Observe(e); };
  size_t kept_events = 0;
  std::unique_ptr<MarketSampler> replayed;
  kept.inspect = [&](const EventLog& log, const Platform&) {
    kept_events = log.size();
    replayed = std::make_unique<MarketSampler>(*w.spec, *w.history);
    log.ForEachInAppendOrder([&](const Event& e) { replayed->Observe(e); });
  };
  const RunResult a = RunLoop(kept);

  const fs::path dir = fs::temp_directory_path() / fmt::format("cf_write_only_{}", ::getpid());
  fs::create_directories(dir);
  RunSetup write_only = w.Setup(40.0, 20.0);
  write_only.event_log = dir / "events.cflog";
  write_only.keep_events = false;
  MarketSampler live(*w.spec, *w.history);
  write_only.on_event = [&](const Event& e) { live.Observe(e); };
  size_t in_memory = 1;
  write_only.inspect = [&](const EventLog& log, const Platform&) {
    in_memory = log.memory_usage().event_bytes;
  };
  const RunResult b = RunLoop(write_only);

  EXPECT_EQ(in_memory, 0u);
  EXPECT_EQ(a.ours.impressions, b.ours.impressions);
  EXPECT_EQ(a.ours.clicks, b.ours.clicks);
  EXPECT_EQ(a.ours.purchases, b.ours.purchases);
  EXPECT_EQ(a.ours.spend, b.ours.spend);
  EXPECT_EQ(a.market.impressions, b.market.impressions);
  EXPECT_EQ(a.market.gmv, b.market.gmv);
  ASSERT_NE(replayed, nullptr);
  EXPECT_GT(live_kept.Sample().purchases, 0u);
  ExpectSameSample(live_kept.Sample(), replayed->Sample());
  ExpectSameSample(live_kept.Sample(), live.Sample());
  {
    auto file = EventLog::Open(write_only.event_log, {}, w.history.get());
    EXPECT_GT(kept_events, 0u);
    EXPECT_EQ(file->size(), kept_events);
  }
  fs::remove_all(dir);
}

// Our creatives in the run result: every creative of our products the market saw, told to the
// setup as it arrived, with its delivery split by day (adding up to its totals) and its pool
// events; with fast wear-out in the world the bandit pauses some, and the evidence comes along.
TEST(Simulation, OurCreativesAreReportedDayByDayWithTheirPoolEvents) {
  CF_REQUIRE_DATA();
  const LoopWorld w(3, 20000, 3.0);
  RunSetup s = w.Setup(3000.0, 1000.0);
  s.our_plan.products.resize(2);  // two products: enough impressions per creative to test
  s.platform.creatives = "bandit";
  s.faults = ResolveFaults(*w.spec, {{"creative_wearout", 0.5, 60, 40.0, "ours"}}, w.ours.products);
  std::set<CreativeId> told;
  s.on_our_creative = [&](const Creative& c) {
    EXPECT_TRUE(told.insert(c.id).second) << "creative " << c.id << " told twice";
  };
  const RunResult r = RunLoop(s);
  ASSERT_FALSE(r.creatives.empty());
  std::set<CreativeId> rows;
  uint64_t impressions = 0, clicks = 0;
  size_t paused = 0;
  for (const CreativeRow& c : r.creatives) {
    SCOPED_TRACE(c.creative.id);
    rows.insert(c.creative.id);
    EXPECT_NE(std::find(w.ours.products.begin(), w.ours.products.end(), c.creative.product),
              w.ours.products.end());
    ASSERT_EQ(c.day_impressions.size(), 3u);
    ASSERT_EQ(c.day_clicks.size(), 3u);
    uint64_t di = 0, dc = 0;
    for (size_t d = 0; d < 3; ++d) {
      di += c.day_impressions[d];
      dc += c.day_clicks[d];
      if (d < c.creative.created_day) {
        EXPECT_EQ(c.day_impressions[d], 0u) << "before it existed";
      }
    }
    EXPECT_EQ(di, c.impressions);
    EXPECT_EQ(dc, c.clicks);
    impressions += c.impressions;
    clicks += c.clicks;
    ASSERT_FALSE(c.events.empty());
    EXPECT_EQ(c.events.front().what, "added");
    EXPECT_EQ(c.events.front().day, c.creative.created_day);
    for (const PoolEvent& e : c.events) {
      EXPECT_LT(e.day, 3u);
      if (e.what != "paused") continue;
      ++paused;
      EXPECT_TRUE(e.verdict.worn_out);
      EXPECT_LT(e.verdict.recent_ctr, e.verdict.early_ctr);
    }
    if (!c.live) {
      EXPECT_NE(c.events.back().what, "added") << "paused without an event";
    }
  }
  EXPECT_EQ(told, rows) << "the setup was told of exactly the creatives reported";
  EXPECT_EQ(impressions, r.ours.impressions);
  EXPECT_EQ(clicks, r.ours.clicks);
  std::printf("%zu creatives of ours, %zu paused by the wear-out test, %llu impressions\n",
              r.creatives.size(), paused, static_cast<unsigned long long>(impressions));
  EXPECT_GT(paused, 0u) << "40x faster wear-out for 2.5 days pauses worn creatives";
}

// The creative oracle (evaluation only) picks each ad's creative by the market's hidden click
// probability from the bandit's pool: on the same world it must get our plan (the pooled one; the
// other merchants show one plain creative) a clearly higher ad CTR than uniform rotation over the
// same kind of pool, and at least the bandit's.
TEST(Simulation, TheCreativeOracleBeatsRotationOnTheSameTraffic) {
  CF_REQUIRE_DATA();
  const LoopWorld w;
  std::map<std::string, double> regret;
  auto ctr = [&](const std::string& mode) {
    RunSetup s = w.Setup(40.0, 20.0);
    s.platform.creatives = mode;
    const RunResult r = RunLoop(s);
    EXPECT_GT(r.ours.impressions, 10000u) << mode;
    // The meter saw every ad of ours once (with or without a choice of creative).
    const CreativeRegret& g = r.creative_regret;
    EXPECT_EQ(g.impressions + g.single, r.ours.impressions) << mode;
    EXPECT_GT(g.impressions, 0u) << mode;
    EXPECT_LE(g.chosen_clicks, g.best_clicks + 1e-9) << mode;
    regret[mode] = g.regret();
    return r.ours.ctr();
  };
  const double uniform = ctr("uniform"), bandit = ctr("bandit"), oracle = ctr("oracle");
  std::printf(
      "our ad CTR: uniform %.4f, bandit %.4f, oracle %.4f; expected-click regret: uniform "
      "%.3f, bandit %.3f, oracle %.3f\n",
      uniform, bandit, oracle, regret["uniform"], regret["bandit"], regret["oracle"]);
  EXPECT_EQ(regret["oracle"], 0.0) << "the oracle picks the best by construction";
  EXPECT_GT(regret["uniform"], 0.05);
  EXPECT_LT(regret["bandit"], regret["uniform"]);
  EXPECT_GT(oracle, 1.05 * uniform);  // 2 days of a small world: +10% measured
  EXPECT_GT(oracle, bandit);
}

// The shipped graph reads the market's query texts (written from the market's hidden need table,
// which the graph never saw): the first category it finds serves the searched need for about half
// of them, one of the first three for about 70% (the quick world measured 52.8% and 69.9%).
TEST(Simulation, TheKnowledgeGraphReadsTheMarketsSearchQueries) {
  CF_REQUIRE_DATA();
  const LoopWorld w(1);
  const nlohmann::json q = ScoreQueryUnderstanding(*w.spec, "");
  EXPECT_EQ(q["queries"].get<size_t>(), w.spec->query_texts().size());
  EXPECT_GT(q["top1"].get<double>(), 0.45) << q.dump();
  EXPECT_GT(q["top3"].get<double>(), 0.6) << q.dump();
  EXPECT_LT(q["empty"].get<double>(), 0.05) << q.dump();
}

TEST(Simulation, QuickWorldCalibration) {
  CF_REQUIRE_DATA();
  const std::vector<CalibrationRow>& rows = Quick42().calibration;
  SCOPED_TRACE(CalibrationTable(rows));
  auto find = [&](const std::string& prefix) -> const CalibrationRow* {
    for (const CalibrationRow& r : rows) {
      if (r.fact.rfind(prefix, 0) == 0) return &r;
    }
    return nullptr;
  };
  const std::vector<std::string> reproduced = {
      "ad CTR, short-video feed",
      "ad CTR, live room",
      "ad CVR per click, products under 5.00",
      "live CVR below feed CVR",
      "feed share of feed + live views",
      "median unit price paid",
      "median catalogue shelf price",
      "GMV share of ",
      "purchases repeating a product the user bought before",
      "items per purchase session",
      "users with 10,000+ events",
  };
  for (const std::string& fact : reproduced) {
    const CalibrationRow* r = find(fact);
    ASSERT_NE(r, nullptr) << "no calibration row '" << fact << "'";
    EXPECT_TRUE(r->within) << "'" << r->fact << "' = " << r->simulated << " " << r->unit
                           << ", target " << r->target;
  }
  // The data-anchored rows, checked against the data's own numbers here too.
  const CalibrationRow* price = find("median unit price paid");
  ASSERT_NE(price, nullptr);
  EXPECT_GT(price->simulated, 0.0);
  const CalibrationRow* top = find("GMV share of ");
  ASSERT_NE(top, nullptr);
  EXPECT_GT(top->simulated, 0.0);

  // Known gaps of the quick world (1 day, 5,000 users; see the report): the all-channel ad CTR and
  // the market ROI sit just outside their ranges. Check they stay in a plausible band.
  const CalibrationRow* ctr = find("ad CTR, all channels");
  ASSERT_NE(ctr, nullptr);
  EXPECT_GT(ctr->simulated, 0.5);
  EXPECT_LT(ctr->simulated, 3.0);
  const CalibrationRow* roi = find("ad ROI, whole market");
  ASSERT_NE(roi, nullptr);
  EXPECT_GT(roi->simulated, 1.0);
  EXPECT_LT(roi->simulated, 6.0);
}

// The error SimConfig::FromJson raises for `j`, or "(accepted)".
std::string ConfigErrorOf(const nlohmann::json& j) {
  try {
    SimConfig::FromJson(j);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SimConfig, FromJsonRejectsUnknownKeysWithTheirPath) {
  std::string msg = ConfigErrorOf({{"scenario", {{"dayz", 3}}}});
  EXPECT_NE(msg.find("scenario.dayz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("days"), std::string::npos) << msg;  // lists the valid keys
  msg = ConfigErrorOf({{"market", {{"traffic", {{"ad_laod", {0.1, 0.1, 0.1, 0.1}}}}}}});
  EXPECT_NE(msg.find("market.traffic.ad_laod"), std::string::npos) << msg;
  msg = ConfigErrorOf({{"platfrom", {{"reserve_cpm", 0.2}}}});
  EXPECT_NE(msg.find("platfrom"), std::string::npos) << msg;
  msg = ConfigErrorOf({{"platform", {{"reserve_cpm", 0.2}, {"even", true}}}});
  EXPECT_NE(msg.find("platform.even"), std::string::npos) << msg;
}

TEST(SimConfig, FromJsonRejectsWrongTypes) {
  std::string msg = ConfigErrorOf({{"scenario", {{"days", "seven"}}}});
  EXPECT_NE(msg.find("scenario.days"), std::string::npos) << msg;
  msg = ConfigErrorOf({{"platform", {{"even_delivery", 1}}}});
  EXPECT_NE(msg.find("platform.even_delivery"), std::string::npos) << msg;
  msg = ConfigErrorOf({{"scenario", 5}});
  EXPECT_NE(msg.find("scenario"), std::string::npos) << msg;
  EXPECT_NE(msg, "(accepted)");
  // Numbers of any kind are interchangeable; values are range-checked.
  EXPECT_EQ(SimConfig::FromJson({{"scenario", {{"our_budget", 500}}}}).scenario.our_budget, 500.0);
  EXPECT_THROW(SimConfig::FromJson({{"scenario", {{"users", 10}}}}), ConfigError);
}

TEST(SimConfig, AUserHistoryWindowIsAllOrAtMost256Behaviours) {
  EXPECT_EQ(SimConfig{}.platform.user_history_events, 0u);
  EXPECT_EQ(SimConfig::FromJson({{"platform", {{"user_history_events", 50}}}})
                .platform.user_history_events,
            50u);
  const std::string msg = ConfigErrorOf({{"platform", {{"user_history_events", 5000}}}});
  EXPECT_NE(msg.find("platform.user_history_events 5000"), std::string::npos) << msg;
  EXPECT_NE(msg.find("1-256"), std::string::npos) << msg;
  // The decayed whole history: a half-life in behaviours, not with a window.
  EXPECT_EQ(SimConfig{}.platform.user_history_half_life, 0u);
  EXPECT_EQ(SimConfig::FromJson({{"platform", {{"user_history_half_life", 100}}}})
                .platform.user_history_half_life,
            100u);
  const std::string both =
      ConfigErrorOf({{"platform", {{"user_history_half_life", 100}, {"user_history_events", 50}}}});
  EXPECT_NE(both.find("set one of them"), std::string::npos) << both;
  const std::string big = ConfigErrorOf({{"platform", {{"user_history_half_life", 2000000}}}});
  EXPECT_NE(big.find("platform.user_history_half_life 2000000"), std::string::npos) << big;
}

TEST(SimConfig, APredictorLoadNeedsTheLearnedPredictorAndAFile) {
  std::string msg =
      ConfigErrorOf({{"platform", {{"predictor", "smoothed"}, {"predictor_load", "/tmp/m.bin"}}}});
  EXPECT_NE(msg.find("platform.predictor to \"learned\""), std::string::npos) << msg;
  msg = ConfigErrorOf(
      {{"platform", {{"predictor", "learned"}, {"predictor_load", "/no/such/ranking_model.bin"}}}});
  EXPECT_NE(msg.find("/no/such/ranking_model.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("is not a file"), std::string::npos) << msg;
}

TEST(SimConfig, SearchExpansionIsKgKgOnlyOrNoneWithAGraphFile) {
  EXPECT_EQ(SimConfig{}.platform.search_expansion, "none");
  EXPECT_EQ(
      SimConfig::FromJson({{"platform", {{"search_expansion", "kg"}}}}).platform.search_expansion,
      "kg");
  std::string msg = ConfigErrorOf({{"platform", {{"search_expansion", "wordnet"}}}});
  EXPECT_NE(msg.find("platform.search_expansion 'wordnet' is unknown"), std::string::npos) << msg;
  msg = ConfigErrorOf(
      {{"platform", {{"search_expansion", "kg"}, {"knowledge_graph", "/no/such/graph.kg"}}}});
  EXPECT_NE(msg.find("'/no/such/graph.kg' is not a file"), std::string::npos) << msg;
  msg = ConfigErrorOf({{"platform", {{"knowledge_graph", "/no/such/graph.kg"}}}});  // with none
  EXPECT_NE(msg.find("read only for search expansion"), std::string::npos) << msg;
  const std::string graph = (fs::path(CF_SOURCE_DIR) / "data" / "kg" / "curated.kg").string();
  EXPECT_EQ(SimConfig::FromJson(
                {{"platform", {{"search_expansion", "kg_only"}, {"knowledge_graph", graph}}}})
                .platform.knowledge_graph,
            graph);
}

// docs/config.md says config/default.json is what `chengfang config` prints: keep it so.
TEST(SimConfig, TheShippedDefaultFileIsTheDefaultConfig) {
  const fs::path file = fs::path(CF_SOURCE_DIR) / "config" / "default.json";
  std::ifstream in(file);
  ASSERT_TRUE(in) << file;
  const nlohmann::json shipped = nlohmann::json::parse(in);
  EXPECT_EQ(shipped, SimConfig{}.ToJson())
      << "config/default.json is stale; regenerate it: build/src/cli/chengfang config > "
         "config/default.json";
}

TEST(SimConfig, QuickRoundTripsThroughJson) {
  const SimConfig q = SimConfig::Quick();
  const SimConfig back = SimConfig::FromJson(q.ToJson());
  EXPECT_EQ(back.ToJson(), q.ToJson());
  EXPECT_EQ(back.scenario.users, 5000u);
  EXPECT_EQ(back.scenario.days, 1u);
}

TEST(SimConfig, AFileOverABaseChangesOnlyItsKeys) {
  const auto path =
      std::filesystem::temp_directory_path() /
      fmt::format("cf_sim_config_{}.json", ::testing::UnitTest::GetInstance()->random_seed());
  auto write = [&](const std::string& text) { std::ofstream(path) << text; };
  // --quick with a config file: the quick world, with the file's budget and faults.
  write(R"({"scenario":{"our_budget":123},"market":{"faults":[]}})");
  const SimConfig c = SimConfig::Load(path.string(), SimConfig::Quick());
  EXPECT_EQ(c.scenario.users, 5000u);
  EXPECT_EQ(c.scenario.products, 3000u);
  EXPECT_DOUBLE_EQ(c.scenario.our_budget, 123);
  EXPECT_TRUE(c.market.faults.empty());
  // Without a base: the defaults.
  EXPECT_EQ(SimConfig::Load(path.string()).scenario.users, 100000u);
  // Unknown keys and a non-object are refused, naming the file.
  write(R"({"scenario":{"dayz":3}})");
  try {
    SimConfig::Load(path.string(), SimConfig::Quick());
    ADD_FAILURE() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("scenario.dayz"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
  write("[1, 2]");
  EXPECT_THROW(SimConfig::Load(path.string(), SimConfig::Quick()), ConfigError);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace cf
