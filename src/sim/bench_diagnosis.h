// `chengfang bench diagnosis`: the live diagnosis scored in the market. One world (the default
// scenario's population, catalogue and history) is built once; each case
// replays it with its own run seed (other sessions and responses) and one injected fault of a type
// (creative wear-out, competitor price cut, channel-mix shift, tracking outage, budget exhaustion)
// starting at a random hour of day 3, or no fault at all. The media buyer runs our plan; the live
// diagnosis watches it. Per fault type: detection rate, top-1 cause accuracy, median detection
// delay in simulated minutes; over the fault-free cases: false alarms per plan-day (days on which
// the monitor can judge). Cases run on `threads` threads; progress goes to `progress` (may be
// null).
#pragma once

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cf {

struct BenchDiagnosisOptions {
  bool quick = false;       // 2 cases per type in a 40,000-user world
  int cases_per_type = 50;  // ignored with quick
  int threads = 2;
  // Each fault case with an alarm runs a second time with the alarms' suggested actions applied
  // (RunSetup::apply_diagnosis_actions); the ROI from the first alarm to the end of the run is
  // compared. false: one run per case (half the time), no "roi_*" fields.
  bool apply = true;
  std::filesystem::path data_dir;  // holds completejourney/
  // When set: one JSON line per case (fault type, run seed, fault start and end in minutes since
  // the flight started, every finding with its minute, trigger, cause and confidence, the
  // verdict), written after all cases ran. The folder must exist.
  std::filesystem::path details_out;
  FILE* progress = nullptr;
};

// {"<fault>": {"cases", "detection_rate", "top1_accuracy", "median_delay_minutes", "causes":
// {cause: count}, "named_rate", "median_delay_to_named_minutes"}, ... (detection and top-1 judge
// the first finding after the fault began; "named" any finding during it with the right cause;
// with `apply`: "roi_not_applied", "roi_applied" (means over the cases with an alarm of our ROI
// from the first alarm's hour to the end of the run) and "roi_recovered" (mean of applied /
// not applied - 1), "applied_cases"),
// "false_alarms_per_plan_day", "fault_free_cases", "users", "days", "seconds"}.
nlohmann::json BenchDiagnosis(const BenchDiagnosisOptions& options);

}  // namespace cf
