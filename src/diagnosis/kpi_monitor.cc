#include "diagnosis/kpi_monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cf::diagnosis {

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kPlan:
      return "plan";
    case Scope::kProduct:
      return "product";
    case Scope::kChannel:
      return "channel";
    case Scope::kCreative:
      return "creative";
  }
  return "?";
}

std::string_view KpiName(Kpi k) {
  static constexpr std::array<std::string_view, kNumKpis> kNames = {
      "spend", "impressions", "gmv", "ctr", "cvr", "cpm", "win_rate", "roi", "pace"};
  return kNames[static_cast<size_t>(k)];
}

std::string_view SeverityName(Severity s) {
  return s == Severity::kCritical ? "critical" : "warning";
}

KpiCounts& KpiCounts::operator+=(const KpiCounts& o) {
  impressions += o.impressions;
  clicks += o.clicks;
  purchases += o.purchases;
  auctions += o.auctions;
  wins += o.wins;
  spend += o.spend;
  gmv += o.gmv;
  charges += o.charges;
  return *this;
}

bool KpiValue(Kpi k, const KpiCounts& c, double* value, double* evidence) {
  switch (k) {
    case Kpi::kSpend:
      *value = c.spend;
      *evidence = c.impressions;
      return true;
    case Kpi::kImpressions:
      *value = c.impressions;
      *evidence = c.impressions;
      return true;
    case Kpi::kGmv:
      *value = c.gmv;
      *evidence = c.purchases;
      return true;
    case Kpi::kCtr:
      *evidence = c.impressions;
      if (c.impressions <= 0) return false;
      *value = c.clicks / c.impressions;
      return true;
    case Kpi::kCvr:
      *evidence = c.clicks;
      if (c.clicks <= 0) return false;
      *value = c.purchases / c.clicks;
      return true;
    case Kpi::kCpm:
      *evidence = c.impressions;
      if (c.impressions <= 0) return false;
      *value = c.spend / c.impressions * 1000;
      return true;
    case Kpi::kWinRate:
      *evidence = c.auctions;
      if (c.auctions <= 0) return false;
      *value = c.wins / c.auctions;
      return true;
    case Kpi::kRoi:
      *evidence = c.purchases;
      if (c.spend <= 0) return false;
      *value = c.gmv / c.spend;
      return true;
    case Kpi::kPace:
      return false;  // needs the budget: computed by the monitor
  }
  return false;
}

KpiMonitor::KpiMonitor(MonitorOptions options) : options_(options) {
  if (options_.bucket_minutes == 0 || kMinutesPerDay % options_.bucket_minutes != 0) {
    throw std::invalid_argument(fmt::format(
        "a monitor bucket of {} minutes does not divide a day; use a divisor of 1440 such as 15 "
        "or 60",
        options_.bucket_minutes));
  }
}

void KpiMonitor::Add(const MonitorKey& key, uint32_t bucket, const KpiCounts& c) {
  series_[key].buckets[bucket] += c;
}

void KpiMonitor::Observe(const Event& e) {
  if (e.plan == kNoId) return;
  KpiCounts c;
  switch (e.type) {
    case EventType::kImpression:
      c.impressions = 1;
      c.spend = Money::Micros(e.money).units();
      c.charges = e.money > 0 ? 1 : 0;
      break;
    case EventType::kClick:
      c.clicks = 1;
      c.spend = Money::Micros(e.money).units();
      c.charges = e.money > 0 ? 1 : 0;
      break;
    case EventType::kPurchase:
      if (e.flags & kFlagOrganic) return;
      c.purchases = 1;
      c.gmv = Money::Micros(e.money).units();
      break;
    default:
      return;
  }
  const uint32_t bucket = e.minute / options_.bucket_minutes;
  Add(MonitorKey{e.plan, Scope::kPlan, kNoId}, bucket, c);
  Add(MonitorKey{e.plan, Scope::kChannel, static_cast<uint32_t>(e.channel)}, bucket, c);
  if (e.product != kNoId) Add(MonitorKey{e.plan, Scope::kProduct, e.product}, bucket, c);
  if (e.type != EventType::kPurchase && e.ref != kNoId) {
    Add(MonitorKey{e.plan, Scope::kCreative, e.ref}, bucket, c);
  }
}

void KpiMonitor::ObserveAuction(PlanId plan, Channel channel, SimMinute minute, bool won) {
  ObserveAuctions(plan, channel, minute, 1, won ? 1 : 0);
}

