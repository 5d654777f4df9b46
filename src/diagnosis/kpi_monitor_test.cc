#include "diagnosis/kpi_monitor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "common/random.h"

namespace cf::diagnosis {
namespace {

// Feeds `days` days of one plan's ad events with a strong daily curve: per hour, impressions
// follow the curve (x `scale`), CTR 2%, CVR 5%, CPM-ish charges, order value 50. `ctr_factor`
// applies from minute `change_at` on.
void Feed(KpiMonitor& m, int days, double scale, SimMinute change_at = ~0u, double ctr_factor = 1,
          uint64_t seed = 1, int first_day = 0) {
  RandomStream rng(seed);
  for (int d = first_day; d < first_day + days; ++d) {
    for (int h = 0; h < 24; ++h) {
      const double curve = 0.2 + std::pow(std::sin(3.14159 * h / 24.0), 2);  // night low
      const int impressions = static_cast<int>(2000 * scale * curve);
      for (int i = 0; i < impressions; ++i) {
        const SimMinute minute = static_cast<SimMinute>((d * 24 + h) * 60 + i % 60);
        Event e;
        e.plan = 7;
        e.product = 3;
        e.ref = 11;  // creative
        e.channel = Channel::kFeed;
        e.minute = minute;
        e.type = EventType::kImpression;
        e.money = 10'000;  // 0.01 per impression
        m.Observe(e);
        m.ObserveAuction(7, Channel::kFeed, minute, true);
        m.ObserveAuction(7, Channel::kFeed, minute, false);
        const double ctr = 0.02 * (minute >= change_at ? ctr_factor : 1.0);
        if (rng.Uniform() < ctr) {
          e.type = EventType::kClick;
          e.money = 0;
          m.Observe(e);
          if (rng.Uniform() < 0.05 * 4) {  // CVR 20% so that ROI has evidence
            e.type = EventType::kPurchase;
            e.money = 50'000'000;
            m.Observe(e);
          }
        }
      }
    }
  }
}

TEST(KpiMonitor, NoAlertsOnAnOrdinaryDailyCurve) {
  KpiMonitor m;
  m.SetDailyBudget(7, Money::Micros(1'000'000'000));
  Feed(m, 5, 1.0);
  const auto alerts = m.Scan(5 * kMinutesPerDay - 1);
  for (const Alert& a : alerts) {
    ADD_FAILURE() << ScopeName(a.key.scope) << " " << KpiName(a.kpi) << " z=" << a.z
                  << " at minute " << a.bucket_start;
  }
}

TEST(KpiMonitor, DetectsACtrDropWithinTheHour) {
  KpiMonitor m;
  const SimMinute change = 4 * kMinutesPerDay + 14 * 60;  // day 4, 14:00
  Feed(m, 5, 3.0, change, 0.2);
  bool found_before = false;
  const auto early = m.Scan(change - 1);
  for (const Alert& a : early) found_before |= a.kpi == Kpi::kCtr;
  EXPECT_FALSE(found_before);
  // Tick by tick (15 minutes) through the first hour: the windows slide over the change.
  SimMinute first_tick = 0;  // the end of the first tick with a plan CTR alert
  Alert last;                // the plan CTR alert of the last tick
  for (SimMinute tick_end = change + 15; tick_end <= change + 60; tick_end += 15) {
    for (const Alert& a : m.Scan(tick_end - 1)) {
      EXPECT_GE(a.bucket_start, change) << KpiName(a.kpi);
      if (a.kpi != Kpi::kCtr || a.key.scope != Scope::kPlan) continue;
      if (first_tick == 0) first_tick = tick_end;
      EXPECT_EQ(a.bucket_start, tick_end - 15);
      last = a;
    }
  }
  ASSERT_NE(first_tick, 0u) << "no plan CTR alert within the hour";
  EXPECT_LE(first_tick, change + 30) << "an 80% fall should show within two ticks";
  // Once the whole hour is after the change, the 1-hour window shows the full fall.
  EXPECT_EQ(last.bucket_start, change + 45);
  EXPECT_EQ(last.window_start, change);
  EXPECT_LT(last.z, -6);
  EXPECT_NEAR(last.relative_change, -0.8, 0.1);
  EXPECT_EQ(last.severity, Severity::kCritical);
}

TEST(KpiMonitor, RefusesABucketThatDoesNotDivideADay) {
  MonitorOptions o;
  o.bucket_minutes = 7;
  try {
    KpiMonitor m(o);
    ADD_FAILURE() << "a 7-minute bucket was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("7 minutes"), std::string::npos) << e.what();
  }
  o.bucket_minutes = 60;
  EXPECT_NO_THROW(KpiMonitor{o});
}

TEST(KpiMonitor, DaysBeforeAKeysFirstDataAreNotZeros) {
  // A flight that starts on day 150 of the year: the 7-day baseline must not count days 143-149,
  // when the plan did not exist, as days without impressions.
  KpiMonitor m;
  const SimMinute change = 154 * kMinutesPerDay + 14 * 60;
  Feed(m, 5, 3.0, change, 0.2, 1, 150);
  bool plan_ctr = false;
  for (const Alert& a : m.Scan(155 * kMinutesPerDay - 1)) {
    if (a.bucket_start < change) ADD_FAILURE() << KpiName(a.kpi) << " z=" << a.z;
    plan_ctr |= a.kpi == Kpi::kCtr && a.key.scope == Scope::kPlan && a.z < -6;
    EXPECT_NE(a.kpi, Kpi::kImpressions) << "rel " << a.relative_change;
  }
  EXPECT_TRUE(plan_ctr);
}

TEST(KpiMonitor, SmallPlansDoNotRaiseNoise) {
  KpiMonitor m;
  const SimMinute change = 4 * kMinutesPerDay + 14 * 60;
  Feed(m, 5, 0.05, change, 0.4);  // ~50 impressions an hour: too little evidence
  for (const Alert& a : m.Scan(5 * kMinutesPerDay - 1)) {
    EXPECT_NE(a.kpi, Kpi::kCtr) << "z=" << a.z << " evidence " << a.evidence;
  }
}

TEST(KpiMonitor, NeedsHistoryBeforeJudging) {
  KpiMonitor m;
  Feed(m, 3, 1.0, 2 * kMinutesPerDay + 600, 0.1);  // 2 days of history: not enough yet
  EXPECT_TRUE(m.Scan(3 * kMinutesPerDay - 1).empty());
}

TEST(KpiMonitor, KpiValues) {
  KpiCounts c;
  c.impressions = 1000;
  c.clicks = 20;
  c.purchases = 2;
  c.spend = 5;
  c.gmv = 30;
  c.auctions = 4000;
  c.wins = 1000;
  double v = 0, ev = 0;
  ASSERT_TRUE(KpiValue(Kpi::kCtr, c, &v, &ev));
  EXPECT_DOUBLE_EQ(v, 0.02);
  EXPECT_DOUBLE_EQ(ev, 1000);
  ASSERT_TRUE(KpiValue(Kpi::kCvr, c, &v, &ev));
  EXPECT_DOUBLE_EQ(v, 0.1);
  ASSERT_TRUE(KpiValue(Kpi::kCpm, c, &v, &ev));
  EXPECT_DOUBLE_EQ(v, 5);
  ASSERT_TRUE(KpiValue(Kpi::kRoi, c, &v, &ev));
  EXPECT_DOUBLE_EQ(v, 6);
  ASSERT_TRUE(KpiValue(Kpi::kWinRate, c, &v, &ev));
  EXPECT_DOUBLE_EQ(v, 0.25);
  EXPECT_FALSE(KpiValue(Kpi::kCtr, KpiCounts{}, &v, &ev));
}

}  // namespace
}  // namespace cf::diagnosis
