// LiveDiagnosis: "told within the hour". It watches some plans live: every observed event and
// auction of theirs feeds a KpiMonitor; at the end of each of its buckets (a tick, every 15
// simulated minutes by default) it scans for alerts over windows ending there (between the hours
// only critical alerts with a cause are raised; on the hour every alert is diagnosed), and when a
// watched plan's KPI moves the wrong way (ROI, GMV, CTR, CVR, spend, impressions or win rate
// down, CPM up) it builds a DiagnosisInput from what it saw (the hours since the anomaly began,
// or the last 1, 2 or 4 hours, at most `window_hours`, against the same hours one day earlier, so
// the daily curve cancels), runs the sub-agents and the coordinator on each, and returns the most
// confident diagnosis as a finding with the report in English and Chinese.
//
// It also keeps a competitor price watch: when the catalogue shows a promoted product undercut
// (>= price_watch_cut against a day earlier), the undercut products' pooled CVR since the cut is
// tested each tick (against the same hours of the days before), and a significant fall raises an
// alarm even when no plan-level KPI moved enough for the monitor. A cut large enough and on
// enough of the plan's spend (PriceCutNews) is raised at the tick it appears, before any CVR
// evidence. A finding whose top cause is the plan's own setting change is a notice.
//
// Only observable data enters: events, auction outcomes (the price to beat), and the plan state
// and catalogue prices the caller passes each hour (PlanState). Nothing from a simulated market.
//
// Promises: deterministic; no alarm without a cause unless the plan as a whole moved critically
// or for min_unexplained_hours (an external cause needs confidence >= kExternalCauseFloor to
// count; see Coordinate); at most one alarm per plan per cooldown_hours, unless a critical
// alert gets a new top cause with confidence >= 0.5, and at most one notice (a move the plan's own
// setting change explains) per plan per cooldown_hours; memory O(watched keys x hours seen). Not
// thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "diagnosis/diagnosis_input.h"
#include "diagnosis/kpi_monitor.h"
#include "diagnosis/sub_agents.h"

namespace cf::diagnosis {

// A promoted product as the platform sees it now.
struct ProductState {
  ProductId product = kNoId;
  std::string name;
  double own_price = 0;
  double competitor_price = 0;  // lowest price of the same category by other merchants (0: none)
};

// A watched plan's state at the end of a tick.
struct PlanState {
  PlanId plan = kNoId;
  std::string name;
  double daily_budget = 0;  // what it may spend today (after any cap), currency units
  double spent_today = 0;
  // The plan's own budget setting that bounds today (its daily budget, or its total budget when
  // it has no daily one; 0: unknown). What it may spend today falling while this holds is news:
  // the account ran dry or a cap was set (the budget news).
  double budget_setting = 0;
  double roi_target = 0;  // 0 when the plan does not bid to an ROI target
  std::vector<ProductState> products;
};

struct LiveFinding {
  PlanId plan = kNoId;
  SimMinute minute = 0;  // the end of the tick that raised it
  Alert trigger;         // the alert that started the diagnosis
  Diagnosis diagnosis;
  DiagnosisInput input;
  std::string report_en, report_zh;
  // The top cause is the plan's own setting change (Hypothesis::own_setting): a notice for the
  // merchant, not an alarm. Notices have their own cooldown and never hold back an alarm.
  bool notice = false;
  // When set, what started the diagnosis in words, instead of the alert's KPI move (the
  // competitor price watch's findings).
  std::string trigger_note;
  // "KPI of scope fell x% (z = ...)", in English.
  std::string TriggerText() const;
};

// Auctions of one plan in one channel and minute, summed (how the loop and the journal pass them).
struct AuctionTally {
  uint32_t auctions = 0, wins = 0;
  uint32_t capped_losses = 0;  // losses a 10% lower ROI target would have won (capped_bid_factor)
  double beat_cpm_sum = 0;     // the prices to beat, summed
};

struct LiveDiagnosisOptions {
  MonitorOptions monitor;
  int window_hours = 6;     // the "after" window; "before" is the same hours a day earlier
  int cooldown_hours = 12;  // per plan, unless the top cause changes
  // A move no agent explains is raised only when critical or when it has lasted this many hours
  // of consecutive alerted ticks: "something moved, cause unknown" must be worth an alarm.
  int min_unexplained_hours = 3;
  // A target-ROI plan's lost auction counts as capped by its target if a 10% lower target
  // (bid x 1 / 0.9) would have beaten the price.
  double capped_bid_factor = 1 / 0.9;
  // The competitor price watch: a cut of at least price_watch_cut on a promoted product (against
  // a day earlier) is tested on the undercut products' pooled CVR; an alarm needs z <=
  // price_watch_z and price_watch_min_purchases purchases in the reference window. The visible
  // cut is the prior that lets it act on less evidence than a blind monitor needs (|z| >= 4).
  double price_watch_cut = 0.05;
  double price_watch_z = -2.5;
  double price_watch_min_purchases = 10;
  // The traffic mix watch: every hour, the share of the plan's auctions per channel over the last
  // mix_watch_hours against the same hours a day earlier (ChannelAgent); a shift whose channel-mix
  // hypothesis reaches mix_watch_confidence is raised without waiting for the monitor (the
  // auctions the plan enters far outnumber its impressions, so the mix is known sooner than its
  // effect). Once per shift: it is raised again only after an hour without one. No verdict while
  // the plan was near the end of its day's budget in either window. 0 (the default) turns it off:
  // docs/diagnosis.md says why.
  int mix_watch_hours = 0;
  double mix_watch_confidence = 0.5;
};

class LiveDiagnosis {
 public:
  // Throws std::invalid_argument when monitor.bucket_minutes does not divide an hour.
  explicit LiveDiagnosis(LiveDiagnosisOptions options = {});

