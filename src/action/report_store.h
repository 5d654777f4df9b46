// Hourly delivery reports of every plan of one account, the source of get_report, the plan view's
// charts and the bid/budget suggestions. Promises: RecordHour turns the platform's cumulative plan
// counters into per-hour deltas (so rows add up to the plan's totals), per creative too; Query sums
// rows by hour or day, optionally split by channel or product; nothing is ever dropped or double
// counted.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/channel.h"
#include "common/ids.h"
#include "common/money.h"
#include "common/sim_clock.h"
#include "serving/platform.h"

namespace cf::action {

struct Metrics {
  Money spend, gmv;
  uint64_t impressions = 0, clicks = 0, purchases = 0;
  void Add(const Metrics& o);
  double roi() const { return spend.micros() > 0 ? gmv.units() / spend.units() : 0.0; }
};

// A plan's cumulative platform counters as Metrics.
Metrics FromCounts(const PlanCounts& c);

// One creative's delivery in an hour (across the plans showing its product).
struct CreativeHour {
  CreativeId creative = kNoId;
  ProductId product = kNoId;
  uint64_t impressions = 0, clicks = 0;
  uint64_t exposures = 0;  // cumulative impressions at the end of the hour
};

struct HourRow {
  SimMinute hour_end = 0;  // minute the hour ended
  PlanId plan = kNoId;
  Metrics total;
  std::array<Metrics, kNumChannels> by_channel{};
  std::vector<std::pair<ProductId, Metrics>> by_product;
  std::vector<CreativeHour> by_creative;  // creatives of the plan's products shown in the hour
  double alpha = 0;  // super plans: the pilot's bid multiplier at the end of the hour
};

enum class Granularity { kHour, kDay, kTotal };
enum class Dimension { kNone, kChannel, kProduct };

struct ReportQuery {
  std::vector<PlanId> plans;     // empty: all the account's plans
  SimMinute from = 0, to = ~0u;  // hour_end in (from, to]
  Granularity granularity = Granularity::kDay;
  Dimension dimension = Dimension::kNone;
};

struct ReportRow {
  SimMinute period_start = 0;  // minute the hour/day began (flight start for kTotal)
  std::string key;             // channel name or product id; empty for kNone
  Metrics m;
  double alpha = 0;  // last alpha in the period (hourly super-plan rows)
};

class ReportStore {
 public:
  // Appends one row per plan in `plans` for the hour ending at `hour_end`.
  void RecordHour(SimMinute hour_end, const Platform& platform, const std::vector<PlanId>& plans,
                  const std::function<double(PlanId)>& alpha);
  std::vector<ReportRow> Query(const ReportQuery& q) const;
  // The last `hours` rows of a plan, oldest first.
  std::vector<const HourRow*> Recent(PlanId plan, size_t hours) const;
  const std::vector<HourRow>& rows() const { return rows_; }

 private:
  struct Snapshot {
    Metrics total;
    std::array<Metrics, kNumChannels> by_channel{};
    std::map<ProductId, Metrics> by_product;
    std::map<CreativeId, std::pair<uint64_t, uint64_t>> by_creative;  // impressions, clicks
  };
  std::vector<HourRow> rows_;
  std::map<PlanId, Snapshot> last_;  // cumulative counters at the previous hour
  std::map<PlanId, std::vector<size_t>> by_plan_;
};

}  // namespace cf::action
