// Runs one simulated flight to its end (sim/loop.h steps one): a World (the market) wired to a
// Platform (the engine) minute by minute, with our merchant's plan driven by a decision maker.
// Reads the world's truth only to simulate responses and, through the evaluation tap, for
// evaluation. One call per thread; the shared inputs (spec, history) are read-only.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/ad_plan.h"
#include "common/event_log.h"
#include "diagnosis/live_diagnosis.h"
#include "market/world.h"
#include "serving/platform.h"
#include "sim/run_result.h"
#include "strategy/super_plan.h"
#include "strategy/super_plan_pilot.h"

namespace cf {

struct RunSetup {
  std::string name;  // "manual" or "autopilot"
  // Who runs our merchant's money: "media_buyer" (the manual plan a competent human sets),
  // "super_plan" (strategy/super_plan + super_plan_pilot: the autopilot) or "uniform" (the
  // budget split evenly over the products, one target-ROI plan each, no steering) or "none" (no
  // plan of ours at the start: the live server's merchants create them).
  std::string policy = "media_buyer";
  Objective objective = Objective::kMaxGmvRoi;  // super_plan only
  PilotOptions pilot;                           // super_plan only: the pilot's settings
  const WorldSpec* spec = nullptr;
  const EventLog* history = nullptr;
  const std::vector<QueryId>* query_ids = nullptr;
  std::vector<FaultLabel> faults;
  std::vector<AdPlan> competitor_plans;
  AdPlan our_plan;        // products, budgets; bid type target ROI
  double goal_roi = 2.5;  // the objective's target (ROI, or CPA for conversions_cpa)
  PlatformConfig platform;
  std::filesystem::path event_log;  // empty: keep events in memory only
  // false: the run's events are not kept in memory (EventLogOptions::keep_events): with an
  // event_log file they are only written to it, without one only counted. `inspect` then sees a
  // log with none of its own events; use on_event for statistics.
  bool keep_events = true;
  // Called with every event the platform logs, as it happens (evaluation statistics).
  std::function<void(const Event&)> on_event;
  // Called with each creative of our products as it reaches the market (a studio makes its
  // media in the background: sim/simulation).
  std::function<void(const Creative&)> on_our_creative;
  // Non-empty: record the evaluation tap (every auction's candidates with the world's expected
  // responses) to this CSV file.
  std::filesystem::path tap_file;
  // Non-empty, with the learned predictor: save the ranking model here at the end of the flight.
  std::filesystem::path predictor_out;
  // Measure the market tier's physical limit (sim/lp_limit_tap.h) into RunResult::lp_limit: the
  // LP optimum of our products' auctions under the flight budget and the goal ROI.
  bool lp_limit = false;
  // Live diagnosis of our plans (findings in RunResult::diagnoses as they happen).
  bool diagnosis = true;
  // With diagnosis and an event_log: write the diagnosis journal here (diagnosis_journal.h), so
  // that `chengfang diagnose --run` can diagnose the finished run again. Empty: none.
  std::filesystem::path diagnosis_journal;
  diagnosis::LiveDiagnosisOptions diagnosis_options;
  // The merchant "clicks the button": each alarm's suggested actions are applied to our plan when
  // the alarm is raised (rotate the creative, issue the coupon to the best-fitting 5,000 users,
  // relax the ROI target, raise the budget and top up the account, fix the conversion tracking an
  // hour later). Moving budget between channels has no counterpart (plans have no per-channel
  // budgets) and is skipped. What was done is listed in RunResult::actions.
  bool apply_diagnosis_actions = false;
  // 0: the world's draws follow the spec's seed (manual and autopilot face the same traffic);
  // another value replicates the scenario with other sessions and responses (World).
  uint64_t run_seed = 0;
  std::atomic<uint64_t>* progress_impressions = nullptr;  // live counter for progress display
  std::atomic<uint32_t>* progress_minute = nullptr;
  std::vector<float>* decision_us = nullptr;  // if set: latency of every Decide call, microseconds
  // Receives the run's event log before it is destroyed (for calibration statistics).
  std::function<void(const EventLog&, const Platform&)> inspect;
};

RunResult RunLoop(const RunSetup& setup);

}  // namespace cf
