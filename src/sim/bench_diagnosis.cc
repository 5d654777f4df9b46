#include "sim/bench_diagnosis.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>

#include "common/parallel_for.h"
#include "market/faults.h"
#include "sim/diagnosis_scoring.h"
#include "sim/loop_runner.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"

namespace cf {
namespace {

constexpr uint32_t kDays = 5;  // 3 days of baseline, the fault on day 3, day 4 to see it
constexpr uint32_t kFirstJudgedDay = 3;
const char* const kFaultTypes[] = {"creative_wearout", "competitor_price_cut", "channel_shift",
                                   "tracking_outage", "budget_exhaustion"};

struct Case {
  std::string type;  // empty: fault-free
  uint64_t run_seed = 0;
  double start_day = 0;
};

struct Outcome {
  bool detected = false, correct = false, named = false;
  uint32_t delay = 0, named_delay = 0;
  std::string cause;
  size_t false_alarms = 0;  // fault-free cases: alarms on judged days
  size_t notices = 0;       // fault-free cases: notices (own setting changes) on judged days
  nlohmann::json detail;    // the case's fault and findings, for --details
  // With apply: our ROI from the first alarm's hour to the run's end, without and with the
  // alarms' suggestions applied (NaN when the case had no alarm).
  double roi_not_applied = std::nan(""), roi_applied = std::nan("");
};

// Our ROI over the hours from `from_hour` (since the flight started) to the end of the run.
double RoiFromHour(const RunResult& r, uint32_t from_hour) {
  double spend = 0, gmv = 0;
  for (const HourPoint& h : r.hourly) {
    if (h.hour < from_hour) continue;
    spend += h.ours.spend.units();
    gmv += h.ours.gmv.units();
  }
  return spend > 0 ? gmv / spend : 0.0;
}

}  // namespace

nlohmann::json BenchDiagnosis(const BenchDiagnosisOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SimConfig c;
  c.scenario.days = kDays;
  // The default world: our merchant needs its real volume for hourly evidence (in a 40,000-user
  // world even a tracking outage stays below the monitor's threshold for hours).
  c.scenario.our_budget = c.scenario.our_budget / 7 * kDays;
  c.market.faults.clear();
  const int per_type = options.quick ? 1 : std::max(1, options.cases_per_type);

  auto stage = [&](const std::string& what) {
    if (options.progress) {
      fmt::print(options.progress, "{}\n", what);
      std::fflush(options.progress);
    }
  };
  const ScenarioWorld world = BuildScenarioWorld(c, options.data_dir, options.progress);
  const WorldSpec* spec = world.spec.get();
  const OurSelection& ours = world.ours;
  const RunSetup base = MakeRunSetup("bench", *spec, *world.history, world.query_ids, ours, c);

  // The cases: per type, start hours spread over day 3 (00:00-18:00); then fault-free ones.
  std::vector<Case> cases;
  uint64_t seed = 1;
  for (const char* type : kFaultTypes) {
    for (int i = 0; i < per_type; ++i) {
      cases.push_back({type, seed++, kFirstJudgedDay + 0.75 * (i + 0.5) / per_type});
    }
  }
  for (int i = 0; i < per_type; ++i) cases.push_back({"", seed++, 0});
  stage(fmt::format("{} cases ({} per fault type, {} fault-free) on {} threads", cases.size(),
                    per_type, per_type, std::max(1, options.threads)));

  std::vector<Outcome> outcomes(cases.size());
  std::atomic<size_t> done{0};
  std::mutex progress_mutex;
  ParallelFor(cases.size(), options.threads, [&](size_t i) {
    const Case& k = cases[i];
    RunSetup setup = base;
    setup.name = k.type.empty() ? "fault-free" : k.type;
    setup.run_seed = k.run_seed;
    setup.keep_events = false;  // the cases' events are only counted: memory stays flat
    if (!k.type.empty()) {
      FaultSpec f;
      f.type = k.type;
      f.start_day = k.start_day;
      f.hours = 24;
      setup.faults = ResolveFaults(*spec, {f}, ours.products);
    }
    const RunResult r = RunLoop(setup);
    Outcome& o = outcomes[i];
    o.detail = {{"type", k.type.empty() ? "none" : k.type}, {"run_seed", k.run_seed}};
    if (!setup.faults.empty()) {
      o.detail["fault_start_minute"] = setup.faults[0].start - spec->flight_start();
      o.detail["fault_end_minute"] = setup.faults[0].end - spec->flight_start();
      o.detail["fault"] = setup.faults[0].description;
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const DiagnosisNote& d : r.diagnoses) {
      findings.push_back({{"minute", d.minute},
                          {"kind", d.notice ? "notice" : "alarm"},
                          {"trigger", d.trigger},
                          {"cause", d.cause},
                          {"confidence", d.confidence},
                          {"report", d.report_en}});
    }
    o.detail["findings"] = std::move(findings);
    if (k.type.empty()) {
      for (const DiagnosisNote& d : r.diagnoses) {
        const bool judged = d.minute >= kFirstJudgedDay * kMinutesPerDay;
        (d.notice ? o.notices : o.false_alarms) += judged;
      }
    } else {
      const SimMinute start = spec->flight_start();
      const auto v = ScoreDiagnoses(setup.faults, r, start, start + kDays * kMinutesPerDay).front();
      o.detected = v.first.has_value();
      o.correct = v.top1_correct;
      o.delay = v.delay_minutes;
      o.cause = v.first ? v.first->cause : "";
      o.named = v.first_correct.has_value();
      o.named_delay = v.correct_delay_minutes;
      o.detail["verdict"] = v.ToString();
      if (options.apply && v.first) {
        // The same case again, the merchant applying every alarm's suggestions.
        RunSetup applied = setup;
        applied.apply_diagnosis_actions = true;
        const RunResult ra = RunLoop(applied);
        const uint32_t from_hour = v.first->minute / 60;
        o.roi_not_applied = RoiFromHour(r, from_hour);
        o.roi_applied = RoiFromHour(ra, from_hour);
        o.detail["roi_not_applied"] = o.roi_not_applied;
        o.detail["roi_applied"] = o.roi_applied;
        nlohmann::json done = nlohmann::json::array();
        for (const PlanAction& a : ra.actions) {
          if (a.text.rfind("diagnosis suggestion applied", 0) == 0) {
            done.push_back({{"minute", a.minute}, {"text", a.text}});
          }
        }
        o.detail["applied"] = std::move(done);
      }
    }
    const size_t n = ++done;
    if (options.progress) {
      std::lock_guard lock(progress_mutex);
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      fmt::print(options.progress, "\rcase {}/{} ({}) | {:.0f}s elapsed | ETA {:.0f}s   ", n,
                 cases.size(), setup.name, secs,
                 secs / static_cast<double>(n) * static_cast<double>(cases.size() - n));
      std::fflush(options.progress);
    }
  });
  if (options.progress) fmt::print(options.progress, "\n");
  if (!options.details_out.empty()) {
    std::ofstream f(options.details_out);
    for (const Outcome& o : outcomes) f << o.detail.dump() << "\n";
    if (!f) {
      throw std::runtime_error(
          fmt::format("cannot write the case details to {}: check that its "
                      "folder exists and is writable",
                      options.details_out.string()));
    }
  }

  nlohmann::json j;
  for (const char* type : kFaultTypes) {
    size_t n = 0, detected = 0, correct = 0, named = 0;
    std::vector<uint32_t> delays, named_delays;
    std::map<std::string, int> causes;
    double roi_not = 0, roi_app = 0, recovered = 0;
    size_t applied = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].type != type) continue;
      ++n;
      const Outcome& o = outcomes[i];
      if (!std::isnan(o.roi_applied) && o.roi_not_applied > 0) {
        ++applied;
        roi_not += o.roi_not_applied;
        roi_app += o.roi_applied;
        recovered += o.roi_applied / o.roi_not_applied - 1;
      }
      if (o.named) {
        ++named;
        named_delays.push_back(o.named_delay);
      }
      if (!o.detected) continue;
      ++detected;
      correct += o.correct;
      delays.push_back(o.delay);
      ++causes[o.cause];
    }
    std::sort(delays.begin(), delays.end());
    std::sort(named_delays.begin(), named_delays.end());
    j[type] = {
        {"cases", n},
        {"detection_rate", n ? static_cast<double>(detected) / n : 0.0},
        {"top1_accuracy", detected ? static_cast<double>(correct) / detected : 0.0},
        {"median_delay_minutes",
         delays.empty() ? nlohmann::json(nullptr) : nlohmann::json(delays[delays.size() / 2])},
        {"causes", causes},
        // Any finding during the fault that named the right cause, and how long it took.
        {"named_rate", n ? static_cast<double>(named) / n : 0.0},
        {"median_delay_to_named_minutes",
         named_delays.empty() ? nlohmann::json(nullptr)
                              : nlohmann::json(named_delays[named_delays.size() / 2])},
    };
    if (options.apply) {
      const double k = static_cast<double>(applied);
      j[type]["applied_cases"] = applied;
      j[type]["roi_not_applied"] = applied ? nlohmann::json(roi_not / k) : nlohmann::json(nullptr);
      j[type]["roi_applied"] = applied ? nlohmann::json(roi_app / k) : nlohmann::json(nullptr);
      j[type]["roi_recovered"] = applied ? nlohmann::json(recovered / k) : nlohmann::json(nullptr);
    }
  }
  size_t alarms = 0, notices = 0, clean = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    if (!cases[i].type.empty()) continue;
    ++clean;
    alarms += outcomes[i].false_alarms;
    notices += outcomes[i].notices;
  }
  const double plan_days = static_cast<double>(clean) * (kDays - kFirstJudgedDay);
  j["false_alarms_per_plan_day"] = plan_days > 0 ? alarms / plan_days : 0.0;
  // Not alarms: moves the plan's own setting changes explain (the media buyer's target raises).
  j["notices_per_plan_day"] = plan_days > 0 ? notices / plan_days : 0.0;
  j["fault_free_cases"] = clean;
  j["users"] = c.scenario.users;
  j["days"] = kDays;
  j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return j;
}

}  // namespace cf