  void Watch(PlanId plan);
  bool Watches(PlanId plan) const { return watched_.count(plan) != 0; }
  // An event of a watched plan (others are ignored).
  void Observe(const Event& e);
  // An auction a watched plan entered: its eCPM, the eCPM it had to beat, won or not.
  void ObserveAuction(PlanId plan, Channel channel, SimMinute minute, double ecpm, double beat_cpm,
                      bool won);
  // The same for a tally of auctions (equal to calling ObserveAuction for each of them).
  void ObserveAuctions(PlanId plan, Channel channel, SimMinute minute, const AuctionTally& t);
  // Adds one auction to a tally, counting a loss as capped by the options' capped_bid_factor.
  void Tally(AuctionTally& t, double ecpm, double beat_cpm, bool won) const;
  // Call at the end of each tick (`now` a multiple of monitor.bucket_minutes) with the watched
  // plans' state. Returns the findings raised at this tick, most severe first. Calling less often
  // (say hourly) still judges every finished bucket, only later.
  std::vector<LiveFinding> OnTick(SimMinute now, std::span<const PlanState> plans);

  const KpiMonitor& monitor() const { return monitor_; }

 private:
  struct BucketAux {
    double beat_cpm_sum = 0, auctions = 0, losses = 0, capped_losses = 0;
  };
  struct PlanTrack {
    std::map<uint32_t, BucketAux> buckets;                 // bucket -> auctions' landscape
    std::map<uint32_t, std::map<ProductId, double>> comp;  // bucket -> competitor prices
    std::map<uint32_t, double> roi_target;                 // tick -> the plan ROI target then
    std::map<uint32_t, double> daily_budget;               // tick -> today's budget then
    std::map<uint32_t, double> spent_today;                // tick -> spent today by then
    std::map<uint32_t, double> budget_setting;             // tick -> the plan's own budget
    std::map<uint32_t, double> budget_exhausted_hour;      // day -> hour of day it ran out
    SimMinute last_finding = 0, last_notice = 0;
    bool any_finding = false, any_notice = false;
    CauseKind last_cause = CauseKind::kTrackingOutage;
    bool last_had_cause = false;
    // The competitor price watch: a cut stands, since which bucket, and whether it was reported.
    bool price_watch = false, price_watch_reported = false;
    bool price_news_pending = false;  // a cut appeared; its news not yet judged
    uint32_t price_watch_from = 0;
    bool mix_watch_reported = false;  // the traffic mix watch raised the shift standing now
    // The current run of consecutive ticks with an adverse alert: first and last bucket.
    uint32_t streak_first = 0, streak_last = 0;
    // Consecutive ticks with an adverse alert of the plan as a whole (how long an unexplained move
    // of the plan has lasted; its channels' alerts do not extend it), and the last such tick.
    uint32_t plan_streak_ticks = 0, plan_streak_last = 0;
    bool in_streak = false;
  };
  // The diagnosis input for buckets [after_from, end of the tick ending at `now`).
  DiagnosisInput BuildInput(const PlanState& s, SimMinute now, uint32_t after_from) const;
  KpiCounts Sum(const MonitorKey& key, uint32_t from_bucket, uint32_t to_bucket) const;
  // The competitor price of `p` recorded at the end of the latest tick before `bucket`.
  static double CompetitorPriceAt(const PlanTrack& t, uint32_t bucket, ProductId p,
                                  double fallback);

  LiveDiagnosisOptions options_;
  KpiMonitor monitor_;
  std::set<PlanId> watched_;
  std::map<PlanId, PlanTrack> tracks_;
  std::map<PlanId, std::set<uint32_t>> creatives_;  // creatives seen per plan
  uint32_t first_bucket_ = UINT32_MAX;
};

}  // namespace cf::diagnosis
