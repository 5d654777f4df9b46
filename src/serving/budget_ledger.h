// The budget ledger: the only place where ad spend is recorded. Promises: a plan's spend never
// exceeds its total budget nor, on any simulated day, its daily budget, whatever the number of
// threads serving at once. Spend is reserved before an ad is shown (the most it can cost) and
// committed (at most the reservation) or released afterwards. Reserve/Commit/Release are
// thread-safe and lock-free; AddPlan, SetBudgets and StartDay must not run concurrently with them.
#pragma once

#include <atomic>
#include <deque>
#include <string>

#include "common/ids.h"
#include "common/money.h"

namespace cf {

class BudgetLedger {
 public:
  // Registers plan `id` (ids must be added densely: 0, 1, 2, ...). daily = 0: no daily cap.
  void AddPlan(PlanId id, Money total, Money daily);
  // Changes a plan's budgets; a new total below what was already spent stops further spend.
  void SetBudgets(PlanId id, Money total, Money daily);
  // Caps today's remaining spend at `cap` more (used when an account runs dry); does not raise it.
  void CapToday(PlanId id, Money cap);
  // Begins a new day: daily headroom = min(daily budget, total budget - total spent).
  void StartDay();

  // Tries to reserve `amount`; false (and nothing reserved) if the plan's headroom is smaller.
  bool Reserve(PlanId id, Money amount);
  // Charges `actual` (0 <= actual <= reserved) against a reservation of `reserved`.
  void Commit(PlanId id, Money reserved, Money actual);
  void Release(PlanId id, Money reserved) { Commit(id, reserved, Money::Zero()); }

  Money spent_total(PlanId id) const { return Money::Micros(plans_.at(id).spent_total.load()); }
  Money spent_today(PlanId id) const { return Money::Micros(plans_.at(id).spent_today.load()); }
  Money headroom(PlanId id) const {
    const int64_t room = plans_.at(id).headroom.load();
    return Money::Micros(room > 0 ? room : 0);
  }
  Money total_budget(PlanId id) const { return plans_.at(id).total; }
  Money daily_budget(PlanId id) const { return plans_.at(id).daily; }
  size_t size() const { return plans_.size(); }

 private:
  struct Account {
    Money total, daily;
    std::atomic<int64_t> headroom{0};  // what may still be reserved today
    std::atomic<int64_t> spent_total{0};
    std::atomic<int64_t> spent_today{0};
    std::atomic<int64_t> reserved{0};
  };
  void Recompute(Account& a);
  std::deque<Account> plans_;  // deque: stable addresses, atomics are not movable
};

}  // namespace cf
