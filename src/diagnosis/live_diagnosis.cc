#include "diagnosis/live_diagnosis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "diagnosis/report.h"

namespace cf::diagnosis {
namespace {

// Whether an alert is a move the merchant should worry about (a drop, or a price rise).
bool Adverse(const Alert& a) {
  switch (a.kpi) {
    case Kpi::kCpm:
      return a.relative_change > 0;
    case Kpi::kPace:     // moves with the plan's own budget changes; spend covers delivery
    case Kpi::kWinRate:  // moves with the plan's own bid and target changes: evidence only
      return false;
    default:
      return a.relative_change < 0;
  }
}

// A finding of one of the live watches (not of a monitor alert): `kpi` of `key` over the buckets
// from `from_bucket` to the tick at `now`, a warning until the caller says otherwise.
LiveFinding WatchFinding(const MonitorKey& key, Kpi kpi, SimMinute now, uint32_t from_bucket,
                         uint32_t bucket_minutes) {
  LiveFinding f;
  f.plan = key.plan;
  f.minute = now;
  f.trigger.key = key;
  f.trigger.kpi = kpi;
  f.trigger.severity = Severity::kWarning;
  f.trigger.bucket_start = (now / bucket_minutes - 1) * bucket_minutes;
  f.trigger.window_start = static_cast<SimMinute>(from_bucket) * bucket_minutes;
  return f;
}

// A finding of the price watch or the price-cut news: triggered by the CVR of the undercut
// products (`e`, the most clicked first) over the buckets from `from_bucket` to the tick at `now`.
LiveFinding PriceFinding(PlanId plan, SimMinute now, const PriceCutEvidence& e,
                         uint32_t from_bucket, uint32_t bucket_minutes) {
  return WatchFinding({plan, Scope::kProduct, e.products.front()->product}, Kpi::kCvr, now,
                      from_bucket, bucket_minutes);
}

}  // namespace

std::string LiveFinding::TriggerText() const {
  if (!trigger_note.empty()) return trigger_note;
  std::string scope(ScopeName(trigger.key.scope));
  if (trigger.key.scope == Scope::kChannel) {
    scope = fmt::format("channel {}", ChannelName(static_cast<Channel>(trigger.key.id)));
  } else if (trigger.key.scope != Scope::kPlan) {
    scope = fmt::format("{} {}", scope, trigger.key.id);
  }
  return fmt::format(
      "{} of the {} {} {:.0f}% against its usual level for the time of day (z = {:.1f}, {})",
      KpiName(trigger.kpi), scope, trigger.relative_change < 0 ? "fell" : "rose",
      100 * std::abs(trigger.relative_change), trigger.z, SeverityName(trigger.severity));
}

LiveDiagnosis::LiveDiagnosis(LiveDiagnosisOptions options)
    : options_(options), monitor_(options.monitor) {
  if (60 % options_.monitor.bucket_minutes != 0) {
    throw std::invalid_argument(
        fmt::format("live diagnosis ticks of {} minutes do not divide an hour; use 5, 15, 30 or 60",
                    options_.monitor.bucket_minutes));
  }
  if (options_.mix_watch_hours < 0 || options_.mix_watch_hours > 24) {
    throw std::invalid_argument(
        fmt::format("the traffic mix watch looks back {} hours; use 1 to 24, or 0 to turn it off",
                    options_.mix_watch_hours));
  }
}

void LiveDiagnosis::Watch(PlanId plan) {
  watched_.insert(plan);
  tracks_[plan];
}

void LiveDiagnosis::Observe(const Event& e) {
  if (!Watches(e.plan)) return;
  const uint32_t bucket = e.minute / options_.monitor.bucket_minutes;
  if (first_bucket_ == UINT32_MAX) {
    first_bucket_ = bucket;
    monitor_.SkipTo(e.minute - e.minute % options_.monitor.bucket_minutes - 1);
  }
  monitor_.Observe(e);
  if (e.type == EventType::kImpression && e.ref != kNoId) creatives_[e.plan].insert(e.ref);
}

void LiveDiagnosis::Tally(AuctionTally& t, double ecpm, double beat_cpm, bool won) const {
  t.auctions += 1;
  t.beat_cpm_sum += beat_cpm;
  if (won) {
    t.wins += 1;
  } else if (ecpm * options_.capped_bid_factor >= beat_cpm) {
    t.capped_losses += 1;
  }
}

void LiveDiagnosis::ObserveAuction(PlanId plan, Channel channel, SimMinute minute, double ecpm,
                                   double beat_cpm, bool won) {
  AuctionTally t;
  Tally(t, ecpm, beat_cpm, won);
  ObserveAuctions(plan, channel, minute, t);
}

void LiveDiagnosis::ObserveAuctions(PlanId plan, Channel channel, SimMinute minute,
                                    const AuctionTally& t) {
  if (!Watches(plan) || t.auctions == 0) return;
  const uint32_t bucket = minute / options_.monitor.bucket_minutes;
  if (first_bucket_ == UINT32_MAX) {
    first_bucket_ = bucket;
    monitor_.SkipTo(minute - minute % options_.monitor.bucket_minutes - 1);
  }
  monitor_.ObserveAuctions(plan, channel, minute, t.auctions, t.wins);
  BucketAux& h = tracks_[plan].buckets[bucket];
  h.auctions += t.auctions;
  h.beat_cpm_sum += t.beat_cpm_sum;
  h.losses += t.auctions - t.wins;
  h.capped_losses += t.capped_losses;
}

double LiveDiagnosis::CompetitorPriceAt(const PlanTrack& t, uint32_t bucket, ProductId p,
                                        double fallback) {
  auto it = t.comp.lower_bound(bucket);
  if (it == t.comp.begin()) return fallback;
  --it;
  auto f = it->second.find(p);
  return f == it->second.end() ? fallback : f->second;
}

KpiCounts LiveDiagnosis::Sum(const MonitorKey& key, uint32_t from, uint32_t to) const {
  KpiCounts c;
  for (uint32_t b = from; b < to; ++b) {
    c += monitor_.Counts(key, static_cast<SimMinute>(b) * options_.monitor.bucket_minutes);
  }
  return c;
}

DiagnosisInput LiveDiagnosis::BuildInput(const PlanState& s, SimMinute now,
                                         uint32_t after_from) const {
  const uint32_t per_day = kMinutesPerDay / options_.monitor.bucket_minutes;
  const uint32_t end = now / options_.monitor.bucket_minutes;  // buckets < end are complete
  const uint32_t width = end - after_from;
  const uint32_t before_to = end >= per_day ? end - per_day : 0;
  const uint32_t before_from = before_to >= width ? before_to - width : 0;
  const uint32_t first = first_bucket_ == UINT32_MAX ? end : first_bucket_;

  DiagnosisInput in;
  in.plan = s.plan;
  in.plan_name = s.name;
  in.window_hours = static_cast<double>(width * options_.monitor.bucket_minutes) / 60;
  for (Channel c : kAllChannels) {
    const MonitorKey k{s.plan, Scope::kChannel, static_cast<uint32_t>(c)};
    in.channel_before[static_cast<size_t>(c)] = Sum(k, before_from, before_to);
    in.channel_after[static_cast<size_t>(c)] = Sum(k, after_from, end);
  }
  if (auto it = creatives_.find(s.plan); it != creatives_.end()) {
    for (uint32_t id : it->second) {
      const MonitorKey k{s.plan, Scope::kCreative, id};
      CreativeWindow w;
      w.creative = id;
      w.name = fmt::format("#{}", id);
      w.before = Sum(k, before_from, before_to);
      w.after = Sum(k, after_from, end);
      if (before_to >= 2 * per_day) {
        w.day_before = Sum(k, before_to - per_day, before_to);
        w.day_earlier = Sum(k, before_to - 2 * per_day, before_to - per_day);
      }
      w.exposures_before = Sum(k, std::min(first, before_from), before_from).impressions;
      w.exposures_after = Sum(k, std::min(first, after_from), after_from).impressions;
      in.creatives.push_back(w);
    }
  }
  const PlanTrack& t = tracks_.at(s.plan);
  for (const ProductState& p : s.products) {
    const MonitorKey k{s.plan, Scope::kProduct, p.product};
    ProductWindow w;
    w.product = p.product;
    w.name = p.name;
    w.before = Sum(k, before_from, before_to);
    w.after = Sum(k, after_from, end);
    w.own_price = p.own_price;
    w.competitor_price_before = CompetitorPriceAt(t, before_to, p.product, p.competitor_price);
    w.competitor_price_after = p.competitor_price;
    for (int d = 1; d <= options_.monitor.history_days; ++d) {
      const uint32_t back = static_cast<uint32_t>(d) * per_day;
      if (after_from < back || after_from - back < first) break;  // before the plan was seen
      w.reference += Sum(k, after_from - back, end - back);
      w.reference_days = d;
    }
    in.products.push_back(w);
  }
  in.daily_budget = s.daily_budget;
  in.budget_spent_share = s.daily_budget > 0 ? s.spent_today / s.daily_budget : 0;
  const uint32_t day = (now - 1) / kMinutesPerDay;
  auto ex = t.budget_exhausted_hour.find(day);
  in.budget_exhausted_hour = ex == t.budget_exhausted_hour.end() ? 24 : ex->second;
  in.roi_target = s.roi_target;
  // The target in force during the before window (recorded at the end of its first tick).
  if (auto it = t.roi_target.upper_bound(before_from); it != t.roi_target.end()) {
    in.roi_target_before = it->second;
  }
  if (auto it = t.daily_budget.upper_bound(before_from); it != t.daily_budget.end()) {
    in.daily_budget_before = it->second;
  }
  // Today's budget (spent + what may still be spent) dropping between two ticks of one day, after
  // the window began: the cut is measured against what was left then.
  uint32_t cut_bucket = 0;
  for (auto it = t.daily_budget.upper_bound(after_from);
       it != t.daily_budget.end() && it->first <= end; ++it) {
    if (it == t.daily_budget.begin()) continue;
    const auto prev = std::prev(it);
    const uint32_t day = it->first / per_day;
    // Ticks at midnight are left out: the day's spend restarts there.
    if (prev->first / per_day != day || prev->first % per_day == 0 || it->first % per_day == 0) {
      continue;
    }
    const double left = prev->second - t.spent_today.at(prev->first);
    const double dropped = prev->second - it->second;
    if (left <= 0 || dropped <= 0 || dropped / left <= in.budget_left_cut) continue;
    in.budget_left_cut = std::min(1.0, dropped / left);
    in.budget_left_before = left;
    in.budget_left_after = std::max(0.0, left - dropped);
    in.budget_cut_minute = (it->first % per_day) * options_.monitor.bucket_minutes;
    const auto setting_now = t.budget_setting.find(it->first);
    const auto setting_before = t.budget_setting.find(prev->first);
    in.budget_cut_own = setting_now != t.budget_setting.end() &&
                        setting_before != t.budget_setting.end() &&
                        setting_now->second != setting_before->second;
    cut_bucket = it->first - 1;  // the tick that saw the cut ended the bucket it happened in
  }
  if (in.budget_left_cut > 0) {  // the plan's spend from that bucket on, and a day earlier
    const MonitorKey plan_key{s.plan, Scope::kPlan, kNoId};
    in.spend_since_cut = Sum(plan_key, cut_bucket, end).spend;
    in.spend_since_cut_day_before =
        cut_bucket >= per_day ? Sum(plan_key, cut_bucket - per_day, end - per_day).spend : 0;
  }
  BucketAux before, after;
  for (auto it = t.buckets.lower_bound(before_from); it != t.buckets.end() && it->first < end;
       ++it) {
    BucketAux& into = it->first < before_to ? before : after;
    if (it->first >= before_to && it->first < after_from) continue;
    into.auctions += it->second.auctions;
    into.beat_cpm_sum += it->second.beat_cpm_sum;
    into.losses += it->second.losses;
    into.capped_losses += it->second.capped_losses;
  }
  in.roi_capped_loss_share =
      s.roi_target > 0 && after.losses > 0 ? after.capped_losses / after.losses : 0;
  in.clearing_cpm_before = before.auctions > 0 ? before.beat_cpm_sum / before.auctions : 0;
  in.clearing_cpm_after = after.auctions > 0 ? after.beat_cpm_sum / after.auctions : 0;
  return in;
}

std::vector<LiveFinding> LiveDiagnosis::OnTick(SimMinute now, std::span<const PlanState> plans) {
  const uint32_t end = now / options_.monitor.bucket_minutes;
  for (const PlanState& s : plans) {
    auto it = tracks_.find(s.plan);
    if (it == tracks_.end()) continue;
    PlanTrack& t = it->second;
    // The catalogue as the platform sees it now, for "before" windows later.
    t.roi_target[end] = s.roi_target;
    t.daily_budget[end] = s.daily_budget;
    t.spent_today[end] = s.spent_today;
    t.budget_setting[end] = s.budget_setting;
    auto& comp = t.comp[end];
    for (const ProductState& p : s.products) comp[p.product] = p.competitor_price;
    // A competitor price cut on a promoted product (against the price a day earlier) starts the
    // price watch from the tick it appeared in; it ends when no cut stands any more.
    const uint32_t per_day = kMinutesPerDay / options_.monitor.bucket_minutes;
    bool cut = false;
    for (const ProductState& p : s.products) {
      const double old = end > per_day ? CompetitorPriceAt(t, end - per_day, p.product, 0) : 0;
      cut |= old > 0 && p.competitor_price > 0 &&
             p.competitor_price <= (1 - options_.price_watch_cut) * old;
    }
    if (cut && !t.price_watch) {
      t.price_watch_from = end - 1;
      t.price_watch_reported = false;
      t.price_news_pending = true;
    }
    t.price_watch = cut;
    // The hour the day's budget ran out (the first tick with 98% of it spent, rounded up to the
    // end of its hour).
    const uint32_t day = (now - 1) / kMinutesPerDay;
    if (s.daily_budget > 0 && s.spent_today >= 0.98 * s.daily_budget &&
        !t.budget_exhausted_hour.count(day)) {
      t.budget_exhausted_hour[day] = static_cast<double>(((now - 1) % kMinutesPerDay) / 60 + 1);
    }
  }
  std::vector<Alert> alerts = monitor_.Scan(now - 1);
  std::erase_if(alerts, [&](const Alert& a) {
    return !Adverse(a) || !Watches(a.key.plan) ||
           (a.key.scope != Scope::kPlan && a.key.scope != Scope::kChannel);
  });
  // Streaks of adverse ticks: the diagnosis window starts where the anomaly began.
  std::map<PlanId, uint32_t> alerted;  // plan -> earliest first bucket of its alerts' windows
  std::set<PlanId> plan_alerted;       // plans with an alert of the plan as a whole
  for (const Alert& a : alerts) {
    const uint32_t first = a.window_start / options_.monitor.bucket_minutes;
    auto [it, fresh] = alerted.emplace(a.key.plan, first);
    if (!fresh) it->second = std::min(it->second, first);
    if (a.key.scope == Scope::kPlan) plan_alerted.insert(a.key.plan);
  }
  for (auto& [plan, t] : tracks_) {
    const uint32_t bucket = end - 1;
    if (plan_alerted.count(plan)) {
      const bool going = t.plan_streak_ticks > 0 && t.plan_streak_last + 1 == bucket;
      t.plan_streak_ticks = going ? t.plan_streak_ticks + 1 : 1;
      t.plan_streak_last = bucket;
    } else {
      t.plan_streak_ticks = 0;
    }
    auto hit = alerted.find(plan);
    if (hit == alerted.end()) {
      t.in_streak = false;
      continue;
    }
    const bool fresh = !t.in_streak || t.streak_last + 1 < bucket;
    if (fresh) t.streak_first = hit->second;
    t.streak_last = bucket;
    t.in_streak = true;
  }
  // Between the hours only a critical move is diagnosed, and raised only with a cause: the extra
  // ticks are there to tell a sharp change with an explanation sooner, and judging every 15
  // minutes at the hourly threshold would raise more alarms on ordinary noise (more looks at the
  // same data) than hourly judging does. A move nothing explains waits for the hour.
  const bool on_the_hour = now % 60 == 0;
  if (!on_the_hour) {
    std::erase_if(alerts, [](const Alert& a) { return a.severity != Severity::kCritical; });
  }
  const uint32_t width =
      static_cast<uint32_t>(options_.window_hours * 60) / options_.monitor.bucket_minutes;
  std::vector<LiveFinding> out;
  // Per plan and tick: at most one alarm, and one notice. A notice does not end the plan's turn:
  // a less severe alert may still have an external cause. `done`: the plan's alarm was judged
  // this tick (raised or held back by the cooldown); `raised`: it was raised.
  std::set<PlanId> done, noticed, raised;
  const SimMinute cooldown = static_cast<SimMinute>(options_.cooldown_hours) * 60;
  // Raises a diagnosed finding unless a cooldown holds it back; true when raised. Within the
  // cooldown a new top cause with at least `break_confidence` still gets through. Without any
  // cause it is raised only when `urgent_unexplained`.
  auto emit = [&](LiveFinding&& f, PlanTrack& t, double break_confidence, bool urgent_unexplained) {
    const bool has_cause = !f.diagnosis.hypotheses.empty();
    const CauseKind cause = has_cause ? f.diagnosis.hypotheses.front().cause : CauseKind{};
    f.notice = has_cause && f.diagnosis.hypotheses.front().own_setting;
    if (f.notice) {
      if (noticed.count(f.plan) || (t.any_notice && now < t.last_notice + cooldown)) return false;
      noticed.insert(f.plan);
      t.any_notice = true;
      t.last_notice = now;
    } else {
      // A move nothing explains is held until it persists (min_unexplained_hours of consecutive
      // alerted ticks) or is critical: an alarm that says only "something moved" must be worth it.
      // Held, it leaves the plan's turn to its other alerts: one of them may have a cause.
      if (!has_cause && !urgent_unexplained) return false;
      done.insert(f.plan);
      const bool cooling = t.any_finding && now < t.last_finding + cooldown;
      // Within the cooldown only a confident new explanation is worth a message.
      const bool new_cause = has_cause && (!t.last_had_cause || cause != t.last_cause) &&
                             f.diagnosis.hypotheses.front().confidence >= break_confidence;
      if (cooling && !new_cause) return false;
      t.any_finding = true;
      t.last_finding = now;
      t.last_had_cause = has_cause;
      t.last_cause = cause;
    }
    if (!f.notice) raised.insert(f.plan);
    f.report_en = RenderReport(f.diagnosis, f.input, Lang::kEn);
    f.report_zh = RenderReport(f.diagnosis, f.input, Lang::kZh);
    out.push_back(std::move(f));
    return true;
  };
  for (const Alert& a : alerts) {  // most severe first
    if (done.count(a.key.plan)) continue;
    const PlanState* s = nullptr;
    for (const PlanState& p : plans)
      if (p.plan == a.key.plan) s = &p;
    if (!s) continue;
    PlanTrack& t = tracks_.at(a.key.plan);
    LiveFinding f;
    f.plan = s->plan;
    f.minute = now;
    f.trigger = a;
    // When the change began is not known exactly: try "after" windows starting where the anomaly
    // began and 1, 2 and 4 hours back (at most window_hours), and keep the one whose diagnosis
    // is the most confident (the onset whose evidence is clearest).
    const uint32_t oldest = end > width ? end - width : 0;
    std::vector<uint32_t> starts = {std::max(t.streak_first, oldest)};
    for (uint32_t hours : {1u, 2u, 4u}) {
      const uint32_t back = hours * 60 / options_.monitor.bucket_minutes;
      if (end > back && end - back >= oldest) starts.push_back(end - back);
    }
    bool first_try = true;
    for (uint32_t from : starts) {
      DiagnosisInput in = BuildInput(*s, now, std::min(from, end - 1));
      in.trigger = a.kpi;
      Diagnosis d = Coordinate(in);
      const double conf = d.hypotheses.empty() ? -1 : d.hypotheses.front().confidence;
      const double best =
          f.diagnosis.hypotheses.empty() ? -1 : f.diagnosis.hypotheses.front().confidence;
      if (first_try || conf > best) {
        f.input = std::move(in);
        f.diagnosis = std::move(d);
        first_try = false;
      }
    }
    // A critical move may break the cooldown with a confident new cause; without a cause, only a
    // critical or persistent move of the plan as a whole is raised. One channel's volume moving
    // unexplained while the plan holds is the auction's ordinary churn across channels (the
    // plan's bids, the competitors' budgets): the monitor shows it, but it is not an alarm.
    const bool critical = a.severity == Severity::kCritical;
    const uint32_t persistent = static_cast<uint32_t>(options_.min_unexplained_hours * 60) /
                                options_.monitor.bucket_minutes;
    emit(std::move(f), t, critical ? 0.5 : 2.0,
         on_the_hour && a.key.scope == Scope::kPlan &&
             (critical || t.plan_streak_ticks >= persistent));
  }
  // The news of a competitor price cut, at the tick it appears in the catalogue: when the undercut
  // products hold a material share of the plan's spend over the last day (PriceCutNews), the
  // merchant hears of it before its effect on their CVR can show. Once per cut.
  for (const PlanState& s : plans) {
    auto it = tracks_.find(s.plan);
    if (it == tracks_.end() || !it->second.price_news_pending || raised.count(s.plan)) continue;
    PlanTrack& t = it->second;
    t.price_news_pending = false;
    const uint32_t per_day = kMinutesPerDay / options_.monitor.bucket_minutes;
    DiagnosisInput in = BuildInput(s, now, end > per_day ? end - per_day : 0);
    const PriceCutEvidence e = PooledPriceCut(in);
    Diagnosis d = DiagnosisOf(in, PriceCutNews(in, e));
    if (d.hypotheses.empty()) continue;
    LiveFinding f = PriceFinding(s.plan, now, e, end - 1, options_.monitor.bucket_minutes);
    f.trigger_note = fmt::format(
        "competitors cut prices on {} of the plan's products (by {:.0f}% on average), which hold "
        "{:.0f}% of its spend",
        e.products.size(), 100 * e.cut,
        100 * e.after.spend / std::max(1e-9, in.TotalAfter().spend));
    for (const ProductWindow* p : e.products) in.trigger_products.push_back(p->product);
    f.input = std::move(in);
    f.diagnosis = std::move(d);
    emit(std::move(f), t, kExternalCauseFloor, false);
  }
  // The news of a budget cut, at the tick it happens: what the plan may spend today fell since
  // the last tick of the same day (neither at midnight, when the day's spend restarts) while its
  // own budget setting held, so the account ran dry or a cap was set. The merchant hears of it
  // when it takes a material share of the plan's usual delivery for the rest of the day
  // (BudgetCutNews), before the fall of spend can show. Once per cut: the next tick compares
  // against this one.
  const uint32_t per_day = kMinutesPerDay / options_.monitor.bucket_minutes;
  for (const PlanState& s : plans) {
    auto it = tracks_.find(s.plan);
    if (it == tracks_.end() || raised.count(s.plan) || !(s.budget_setting > 0)) continue;
    PlanTrack& t = it->second;
    auto cur = t.daily_budget.find(end);
    if (cur == t.daily_budget.begin() || s.daily_budget >= std::prev(cur)->second) continue;
    // BuildInput measures the cut of this tick against the last (same day, not at midnight).
    DiagnosisInput in = BuildInput(s, now, end - 1);
    if (in.budget_left_cut <= 0 || in.budget_cut_own) continue;
    if (end >= per_day) {
      const uint32_t day_end = (end / per_day + 1) * per_day;
      in.usual_rest_of_day_spend =
          Sum({s.plan, Scope::kPlan, kNoId}, end - per_day, day_end - per_day).spend;
    }
    Diagnosis d = DiagnosisOf(in, BudgetCutNews(in));
    if (d.hypotheses.empty()) continue;
    LiveFinding f = WatchFinding({s.plan, Scope::kPlan, kNoId}, Kpi::kSpend, now, end - 1,
                                 options_.monitor.bucket_minutes);
    f.trigger_note = fmt::format(
        "what the plan may spend today fell from {:.0f} to {:.0f} (spent so far {:.0f}) with no "
        "change to its own budget",
        std::prev(cur)->second, s.daily_budget, s.spent_today);
    f.input = std::move(in);
    f.diagnosis = std::move(d);
    emit(std::move(f), t, kExternalCauseFloor, false);
  }
  // The traffic mix watch (options_.mix_watch_hours): hourly, like the monitor's warnings.
  const uint32_t mix_back =
      static_cast<uint32_t>(options_.mix_watch_hours * 60) / options_.monitor.bucket_minutes;
  for (const PlanState& s : plans) {
    if (!on_the_hour || mix_back == 0 || end < per_day + mix_back) break;
    auto it = tracks_.find(s.plan);
    if (it == tracks_.end()) continue;
    PlanTrack& t = it->second;
    // Near the end of its budget a plan can afford only the cheaper channels' auctions, so the
    // shares say more about its budget than about the users: no verdict while either window ended
    // with 90% of that day's budget spent.
    auto near_spent = [&](uint32_t tick) {
      auto b = t.daily_budget.find(tick);
      return b != t.daily_budget.end() && b->second > 0 &&
             t.spent_today.at(tick) >= 0.9 * b->second;
    };
    if (near_spent(end) || near_spent(end - per_day)) continue;
    DiagnosisInput in = BuildInput(s, now, end - mix_back);
    std::vector<Hypothesis> shift = ChannelAgent(in);
    if (shift.empty() || shift.front().confidence < options_.mix_watch_confidence) {
      t.mix_watch_reported = false;
      continue;
    }
    if (t.mix_watch_reported || raised.count(s.plan)) continue;
    LiveFinding f = WatchFinding({s.plan, Scope::kPlan, kNoId}, Kpi::kImpressions, now,
                                 end - mix_back, options_.monitor.bucket_minutes);
    f.trigger_note = fmt::format(
        "the plan's traffic moved between channels over the last {} (against the same hours a "
        "day earlier)",
        options_.mix_watch_hours == 1 ? std::string("hour")
                                      : fmt::format("{} hours", options_.mix_watch_hours));
    f.input = std::move(in);
    f.diagnosis = DiagnosisOf(f.input, std::move(shift));
    if (emit(std::move(f), t, kExternalCauseFloor, false)) t.mix_watch_reported = true;
  }
  // The competitor price watch. A price cut that the catalogue shows on promoted products is an
  // external event worth testing on its own: the undercut products may be too small a part of the
  // plan for its CVR to cross the monitor's threshold. While a cut stands (against the prices a day
  // earlier), the pooled CVR of the undercut products since it appeared (at most 2 x window_hours)
  // is tested against the same hours a day earlier; a fall of price_watch_z or more raises an alarm
  // (once per cut).
  for (const PlanState& s : plans) {
    if (!on_the_hour) break;  // an hourly test, like the monitor's warnings
    auto it = tracks_.find(s.plan);
    if (it == tracks_.end() || raised.count(s.plan)) continue;
    PlanTrack& t = it->second;
    if (!t.price_watch || t.price_watch_reported) continue;
    const uint32_t oldest = end > 2 * width ? end - 2 * width : 0;
    const uint32_t from = std::min(std::max(t.price_watch_from, oldest), end - 1);
    DiagnosisInput in = BuildInput(s, now, from);
    in.trigger = Kpi::kCvr;
    const PriceCutEvidence e = PooledPriceCut(in);
    if (e.products.empty() || e.before.purchases < options_.price_watch_min_purchases ||
        e.before.clicks <= 0 || e.after.clicks <= 0 || e.z > options_.price_watch_z) {
      continue;
    }
    const double cvr_b = e.before.purchases / e.before.clicks;
    const double cvr_a = e.after.purchases / e.after.clicks;
    LiveFinding f = PriceFinding(s.plan, now, e, from, options_.monitor.bucket_minutes);
    f.trigger.value = cvr_a;
    f.trigger.baseline = cvr_b;
    f.trigger.z = e.z;
    f.trigger.relative_change = cvr_b > 0 ? cvr_a / cvr_b - 1 : 0;
    f.trigger.evidence = e.after.clicks;
    f.trigger.severity =
        e.z <= -6 && f.trigger.relative_change <= -0.5 ? Severity::kCritical : Severity::kWarning;
    f.trigger_note = fmt::format(
        "competitors cut prices on {} of the plan's products (by {:.0f}% on average) and their CVR "
        "fell {:.0f}% against the same hours {} (z = {:.1f})",
        e.products.size(), 100 * e.cut, -100 * f.trigger.relative_change,
        e.reference_days > 1 ? fmt::format("of the {} days before", e.reference_days)
                             : "a day earlier",
        e.z);
    for (const ProductWindow* p : e.products) in.trigger_products.push_back(p->product);
    f.input = std::move(in);
    f.diagnosis = Coordinate(f.input);
    // A cut is news in itself: within the cooldown it gets through when it changes the top cause
    // with the support an external cause needs.
    if (emit(std::move(f), t, kExternalCauseFloor, false)) t.price_watch_reported = true;
  }
  return out;
}

}  // namespace cf::diagnosis
