// 24/7 KPI monitoring over what the engine observes (events and auction outcomes, never market
// truth): per plan, product, channel and creative, counts are kept in fixed time buckets (default
// 15 minutes) and each finished bucket ends windows (default the last hour, 4 hours and 12 hours,
// so the windows slide every 15 minutes) whose KPIs are compared with a seasonal baseline.
//
// KPIs: spend, impressions, GMV (additive), CTR = clicks / impressions, CVR = purchases / clicks,
// CPM = spend / impressions x 1000, win rate = auctions won / entered, ROI = GMV / spend, and pace
// = spend / (daily budget x the bucket's usual share of a day's spend) when a budget is known.
//
// Change detection (over the windows of window_buckets buckets ending at each bucket): the
// baseline of a KPI is the median of the same window-of-day on the previous `history_days` days
// (the daily curve is thus built in); with fewer than `min_history_days` such days the bucket is
// not judged. The score is z = (value - baseline) / scale, where the scale combines the robust
// spread of those past values (1.4826 x MAD) with the sampling noise of the current bucket and of
// the baseline (binomial for CTR/CVR/win rate, Poisson for counts, relative 1/sqrt(purchases) for
// GMV and ROI, relative 1/sqrt(impressions) for spend, CPM and pace). An alert needs |z| >= z_warn,
// a relative change >= min_relative_change, and minimum evidence (impressions, clicks, purchases,
// auctions behind the KPI) so small plans do not raise noise. Severity: warning, or critical at |z|
// >= z_critical and a relative change >= 2 x min_relative_change.
//
// Promises: deterministic; memory O(keys x buckets kept); not thread-safe (one monitor per
// thread, or external locking).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"

namespace cf::diagnosis {

enum class Scope : uint8_t { kPlan, kProduct, kChannel, kCreative };
enum class Kpi : uint8_t { kSpend, kImpressions, kGmv, kCtr, kCvr, kCpm, kWinRate, kRoi, kPace };
inline constexpr int kNumKpis = 9;
enum class Severity : uint8_t { kWarning, kCritical };

std::string_view ScopeName(Scope s);
std::string_view KpiName(Kpi k);
std::string_view SeverityName(Severity s);

// What is monitored: a plan as a whole, or one of its products, channels or creatives.
struct MonitorKey {
  PlanId plan = kNoId;
  Scope scope = Scope::kPlan;
  uint32_t id = kNoId;  // product, channel (as int), creative; kNoId for the plan itself
  auto operator<=>(const MonitorKey&) const = default;
};

// Counts of one key in one bucket.
struct KpiCounts {
  double impressions = 0, clicks = 0, purchases = 0, auctions = 0, wins = 0;
  double spend = 0, gmv = 0;  // currency units (not micro)
  double charges = 0;         // events that cost money (clicks of CPC plans, impressions of CPM)
  KpiCounts& operator+=(const KpiCounts& o);
};

// The KPI's value, and the size of the evidence behind it (its denominator count); false when
// undefined (no denominator).
bool KpiValue(Kpi k, const KpiCounts& c, double* value, double* evidence);

struct Alert {
  MonitorKey key;
  Kpi kpi = Kpi::kRoi;
  SimMinute bucket_start = 0;  // the last bucket of the judged window
  SimMinute window_start = 0;  // its first bucket (= bucket_start for a one-bucket window)
  double value = 0, baseline = 0, z = 0, relative_change = 0, evidence = 0;
  Severity severity = Severity::kWarning;
};

struct MonitorOptions {
  // Must divide a day. Shorter buckets let an alert come sooner after a change (the windows end
  // at every bucket), not on less evidence: the minimums below hold for the whole window.
  SimMinute bucket_minutes = 15;
  int history_days = 7;
  int min_history_days = 3;
  double z_warn = 4;
  double z_critical = 6;
  double min_relative_change = 0.25;
  // Minimum evidence behind a KPI in the judged window.
  double min_impressions = 300;  // CTR, CPM, impressions, spend
  double min_clicks = 40;        // CVR
  double min_purchases = 8;      // ROI, GMV
  double min_auctions = 300;     // win rate
  // Each bucket is judged as the last of windows of these many buckets (0: unused), each against
  // the same window on past days; the strongest alert is kept. A sharp change shows within the
  // hour; a moderate one that an hour cannot show with confidence over a few; a small plan's
  // collapse over half a day. Default: 1, 4 and 12 hours of 15-minute buckets.
  std::array<uint32_t, 3> window_buckets = {4, 16, 48};
};

class KpiMonitor {
 public:
  // Throws std::invalid_argument when bucket_minutes does not divide a day.
  explicit KpiMonitor(MonitorOptions options = {});

  // Counts an ad event (impression, click or attributed purchase of a plan) for the plan and its
  // product, channel and creative (creative known on impressions and clicks). Other events and
  // events without a plan are ignored.
  void Observe(const Event& e);
  // Counts an auction the plan entered (and whether it won) on a channel.
  void ObserveAuction(PlanId plan, Channel channel, SimMinute minute, bool won);
  // Counts `auctions` auctions, `wins` of them won, at once.
  void ObserveAuctions(PlanId plan, Channel channel, SimMinute minute, uint32_t auctions,
                       uint32_t wins);
  // Enables the pace KPI for a plan.
  void SetDailyBudget(PlanId plan, Money daily_budget);

  // Judges every key's buckets that ended at or before `now` and were not judged yet; returns
  // the alerts, most severe (largest |z|) first.
  std::vector<Alert> Scan(SimMinute now);
  // Marks every bucket that ends at or before `now` as judged without judging it (a monitor that
  // starts watching mid-stream skips the empty past).
  void SkipTo(SimMinute now);

  // The counts of a key in the bucket starting at `bucket_start` (zero if none).
  KpiCounts Counts(const MonitorKey& key, SimMinute bucket_start) const;
  const MonitorOptions& options() const { return options_; }

 private:
  struct Series {
    std::map<uint32_t, KpiCounts> buckets;  // bucket index -> counts
  };
  void Add(const MonitorKey& key, uint32_t bucket, const KpiCounts& c);
  // Judges the window of `width` buckets ending at `bucket`.
  bool Judge(const MonitorKey& key, const Series& s, uint32_t bucket, uint32_t width, Kpi kpi,
             Alert* out) const;

  MonitorOptions options_;
  std::map<MonitorKey, Series> series_;
  std::map<PlanId, double> daily_budget_;  // currency units
  uint32_t next_bucket_ = 0;               // first bucket not judged yet
};

}  // namespace cf::diagnosis
