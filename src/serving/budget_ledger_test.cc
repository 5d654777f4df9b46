#include "serving/budget_ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <ostream>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cf {

// Readable Money values in assertion messages.
[[maybe_unused]] static void PrintTo(const Money& m, std::ostream* os) { *os << m.ToString(); }

namespace {

Money M(int64_t micros) { return Money::Micros(micros); }

TEST(BudgetLedger, ReserveCommitReleaseAreExactInMicros) {
  BudgetLedger l;
  l.AddPlan(0, M(1'000'000), M(0));  // 1.00 total, no daily cap
  EXPECT_EQ(l.size(), 1u);
  EXPECT_EQ(l.headroom(0), M(1'000'000));

  ASSERT_TRUE(l.Reserve(0, M(333'333)));
  EXPECT_EQ(l.headroom(0), M(666'667));
  EXPECT_EQ(l.spent_total(0), M(0));
  l.Commit(0, M(333'333), M(123'457));
  EXPECT_EQ(l.spent_total(0), M(123'457));
  EXPECT_EQ(l.spent_today(0), M(123'457));
  EXPECT_EQ(l.headroom(0), M(876'543));

  ASSERT_TRUE(l.Reserve(0, M(876'543)));  // exactly all that is left
  EXPECT_EQ(l.headroom(0), M(0));
  EXPECT_FALSE(l.Reserve(0, M(1)));
  l.Release(0, M(876'543));
  EXPECT_EQ(l.headroom(0), M(876'543));
  EXPECT_EQ(l.spent_total(0), M(123'457));

  EXPECT_FALSE(l.Reserve(0, M(876'544)));  // one micro too many: nothing reserved
  EXPECT_EQ(l.headroom(0), M(876'543));
  EXPECT_FALSE(l.Reserve(0, M(-1)));
  EXPECT_EQ(l.headroom(0), M(876'543));

  ASSERT_TRUE(l.Reserve(0, M(876'543)));
  l.Commit(0, M(876'543), M(876'543));
  EXPECT_EQ(l.spent_total(0), M(1'000'000));
  EXPECT_EQ(l.headroom(0), M(0));
  EXPECT_FALSE(l.Reserve(0, M(1)));
}

TEST(BudgetLedger, CommitAboveReservationThrowsAndChangesNothing) {
  BudgetLedger l;
  l.AddPlan(0, M(100), M(0));
  ASSERT_TRUE(l.Reserve(0, M(40)));
  EXPECT_THROW(l.Commit(0, M(40), M(41)), std::logic_error);
  EXPECT_THROW(l.Commit(0, M(40), M(-1)), std::logic_error);
  EXPECT_EQ(l.spent_total(0), M(0));
  EXPECT_EQ(l.headroom(0), M(60));
  l.Commit(0, M(40), M(40));
  EXPECT_EQ(l.spent_total(0), M(40));
}

TEST(BudgetLedger, AddPlanValidates) {
  BudgetLedger l;
  EXPECT_THROW(l.AddPlan(1, M(100), M(0)), std::invalid_argument);  // ids must be dense
  EXPECT_THROW(l.AddPlan(0, M(0), M(0)), std::invalid_argument);
  EXPECT_THROW(l.AddPlan(0, M(100), M(-1)), std::invalid_argument);
  EXPECT_EQ(l.size(), 0u);
  l.AddPlan(0, M(100), M(10));
  l.AddPlan(1, M(100), M(0));
  EXPECT_EQ(l.size(), 2u);
  EXPECT_EQ(l.total_budget(0), M(100));
  EXPECT_EQ(l.daily_budget(0), M(10));
  EXPECT_THROW(l.SetBudgets(0, M(0), M(0)), std::invalid_argument);
}

TEST(BudgetLedger, DailyCapAndStartDay) {
  BudgetLedger l;
  l.AddPlan(0, M(1000), M(300));
  EXPECT_EQ(l.headroom(0), M(300));
  ASSERT_TRUE(l.Reserve(0, M(200)));
  EXPECT_FALSE(l.Reserve(0, M(101)));
  ASSERT_TRUE(l.Reserve(0, M(100)));
  l.Commit(0, M(200), M(200));
  l.Commit(0, M(100), M(90));
  EXPECT_EQ(l.spent_today(0), M(290));
  EXPECT_EQ(l.headroom(0), M(10));
  EXPECT_FALSE(l.Reserve(0, M(11)));

  l.StartDay();
  EXPECT_EQ(l.spent_today(0), M(0));
  EXPECT_EQ(l.spent_total(0), M(290));
  EXPECT_EQ(l.headroom(0), M(300));
}

TEST(BudgetLedger, TotalCapAcrossDays) {
  BudgetLedger l;
  l.AddPlan(0, M(700), M(300));
  int64_t spent = 0;
  for (int day = 0; day < 5; ++day) {
    l.StartDay();
    const int64_t expected_room = std::min<int64_t>(300, 700 - spent);
    EXPECT_EQ(l.headroom(0), M(expected_room)) << "day " << day;
    // Spend everything available today in small pieces.
    while (l.Reserve(0, M(7))) {
      l.Commit(0, M(7), M(7));
      spent += 7;
    }
    EXPECT_LE(l.spent_today(0), M(300));
    EXPECT_LE(l.spent_total(0), M(700));
    EXPECT_EQ(l.spent_total(0), M(spent));
  }
  // 700 = 7 * 100: all of it spent by day 3 (300 + 300 + 100), nothing afterwards.
  EXPECT_EQ(l.spent_total(0), M(700));
  EXPECT_EQ(l.headroom(0), M(0));
}

TEST(BudgetLedger, SetBudgetsBelowSpendStopsSpend) {
  BudgetLedger l;
  l.AddPlan(0, M(1000), M(0));
  ASSERT_TRUE(l.Reserve(0, M(600)));
  l.Commit(0, M(600), M(600));
  l.SetBudgets(0, M(500), M(0));  // below what was spent
  EXPECT_EQ(l.headroom(0), M(0));
  EXPECT_FALSE(l.Reserve(0, M(1)));
  l.StartDay();
  EXPECT_FALSE(l.Reserve(0, M(1)));  // a new day does not bring the money back
  EXPECT_EQ(l.spent_total(0), M(600));

  // Raising it again re-opens exactly the difference.
  l.SetBudgets(0, M(650), M(0));
  EXPECT_EQ(l.headroom(0), M(50));
  EXPECT_FALSE(l.Reserve(0, M(51)));
  EXPECT_TRUE(l.Reserve(0, M(50)));
}

TEST(BudgetLedger, SetBudgetsKeepsOutstandingReservations) {
  BudgetLedger l;
  l.AddPlan(0, M(1000), M(500));
  ASSERT_TRUE(l.Reserve(0, M(100)));
  l.SetBudgets(0, M(1000), M(300));  // daily lowered with 100 still reserved
  EXPECT_EQ(l.headroom(0), M(200));
  l.Commit(0, M(100), M(100));
  EXPECT_EQ(l.headroom(0), M(200));
  ASSERT_TRUE(l.Reserve(0, M(200)));
  l.Commit(0, M(200), M(200));
  EXPECT_EQ(l.spent_today(0), M(300));
  EXPECT_FALSE(l.Reserve(0, M(1)));
}

// A budget lowered below spend + outstanding reservations must still hold once those
// reservations are released: the plan may spend at most total - spent afterwards.
TEST(BudgetLedger, LoweredBudgetHoldsAfterOutstandingReservationIsReleased) {
  BudgetLedger l;
  l.AddPlan(0, M(100), M(0));
  ASSERT_TRUE(l.Reserve(0, M(50)));
  l.Commit(0, M(50), M(50));
  ASSERT_TRUE(l.Reserve(0, M(40)));  // outstanding
  l.SetBudgets(0, M(60), M(0));      // total - spent = 10 < 40 reserved
  l.Release(0, M(40));
  EXPECT_EQ(l.headroom(0), M(10));
  while (l.Reserve(0, M(1))) l.Commit(0, M(1), M(1));
  EXPECT_LE(l.spent_total(0), M(60));
}

TEST(BudgetLedger, CapTodayLowersButNeverRaises) {
  BudgetLedger l;
  l.AddPlan(0, M(1000), M(400));
  ASSERT_TRUE(l.Reserve(0, M(100)));
  l.Commit(0, M(100), M(100));
  EXPECT_EQ(l.headroom(0), M(300));

  l.CapToday(0, M(120));
  EXPECT_EQ(l.headroom(0), M(120));
  l.CapToday(0, M(250));  // does not raise it
  EXPECT_EQ(l.headroom(0), M(120));
  l.CapToday(0, M(-5));  // negative caps mean nothing more today
  EXPECT_EQ(l.headroom(0), M(0));
  EXPECT_FALSE(l.Reserve(0, M(1)));

  l.StartDay();  // the cap lasts one day
  EXPECT_EQ(l.headroom(0), M(400));
  l.CapToday(0, M(50));
  int64_t spent = 0;
  while (l.Reserve(0, M(3))) {
    l.Commit(0, M(3), M(3));
    spent += 3;
  }
  EXPECT_EQ(spent, 48);
  EXPECT_EQ(l.spent_total(0), M(148));
}

TEST(BudgetLedger, PlansAreIndependent) {
  BudgetLedger l;
  l.AddPlan(0, M(100), M(0));
  l.AddPlan(1, M(50), M(20));
  ASSERT_TRUE(l.Reserve(0, M(100)));
  EXPECT_EQ(l.headroom(1), M(20));
  ASSERT_TRUE(l.Reserve(1, M(20)));
  l.Commit(0, M(100), M(1));
  l.Release(1, M(20));
  EXPECT_EQ(l.spent_total(0), M(1));
  EXPECT_EQ(l.spent_total(1), M(0));
  EXPECT_EQ(l.headroom(0), M(99));
  EXPECT_EQ(l.headroom(1), M(20));
}

// Property: 4 threads x 200,000 Reserve/Commit (or Release) cycles on a few plans with random
// amounts and random actual charges, spread over several days. No plan ever spends more than its
// total budget or, on any day, its daily budget, and the ledger's totals equal what the threads
// committed.
TEST(BudgetLedgerProperty, ConcurrentReserveCommitNeverOverspends) {
  constexpr int kThreads = 4;
  constexpr int kCyclesPerThread = 200'000;
  constexpr int kDays = 4;
  constexpr int kCyclesPerDay = kCyclesPerThread / kDays;
  constexpr int kPlans = 4;
  // Total, daily (0 = none). Daily budgets are spent within a day; totals run out part-way.
  const int64_t total[kPlans] = {3'000'000'000, 900'000'000, 5'000'000'000, 150'000'000};
  const int64_t daily[kPlans] = {500'000'000, 0, 400'000'000, 40'000'000};

  BudgetLedger l;
  for (PlanId p = 0; p < kPlans; ++p) l.AddPlan(p, M(total[p]), M(daily[p]));

  // committed[t][p]: what thread t committed to plan p; per day and in total.
  std::vector<std::vector<int64_t>> committed(kThreads, std::vector<int64_t>(kPlans, 0));
  std::vector<std::vector<int64_t>> committed_today(kThreads, std::vector<int64_t>(kPlans, 0));
  std::vector<std::vector<int64_t>> refused(kThreads, std::vector<int64_t>(kPlans, 0));
  std::vector<int64_t> expected_total(kPlans, 0);
  int64_t refusals = 0;

  for (int day = 0; day < kDays; ++day) {
    l.StartDay();
    for (auto& v : committed_today) std::fill(v.begin(), v.end(), 0);
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        // Start together so that the threads really overlap.
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        std::mt19937_64 rng(1000 * day + t);
        std::uniform_int_distribution<int> plan_d(0, kPlans - 1);
        std::uniform_int_distribution<int64_t> amount_d(1, 2'000'000);  // up to 2.00
        for (int i = 0; i < kCyclesPerDay; ++i) {
          const PlanId p = static_cast<PlanId>(plan_d(rng));
          const int64_t reserve = amount_d(rng);
          if (!l.Reserve(p, M(reserve))) {
            ++refused[t][p];
            continue;
          }
          const uint64_t kind = rng() % 4;
          int64_t actual = 0;
          if (kind == 0)
            actual = 0;  // Release
          else if (kind == 1)
            actual = reserve;
          else
            actual = std::uniform_int_distribution<int64_t>(0, reserve)(rng);
          l.Commit(p, M(reserve), M(actual));
          committed[t][p] += actual;
          committed_today[t][p] += actual;
        }
      });
    }
    for (auto& th : threads) th.join();

    for (PlanId p = 0; p < kPlans; ++p) {
      int64_t today = 0;
      for (int t = 0; t < kThreads; ++t) today += committed_today[t][p];
      expected_total[p] += today;
      EXPECT_EQ(l.spent_today(p), M(today)) << "plan " << p << " day " << day;
      EXPECT_EQ(l.spent_total(p), M(expected_total[p])) << "plan " << p << " day " << day;
      if (daily[p] > 0) {
        EXPECT_LE(l.spent_today(p).micros(), daily[p]) << "plan " << p;
      }
      EXPECT_LE(l.spent_total(p).micros(), total[p]) << "plan " << p;
      // Nothing is reserved any more, so the headroom is exactly what the budgets leave.
      int64_t room = total[p] - expected_total[p];
      if (daily[p] > 0) room = std::min(room, daily[p] - today);
      EXPECT_EQ(l.headroom(p), M(room)) << "plan " << p << " day " << day;
    }
  }
  for (PlanId p = 0; p < kPlans; ++p) {
    int64_t sum = 0;
    for (int t = 0; t < kThreads; ++t) sum += committed[t][p];
    EXPECT_EQ(l.spent_total(p), M(sum)) << "plan " << p;
  }
  for (int t = 0; t < kThreads; ++t) {
    for (PlanId p = 0; p < kPlans; ++p) refusals += refused[t][p];
  }
  // The caps were actually reached: plans 1 and 3 ran out of their totals, 0 and 2 hit their
  // daily budgets, so a good share of reservations was refused.
  EXPECT_GT(refusals, kThreads * kCyclesPerThread / 10);
  EXPECT_GT(l.spent_total(1).micros(), total[1] - 2'000'000);
  EXPECT_GT(l.spent_total(3).micros(), total[3] - 2'000'000);
}

// Property: a single thread over many days with StartDay, budget changes (only while nothing is
// reserved, as the platform does), CapToday and reservations held across other operations. A
// reference model tracks what the plan may still spend; the ledger must agree on every Reserve and
// never let spend exceed the budgets in force.
TEST(BudgetLedgerProperty, RandomisedSingleThreadAgainstModel) {
  std::mt19937_64 rng(7);
  constexpr int kPlans = 3;
  struct Model {
    int64_t total, daily, spent_total = 0, spent_today = 0;
    // After CapToday: today's spend plus reservations may reach `cap_limit` at most.
    int64_t cap_limit = INT64_MAX;
    std::vector<int64_t> held;  // outstanding reservations
    int64_t reserved() const {
      int64_t s = 0;
      for (int64_t h : held) s += h;
      return s;
    }
    // What may still be reserved now.
    int64_t Room() const {
      int64_t room = total - spent_total;
      if (daily > 0) room = std::min(room, daily - spent_today);
      room -= reserved();
      if (cap_limit != INT64_MAX) room = std::min(room, cap_limit - spent_today - reserved());
      return std::max<int64_t>(0, room);
    }
  };
  std::vector<Model> m = {{50'000'000, 8'000'000}, {20'000'000, 0}, {90'000'000, 30'000'000}};
  BudgetLedger l;
  for (PlanId p = 0; p < kPlans; ++p) l.AddPlan(p, M(m[p].total), M(m[p].daily));

  uint64_t reserves = 0, refusals = 0;
  for (int day = 0; day < 60; ++day) {
    l.StartDay();
    for (Model& x : m) {
      x.spent_today = 0;
      x.cap_limit = INT64_MAX;
    }
    const int ops = 200 + static_cast<int>(rng() % 400);
    for (int i = 0; i < ops; ++i) {
      const PlanId p = static_cast<PlanId>(rng() % kPlans);
      Model& x = m[p];
      const uint64_t op = rng() % 100;
      if (op < 55) {
        const int64_t amount = 1 + static_cast<int64_t>(rng() % 1'500'000);
        const bool expect = amount <= x.Room();
        const bool got = l.Reserve(p, M(amount));
        ASSERT_EQ(got, expect) << "day " << day << " op " << i << " plan " << p;
        ++reserves;
        if (got)
          x.held.push_back(amount);
        else
          ++refusals;
      } else if (op < 95) {
        if (x.held.empty()) continue;
        const size_t k = rng() % x.held.size();
        const int64_t r = x.held[k];
        const int64_t actual = rng() % 3 == 0 ? 0 : static_cast<int64_t>(rng() % (r + 1));
        l.Commit(p, M(r), M(actual));
        x.held.erase(x.held.begin() + static_cast<long>(k));
        x.spent_total += actual;
        x.spent_today += actual;
      } else if (op < 97) {
        // CapToday: the plan may spend at most `cap` more today (on top of what is used now).
        const int64_t cap = static_cast<int64_t>(rng() % 3'000'000);
        x.cap_limit = x.spent_today + x.reserved() + std::min(x.Room(), cap);
        l.CapToday(p, M(cap));
      } else if (x.held.empty()) {
        // SetBudgets, only with nothing reserved (as the platform does between minutes).
        x.total = 1 + static_cast<int64_t>(rng() % 100'000'000);
        x.daily = rng() % 2 ? 0 : 1 + static_cast<int64_t>(rng() % 20'000'000);
        l.SetBudgets(p, M(x.total), M(x.daily));
        x.cap_limit = INT64_MAX;  // SetBudgets recomputes the headroom from the budgets
      }
      ASSERT_EQ(l.headroom(p), M(x.Room())) << "day " << day << " op " << i << " plan " << p;
      ASSERT_EQ(l.spent_total(p), M(x.spent_total));
      ASSERT_EQ(l.spent_today(p), M(x.spent_today));
    }
    // End of day: settle everything still reserved.
    for (PlanId p = 0; p < kPlans; ++p) {
      for (int64_t r : m[p].held) {
        const int64_t actual = static_cast<int64_t>(rng() % (r + 1));
        l.Commit(p, M(r), M(actual));
        m[p].spent_total += actual;
        m[p].spent_today += actual;
      }
      m[p].held.clear();
      EXPECT_EQ(l.spent_total(p), M(m[p].spent_total));
    }
  }
  EXPECT_GT(reserves, 10'000u);
  EXPECT_GT(refusals, 100u);
}

}  // namespace
}  // namespace cf