void KpiMonitor::ObserveAuctions(PlanId plan, Channel channel, SimMinute minute, uint32_t auctions,
                                 uint32_t wins) {
  KpiCounts c;
  c.auctions = auctions;
  c.wins = wins;
  const uint32_t bucket = minute / options_.bucket_minutes;
  Add(MonitorKey{plan, Scope::kPlan, kNoId}, bucket, c);
  Add(MonitorKey{plan, Scope::kChannel, static_cast<uint32_t>(channel)}, bucket, c);
}

void KpiMonitor::SetDailyBudget(PlanId plan, Money daily_budget) {
  daily_budget_[plan] = daily_budget.units();
}

KpiCounts KpiMonitor::Counts(const MonitorKey& key, SimMinute bucket_start) const {
  auto it = series_.find(key);
  if (it == series_.end()) return {};
  auto b = it->second.buckets.find(bucket_start / options_.bucket_minutes);
  return b == it->second.buckets.end() ? KpiCounts{} : b->second;
}

namespace {

double Median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  const size_t mid = xs.size() / 2;
  std::nth_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(mid), xs.end());
  double m = xs[mid];
  if (xs.size() % 2 == 0) {
    m = (m + *std::max_element(xs.begin(), xs.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
  }
  return m;
}

}  // namespace

