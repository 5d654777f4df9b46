#include "action/report_store.h"

#include <algorithm>

namespace cf::action {
Metrics FromCounts(const PlanCounts& c) {
  Metrics m;
  m.spend = c.spend;
  m.gmv = c.gmv;
  m.impressions = c.impressions;
  m.clicks = c.clicks;
  m.purchases = c.purchases;
  return m;
}

namespace {

Metrics Minus(const Metrics& a, const Metrics& b) {
  Metrics d;
  d.spend = a.spend - b.spend;
  d.gmv = a.gmv - b.gmv;
  d.impressions = a.impressions - b.impressions;
  d.clicks = a.clicks - b.clicks;
  d.purchases = a.purchases - b.purchases;
  return d;
}

}  // namespace

void Metrics::Add(const Metrics& o) {
  spend += o.spend;
  gmv += o.gmv;
  impressions += o.impressions;
  clicks += o.clicks;
  purchases += o.purchases;
}

void ReportStore::RecordHour(SimMinute hour_end, const Platform& platform,
                             const std::vector<PlanId>& plans,
                             const std::function<double(PlanId)>& alpha) {
  for (PlanId id : plans) {
    const PlanStats& st = platform.stats(id);
    Snapshot now;
    now.total = FromCounts(st.total);
    for (int c = 0; c < kNumChannels; ++c) now.by_channel[c] = FromCounts(st.by_channel[c]);
    for (const auto& [p, counts] : st.by_product) now.by_product[p] = FromCounts(counts);
    Snapshot& before = last_[id];
    HourRow row;
    row.hour_end = hour_end;
    row.plan = id;
    row.total = Minus(now.total, before.total);
    for (int c = 0; c < kNumChannels; ++c)
      row.by_channel[c] = Minus(now.by_channel[c], before.by_channel[c]);
    for (const auto& [p, m] : now.by_product)
      row.by_product.push_back({p, Minus(m, before.by_product[p])});
    for (const auto& [p, counts] : st.by_product) {
      for (const CreativeView& v : platform.creatives(p)) {
        now.by_creative[v.creative.id] = {v.impressions, v.clicks};
        const auto& [imps, clicks] = before.by_creative[v.creative.id];
        if (v.impressions == imps) continue;
        row.by_creative.push_back(
            {v.creative.id, p, v.impressions - imps, v.clicks - clicks, v.impressions});
      }
    }
    row.alpha = alpha ? alpha(id) : 0.0;
    before = std::move(now);
    by_plan_[id].push_back(rows_.size());
    rows_.push_back(std::move(row));
  }
}

std::vector<ReportRow> ReportStore::Query(const ReportQuery& q) const {
  std::map<std::pair<SimMinute, std::string>, ReportRow> out;
  for (const HourRow& r : rows_) {
    if (r.hour_end <= q.from || r.hour_end > q.to) continue;
    if (!q.plans.empty() && std::find(q.plans.begin(), q.plans.end(), r.plan) == q.plans.end())
      continue;
    const SimMinute hour_start = r.hour_end - kMinutesPerHour;
    SimMinute period = hour_start;
    if (q.granularity == Granularity::kDay) period = hour_start - hour_start % kMinutesPerDay;
    if (q.granularity == Granularity::kTotal) period = 0;
    auto add = [&](const std::string& key, const Metrics& m) {
      ReportRow& row = out[{period, key}];
      row.period_start = period;
      row.key = key;
      row.m.Add(m);
      row.alpha = r.alpha;
    };
    switch (q.dimension) {
      case Dimension::kNone:
        add("", r.total);
        break;
      case Dimension::kChannel:
        for (int c = 0; c < kNumChannels; ++c) {
          add(std::string(ChannelName(static_cast<Channel>(c))), r.by_channel[c]);
        }
        break;
      case Dimension::kProduct:
        for (const auto& [p, m] : r.by_product) add(std::to_string(p), m);
        break;
    }
  }
  std::vector<ReportRow> rows;
  rows.reserve(out.size());
  for (auto& [k, v] : out) rows.push_back(std::move(v));
  return rows;
}

std::vector<const HourRow*> ReportStore::Recent(PlanId plan, size_t hours) const {
  std::vector<const HourRow*> v;
  auto it = by_plan_.find(plan);
  if (it == by_plan_.end()) return v;
  const auto& idx = it->second;
  const size_t from = idx.size() > hours ? idx.size() - hours : 0;
  for (size_t i = from; i < idx.size(); ++i) v.push_back(&rows_[idx[i]]);
  return v;
}

}  // namespace cf::action