bool KpiMonitor::Judge(const MonitorKey& key, const Series& s, uint32_t bucket, uint32_t width,
                       Kpi kpi, Alert* out) const {
  const uint32_t per_day = kMinutesPerDay / options_.bucket_minutes;
  if (width == 0 || width > bucket + 1 || width > per_day) return false;
  // The counts of the window of `width` buckets ending at b.
  auto counts_at = [&](uint32_t b) {
    KpiCounts c;
    for (auto it = s.buckets.lower_bound(b + 1 - width); it != s.buckets.end() && it->first <= b;
         ++it) {
      c += it->second;
    }
    return c;
  };
  auto value_of = [&](uint32_t b, double* value, double* evidence) {
    const KpiCounts c = counts_at(b);
    if (kpi == Kpi::kPace) {
      auto budget = daily_budget_.find(key.plan);
      if (key.scope != Scope::kPlan || budget == daily_budget_.end() || budget->second <= 0) {
        return false;
      }
      *value = c.spend / (budget->second * width / per_day);
      *evidence = c.impressions;
      return true;
    }
    return KpiValue(kpi, c, value, evidence);
  };
  double value = 0, evidence = 0;
  if (!value_of(bucket, &value, &evidence)) return false;
  // A past day counts only if its whole window lies after the key's first data: before it the key
  // did not exist (a run that starts mid-year, a new creative), which is not a zero.
  const uint32_t first = s.buckets.empty() ? 0 : s.buckets.begin()->first;
  auto past_ok = [&](int d) {
    const uint32_t back = static_cast<uint32_t>(d) * per_day;
    return bucket >= back && bucket - back + 1 >= first + width;
  };
  std::vector<double> past;
  for (int d = 1; d <= options_.history_days; ++d) {
    if (!past_ok(d)) break;
    double v = 0, ev = 0;
    if (value_of(bucket - d * per_day, &v, &ev)) past.push_back(v);
  }
  if (static_cast<int>(past.size()) < options_.min_history_days) return false;
  const double baseline = Median(past);
  std::vector<double> dev;
  for (double v : past) dev.push_back(std::abs(v - baseline));
  const double spread = 1.4826 * Median(dev);
  // Evidence: the current bucket, or (for a collapse to nothing) the usual bucket. For money
  // KPIs the noise comes from the usual number of events behind the amount: charged events for
  // spend, CPM and pace (clicks of a CPC plan are far fewer than its impressions), purchases for
  // GMV and ROI; "usual" because under the null hypothesis the bucket is an ordinary one, so a
  // collapse to zero is judged against what was expected, not against the nothing observed.
  double usual_evidence = 0, usual_charges = 0, usual_purchases = 0;
  {
    std::vector<double> evs, charges, purchases;
    for (int d = 1; d <= options_.history_days; ++d) {
      if (!past_ok(d)) break;
      double v = 0, ev = 0;
      value_of(bucket - d * per_day, &v, &ev);
      evs.push_back(ev);
      const KpiCounts c = counts_at(bucket - d * per_day);
      charges.push_back(c.charges > 0 ? c.charges : c.impressions);
      purchases.push_back(c.purchases);
    }
    usual_evidence = Median(evs);
    usual_charges = Median(charges);
    usual_purchases = Median(purchases);
  }
  // Sampling noise of the current bucket and of the baseline (a median of past buckets with
  // about `usual_evidence` each).
  const double ev_now = std::max(1.0, evidence);
  const double ev_base = std::max(1.0, usual_evidence * static_cast<double>(past.size()));
  const double rel_var = 1 / ev_now + 1 / ev_base;
  // `unit_var`: the sampling variance of one usual bucket. The noise of this bucket and of the
  // baseline scales it; the past values' spread already holds it once (below).
  double unit_var = 0, noise = 0;
  double min_evidence = options_.min_impressions;
  switch (kpi) {
    case Kpi::kCtr:
    case Kpi::kCvr:
    case Kpi::kWinRate: {
      const double p = std::clamp(baseline, 1e-6, 1 - 1e-6);
      unit_var = p * (1 - p) / std::max(1.0, usual_evidence);
      noise = std::sqrt(p * (1 - p) * rel_var);
      min_evidence = kpi == Kpi::kCvr       ? options_.min_clicks
                     : kpi == Kpi::kWinRate ? options_.min_auctions
                                            : options_.min_impressions;
      break;
    }
    case Kpi::kImpressions:
      unit_var = std::max(1.0, baseline);
      noise = std::sqrt(unit_var * (1 + 1.0 / static_cast<double>(past.size())));
      break;
    case Kpi::kGmv:
    case Kpi::kRoi:
    case Kpi::kSpend:
    case Kpi::kCpm:
    case Kpi::kPace: {
      // Money: relative noise 1/sqrt(usual events behind the amount): purchases for GMV and ROI,
      // charged events for spend, CPM and pace.
      const bool by_purchases = kpi == Kpi::kGmv || kpi == Kpi::kRoi;
      const double u = std::max(1.0, by_purchases ? usual_purchases : usual_charges);
      unit_var = baseline * baseline / u;
      noise = std::sqrt(unit_var * (1 + 1.0 / static_cast<double>(past.size())));
      if (by_purchases) min_evidence = options_.min_purchases;
      break;
    }
  }
  if (std::max(evidence, usual_evidence) < min_evidence) return false;
  if (kpi == Kpi::kCtr || kpi == Kpi::kCvr || kpi == Kpi::kWinRate || kpi == Kpi::kCpm ||
      kpi == Kpi::kRoi) {
    if (evidence < min_evidence) return false;  // a ratio needs its own denominator
  }
  // The past values' spread already holds one bucket's sampling noise; only the rest of it (the
  // day-to-day variation beyond sampling, a random-effects estimate) is added to this bucket's and
  // the baseline's sampling noise, so sampling noise is not counted twice.
  const double excess_var = std::max(0.0, spread * spread - unit_var);
  const double scale = std::sqrt(excess_var + noise * noise);
  if (!(scale > 0)) return false;
  const double z = (value - baseline) / scale;
  const double rel = baseline != 0 ? (value - baseline) / std::abs(baseline) : 0;
  if (std::abs(z) < options_.z_warn || std::abs(rel) < options_.min_relative_change) return false;
  out->key = key;
  out->kpi = kpi;
  out->bucket_start = bucket * options_.bucket_minutes;
  out->window_start = (bucket + 1 - width) * options_.bucket_minutes;
  out->value = value;
  out->baseline = baseline;
  out->z = z;
  out->relative_change = rel;
  out->evidence = evidence;
  out->severity =
      std::abs(z) >= options_.z_critical && std::abs(rel) >= 2 * options_.min_relative_change
          ? Severity::kCritical
          : Severity::kWarning;
  return true;
}

void KpiMonitor::SkipTo(SimMinute now) {
  next_bucket_ = std::max(next_bucket_, static_cast<uint32_t>((now + 1) / options_.bucket_minutes));
}

std::vector<Alert> KpiMonitor::Scan(SimMinute now) {
  std::vector<Alert> alerts;
  const uint32_t end = (now + 1) / options_.bucket_minutes;  // buckets < end are complete
  for (uint32_t bucket = next_bucket_; bucket < end; ++bucket) {
    for (const auto& [key, s] : series_) {
      for (int k = 0; k < kNumKpis; ++k) {
        // The windows ending at this bucket: the strongest alert.
        Alert best, a;
        bool any = false;
        for (uint32_t width : options_.window_buckets) {
          if (width == 0 || !Judge(key, s, bucket, width, static_cast<Kpi>(k), &a)) continue;
          if (!any || std::abs(a.z) > std::abs(best.z)) best = a;
          any = true;
        }
        if (any) alerts.push_back(best);
      }
    }
  }
  next_bucket_ = std::max(next_bucket_, end);
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const Alert& a, const Alert& b) { return std::abs(a.z) > std::abs(b.z); });
  return alerts;
}

}  // namespace cf::diagnosis
